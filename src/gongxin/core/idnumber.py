"""Resident identity numbers (公民身份号码, GB 11643-1999).

Validation returns a reason a person can act on; nothing here ever puts the number itself
into an exception message, so errors are safe to log.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from operator import mul

from gongxin.core import clock

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

_LAST = frozenset("0123456789X")
# ASCII digits only: Python's \d would also take other scripts' digits, which _clean has not
# turned into ASCII and the check character cannot be computed from.
_FORMAT_18 = re.compile(r"^[0-9]{17}[0-9X]$")
# What Excel shows, or a file holds, for a number typed into a numeric cell: 3.42301E+17.
_SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?E\+?[0-9]+$")
_FORMAT_15 = re.compile(r"^[0-9]{15}$")
# A masked number as lists publish it: the same 18 positions, some replaced by '*'.
_MASKED = re.compile(r"^[0-9*]{17}[0-9X*]$")


class InvalidIdNumber(ValueError):
    """The text is not a valid resident ID number; ``reason`` is Chinese, for staff."""

    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


_ZERO_OFFSET = 48 * sum(WEIGHTS)  # ord("0") times the weights: digits summed as bytes


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 (ASCII) digits."""
    return CHECK_CHARS[(sum(map(mul, first17.encode("ascii"), WEIGHTS)) - _ZERO_OFFSET) % 11]


def _clean(raw: str) -> str:
    """NFKC first: Chinese input methods type full-width digits (１１０１…) and Ｘ, and pasted
    text may carry other compatibility forms; they are the same number."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(text.split()).upper()


_ID_LIKE = re.compile(r"[0-9]{15}")


def looks_like_id(text: str) -> bool:
    """Whether ``text`` holds what may be an ID number (15 digits in a row, full-width or
    spaced included): a box that puts its text in a URL must not take it (a 文号 never has
    15 digits in a row)."""
    return bool(_ID_LIKE.search(_clean(text)))


@lru_cache(maxsize=1 << 16)
def _birth_date(digits8: str) -> dt.date:
    try:
        return dt.date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        raise InvalidIdNumber("出生日期不存在", "birth_date") from None


def normalize(raw: str, *, today: dt.date | None = None) -> str:
    """Return the canonical 18-character form of a valid number, or raise InvalidIdNumber.

    Accepts lower-case x and 15-digit legacy numbers (upgraded by inserting 19 and appending
    the check character). Abolished region codes are accepted: a number keeps the region that
    issued it.
    """
    # Fast path for the common, already clean input (imports check millions of numbers).
    clean = len(raw) == 18 and raw.isascii() and raw[:17].isdigit() and raw[17] in _LAST
    text = raw if clean else _clean(raw)
    if not text:
        raise InvalidIdNumber("公民身份号码为空", "empty")
    if _SCIENTIFIC.match(text):
        raise InvalidIdNumber(
            "是科学计数法（Excel 把号码当作数值，只保留15位有效数字，后几位已丢失），"
            "请把该列设为“文本”后重新填写号码", "scientific",
        )  # fmt: skip
    if _FORMAT_15.match(text):
        body = text[:6] + "19" + text[6:]
        _check_birth(body[6:14], today)
        return body + check_char(body)
    if len(text) != 18:
        raise InvalidIdNumber(f"位数不正确（应为18位或15位，实为{len(text)}位）", "length")
    if not _FORMAT_18.match(text):
        raise InvalidIdNumber("格式不正确（前17位应为数字，末位应为数字或X）", "format")
    _check_birth(text[6:14], today)
    if check_char(text[:17]) != text[17]:
        raise InvalidIdNumber("校验码不正确", "check_char")
    return text


def _check_birth(digits8: str, today: dt.date | None) -> None:
    born = _birth_date(digits8)
    if born.year < 1850 or born > (today or clock.today()):
        raise InvalidIdNumber("出生日期不在合理范围内", "birth_date")


def is_valid(raw: str) -> bool:
    try:
        normalize(raw)
    except InvalidIdNumber:
        return False
    return True


def mask(number: str) -> str:
    """Screens and letters show the first 6 and last 4 characters: 110105********002X."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str  # "男" / "女"
    region: str
    upgraded_from_15: bool


def describe(raw: str) -> IdInfo:
    """Validate and explain a number (birth date, sex from the parity of the sequence)."""
    number = normalize(raw)
    return IdInfo(
        number=number,
        birth_date=_birth_date(number[6:14]),
        sex="男" if int(number[16]) % 2 else "女",
        region=number[:6],
        upgraded_from_15=len(_clean(raw)) == 15,
    )


# --- masked numbers -------------------------------------------------------------------------


def normalize_masked(raw: str) -> str:
    """Validate a masked number (``3423011964****3224``) and return it upper-cased.

    A masked number must hide at least one position and show at least one; fully visible
    numbers go through :func:`normalize` instead.
    """
    text = _clean(raw).replace("＊", "*")
    if len(text) != 18 or not _MASKED.match(text):
        raise InvalidIdNumber(
            "带*的证件号码格式不正确（应为18位，隐去的位置用*表示）", "masked_format"
        )
    if "*" not in text or set(text) == {"*"}:
        raise InvalidIdNumber("带*的证件号码格式不正确", "masked_format")
    return text


def mask_layout(pattern: str) -> str:
    """Which positions a masked number hides, e.g. ``##########****####``: not personal data."""
    return "".join("*" if c == "*" else "#" for c in pattern)


@lru_cache(maxsize=64)
def layout_masker(layout: str):
    """Masks a number the way ``layout`` says (the form a list would have published it in):
    slices of the number joined with runs of '*'."""
    runs = [(m.start(), m.end(), m.group()[0]) for m in re.finditer(r"#+|\*+", layout)]

    def masker(number: str) -> str:
        return "".join(number[a:b] if c == "#" else "*" * (b - a) for a, b, c in runs)

    return masker


def masked_agrees(pattern: str, number: str) -> bool:
    """True when every visible position of ``pattern`` equals ``number`` at that position."""
    return len(pattern) == len(number) and all(
        p == "*" or p == n for p, n in zip(pattern, number, strict=True)
    )
