"""Name normalisation (DESIGN §3): the same person's name compares equal however it was typed.

NFKC, then every middle-dot look-alike (and a hyphen between name parts) becomes U+00B7, then all
white space goes. Characters outside the BMP are kept as they are.
"""

from __future__ import annotations

import re
import unicodedata

from gongxin.core.text import TRIMMED, describe, first_refused

MIDDLE_DOT = "\u00b7"
# Look-alikes seen in minority-nationality and transliterated names. NFKC already maps
# the full-width full stop (U+FF0E) to '.', which is listed for completeness.
_DOT_LIKES = "\u2022\u30fb\u2027\u2219\u22c5\uff0e.\u00b7\u0387\u16eb\u2e31\uff65\u318d"
_DOTS = re.compile(f"[{re.escape(_DOT_LIKES)}]")
_HYPHENS = re.compile(r"(?<=\S)\s*[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d]\s*(?=\S)")
_SPACE = re.compile(r"\s+")
# Most names need none of the substitutions: one scan decides.
_NEEDS_WORK = re.compile(f"[{re.escape(_DOT_LIKES)}\\s\\-\u2010-\u2015\u2212\uff0d]")

MAX_LENGTH = 100


class InvalidName(ValueError):
    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def normalize(raw: str) -> str:
    """Return the comparison form of a name, or raise InvalidName when nothing is left."""
    text = unicodedata.normalize("NFKC", (raw or "").strip(TRIMMED))
    if _NEEDS_WORK.search(text):
        text = _HYPHENS.sub(MIDDLE_DOT, text)
        text = _DOTS.sub(MIDDLE_DOT, text)
        text = _SPACE.sub("", text)
    if not text:
        raise InvalidName("姓名或名称为空", "empty")
    if len(text) > MAX_LENGTH:
        raise InvalidName(f"姓名或名称过长（超过{MAX_LENGTH}个字符）", "too_long")
    # Control and format characters are refused (core.text, the one rule for every field);
    # unassigned and private-use code points are not, since rare name characters may be newer
    # than Python's Unicode tables or mapped to the private-use area by household-registration
    # systems.
    if found := first_refused(text):
        raise InvalidName(f"姓名或名称含有{describe(found[1])}", "control")
    return text
