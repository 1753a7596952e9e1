"""Free text that staff type or paste: which characters are refused, and spreadsheet safety.

One rule for every text field of every form, upload, API body and command: control characters
(NUL, line breaks where a single line is expected), bidirectional overrides that would print a
document number backwards, lone surrogates and Unicode non-characters are refused with a reason
that names the character, because they cannot be printed in a letter (python-docx and XML refuse
most of them) and a person cannot see them to correct them. So is U+FFFD, the replacement
character: it stands for bytes that were not text (a file or page in another encoding) and
would print as �. Zero-width spaces and byte-order marks at the ends, which word processors
leave behind, are dropped.
"""

from __future__ import annotations

import unicodedata
from functools import cache

# Explicit bidirectional formatting characters (Unicode UAX #9): they reorder what is printed.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
TRIMMED = " \t\r\n\u3000\u200b\ufeff"
REPLACEMENT = "\ufffd"  # what a decoder puts for bytes that were not text
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_LINE_BREAKS = frozenset("\n\r\t")
# Characters that make a spreadsheet cell a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class InvalidText(ValueError):
    """Why a text cannot be used; ``reason`` is Chinese, for staff. Never echoes the text."""

    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def is_noncharacter(ch: str) -> bool:
    cp = ord(ch)
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def refused_character(ch: str, *, multiline: bool = False) -> bool:
    """True for a character no field may hold (line breaks and tabs only where ``multiline``)."""
    if multiline and ch in _LINE_BREAKS:
        return False
    if ch in BIDI_CONTROLS or ch == REPLACEMENT or is_noncharacter(ch):
        return True
    return unicodedata.category(ch) in _REFUSED_CATEGORIES


def first_refused(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """(1-based position, character) of the first refused character, or None."""
    # Fast path, in C: str.isprintable() is False for every category refused here (controls,
    # format characters such as the direction overrides, surrogates, unassigned code points,
    # which include the non-characters, line and paragraph separators); U+FFFD is printable.
    # A list import asks this of a million names.
    if text.isprintable() and REPLACEMENT not in text:
        return None
    for i, ch in enumerate(text, start=1):
        if refused_character(ch, multiline=multiline):
            return i, ch
    return None


def describe(ch: str) -> str:
    """U+202E（从右至左强制符）: how a refused character is named to staff."""
    names = {"\x00": "空字符", "\n": "换行符", "\r": "回车符", "\t": "制表符"}
    if ch in BIDI_CONTROLS:
        kind = "文字方向控制符"
    elif unicodedata.category(ch) == "Cs":
        kind = "无效的代理字符"
    elif is_noncharacter(ch):
        kind = "非字符码位"
    elif ch == REPLACEMENT:
        kind = "无法识别的字符，多为文件或网页编码不对，请重新输入该处文字"
    else:
        kind = names.get(ch, "不可见的控制字符")
    return f"U+{ord(ch):04X}（{kind}）"


def clean(
    value: object, *, max_length: int, required: bool = False, multiline: bool = False
) -> str:
    """The text as it will be stored: trimmed, checked; raise InvalidText otherwise."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidText("应为文字", "type")
    text = value.strip(TRIMMED)
    if required and not text.strip():
        raise InvalidText("不能为空", "required")
    if found := first_refused(text, multiline=multiline):
        position, ch = found
        raise InvalidText(f"第{position}个字符是{describe(ch)}，请删除后重新填写", "control")
    if len(text) > max_length:
        raise InvalidText(f"过长（最多{max_length}个字符，现为{len(text)}个）", "too_long")
    return text


def spreadsheet_cell(value: object) -> object:
    """A value safe to write into a CSV or XLSX cell: text that a spreadsheet would run as a
    formula gets a leading apostrophe, which shows as text and is not evaluated."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@cache
def refused_ranges(*, multiline: bool = False) -> tuple[tuple[int, int], ...]:
    """Every refused code point, as ranges (computed once: the rule above is the source)."""
    ranges, start = [], None
    for cp in range(0x110000):
        refused = refused_character(chr(cp), multiline=multiline)
        if refused and start is None:
            start = cp
        elif not refused and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, 0x10FFFF))
    return tuple(ranges)


def _escaped(cp: int) -> str:
    return f"\\u{cp:04x}"


@cache
def pattern(*, required: bool, multiline: bool = False) -> str:
    """The same rule as a regular expression over the Basic Multilingual Plane (for the API
    schema): whatever ``clean`` trims at the ends, then no refused character, and, when
    ``required``, something that is not white space. The few refused characters beyond the BMP
    (tag and format characters, non-characters of other planes) and lone surrogates are left
    out: schema tools re-serialise such code points as escapes ECMA-262 does not have, and
    refuse a surrogate range outright. The schema names the whole rule as a format."""
    refused = "".join(
        _escaped(a) + (f"-{_escaped(b)}" if b > a else "")
        for a, b in refused_ranges(multiline=multiline)
        if a <= 0xFFFF and not 0xD800 <= a <= 0xDFFF
    )
    trimmed = "".join(_escaped(ord(c)) for c in TRIMMED)
    if not required:
        return f"^[{trimmed}]*[^{refused}]*[{trimmed}]*$"
    # White space spelled out (what str.strip removes): generators refuse \s in a negated set.
    space = trimmed + "".join(_escaped(cp) for cp in range(0x3001) if chr(cp).isspace())
    return f"^[{trimmed}]*[^{refused}]*[^{refused}{space}][^{refused}]*[{trimmed}]*$"
