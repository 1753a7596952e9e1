"""Unified social credit codes (统一社会信用代码, GB 32100-2015) for organisations on the lists."""

from __future__ import annotations

import re
import unicodedata

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_FORMAT = re.compile(rf"^[{CHARSET}]{{18}}$")


class InvalidUscc(ValueError):
    """Not a valid code; ``reason`` is Chinese, for staff."""

    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def check_char(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalize(raw: str) -> str:
    text = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
    if len(text) != 18:
        raise InvalidUscc(f"统一社会信用代码位数不正确（应为18位，实为{len(text)}位）", "length")
    if not _FORMAT.match(text):
        raise InvalidUscc("统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）", "format")
    if check_char(text[:17]) != text[17]:
        raise InvalidUscc("统一社会信用代码校验码不正确", "check_char")
    return text


def is_valid(raw: str) -> bool:
    try:
        normalize(raw)
    except InvalidUscc:
        return False
    return True
