"""The characters a letter prints with its standard fonts (Noto Serif CJK, and the customary
仿宋/小标宋 where installed): for short texts staff type that the letter repeats — 来文文号 above
all. A 文号 is Chinese characters, letters, digits and punctuation; anything else (a private-use
or unassigned code point, another script) would print as an empty box, the read-back would not
find the number, and the letter could never be signed. Names are checked at signing instead,
against every installed font (rare characters need them)."""

from __future__ import annotations

from functools import cache

from gongxin.core.text import TRIMMED, InvalidText, clean

# Printable ASCII; middle dot; general punctuation (dashes, quotes, ‰ …); CJK symbols and
# punctuation (〔〕【】《》「」、。 and the ideographic space); CJK Extension A and the CJK
# Unified Ideographs as far as Unicode 10 (what Noto Serif CJK draws: the test checks every
# code point against the installed fonts); full-width forms (（）［］０-９Ａ-Ｚ).
RANGES = (
    (0x20, 0x7E), (0xB7, 0xB7), (0x2010, 0x2027), (0x2030, 0x2049), (0x204B, 0x204B),
    (0x204E, 0x2054), (0x2056, 0x205E), (0x3000, 0x303F), (0x3400, 0x4DB5), (0x4E00, 0x9FEA),
    (0xFF01, 0xFF5E),
)  # fmt: skip
DESCRIPTION = "只能包含汉字、字母、数字和常用标点"


def printable(ch: str) -> bool:
    cp = ord(ch)
    return any(a <= cp <= b for a, b in RANGES)


def letter_text(value, *, max_length: int) -> str:
    """``value`` cleaned (core.text) and checked against the alphabet; InvalidText otherwise."""
    text = clean(value, max_length=max_length, required=True)
    for position, ch in enumerate(text, start=1):
        if not printable(ch):
            raise InvalidText(f"第{position}个字符 U+{ord(ch):04X} 不能印在复函上（{DESCRIPTION}）",
                              "unprintable")  # fmt: skip
    return text


def _class(ranges) -> str:
    return "".join(f"\\u{a:04x}" + (f"-\\u{b:04x}" if b > a else "") for a, b in ranges)


@cache
def pattern() -> str:
    """``letter_text`` as a regular expression (for the API schema)."""
    trimmed = "".join(f"\\u{ord(c):04x}" for c in TRIMMED)
    visible = [r for r in RANGES if r not in ((0x20, 0x7E), (0x3000, 0x303F))]
    visible += [(0x21, 0x7E), (0x3001, 0x303F)]  # the alphabet without its two spaces
    return (
        f"^[{trimmed}]*[{_class(RANGES)}]*[{_class(sorted(visible))}]"
        f"[{_class(RANGES)}]*[{trimmed}]*$"
    )
