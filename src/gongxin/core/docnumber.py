"""The normal form of a document number (文号), for comparing, never for printing.

Agencies and clerks write the same letter's number in many ways: 京组函〔2026〕88号,
京组函[2026]088号, 京组函（2026）88 号, 京组函【2026】88号, with full-width or half-width
characters. ``letter_key`` maps all of them to one key, so a letter registered twice is found
however it was typed the second time, and a search finds it. The key is not shown to anyone:
pages show the number as it was registered; our letters cite it as GB/T 9704 writes a 发文字号
(``letter_citation``: the year in 〔〕, the serial without leading zeros, then 号).

The rule: NFKC (full-width letters, digits and brackets become half-width), every kind of
bracket becomes 〔〕, white space goes, letters are case-folded, and in the
``〔year〕serial号`` part the serial loses its leading zeros and the 号 is implied.
"""

from __future__ import annotations

import re
import unicodedata

# After NFKC, full-width （）［］ are already () [].
_OPENING = "([{【〔〖﹝⦅⟦〘"
_CLOSING = ")]}】〕〗﹞⦆⟧〙"
_BRACKETS = str.maketrans(dict.fromkeys(_OPENING, "〔") | dict.fromkeys(_CLOSING, "〕"))
_SPACE = re.compile(r"\s+")
# 〔year〕 then the serial: its leading zeros and the optional 号 after it.
_SERIAL = re.compile(r"〔([0-9]{4})〕0*([0-9]+)(号?)")


def _serial(match: re.Match) -> str:
    return f"〔{match.group(1)}〕{match.group(2)}号"


def letter_key(number: str) -> str:
    """The comparison key of a document number (see the module); "" for an empty one."""
    text = number or ""
    for _ in range(4):  # to a fixed point: folding or joining can leave a compatibility form
        folded = _SPACE.sub("", unicodedata.normalize("NFKC", text).casefold().translate(_BRACKETS))
        if folded == text:
            break
        text = folded
    return _SERIAL.sub(_serial, text)


# The year in any bracket, the serial with its leading zeros and an optional 号 (after NFKC).
_CITED = re.compile(r"[" + re.escape(_OPENING) + r"]\s*([0-9]{4})\s*[" + re.escape(_CLOSING)
                    + r"]\s*0*([0-9]+)\s*号?")  # fmt: skip


def letter_citation(number: str) -> str:
    """The number as our letter cites it (你单位京组函〔2026〕88号收悉): 京组函[2026]088号 and
    京组函（2026）88 号 read 京组函〔2026〕88号 (GB/T 9704: 年份用六角括号，序号不编虚位). A
    number without a bracketed year is cited as registered."""
    text = (number or "").strip()
    folded = unicodedata.normalize("NFKC", text)
    if _CITED.search(folded) is None:
        return text
    return _CITED.sub(lambda m: f"〔{m.group(1)}〕{m.group(2)}号", folded, count=1)
