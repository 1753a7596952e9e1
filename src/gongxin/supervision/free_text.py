"""Free text that supervision keeps (a call's question and answer, a finding's explanation, a
risk point, a plan, a drill): cleaned as every text is (gongxin.core.text), and never holding a
resident ID number — these records are read by more people, for longer, than the candidates'
own; a person is named by the request's 文号 instead. One rule for every form and service.
"""

from __future__ import annotations

import re
import unicodedata

from gongxin.core import idnumber
from gongxin.core.text import InvalidText, clean
from gongxin.platform.errors import invalid

TEXT_MAX = 2000

# 17 digits and a digit or X, not inside a longer run of digits (after NFKC: full-width digits
# typed by an input method are the same number; spaces and dashes typed inside it are dropped).
_LOOKS_18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")
_LOOKS_15 = re.compile(r"(?<![0-9])[0-9]{15}(?![0-9])")
_INSIDE = re.compile(r"(?<=[0-9])[\s\-－—]+(?=[0-9Xx])")


def id_number_problem(text: str) -> str | None:
    """Why ``text`` may not be kept: it holds what reads as a resident ID number (any 18
    characters in its shape, or a valid 15-digit legacy number). The reason repeats nothing."""
    squeezed = _INSIDE.sub("", unicodedata.normalize("NFKC", text or "")).upper()
    legacy = any(idnumber.is_valid(m.group()) for m in _LOOKS_15.finditer(squeezed))
    if _LOOKS_18.search(squeezed) or legacy:
        return "不得填写公民身份号码，请删除号码后重新填写（如需说明人选，请写查询需求的来文文号）"
    return None


def free_text(label: str, value, max_length: int = TEXT_MAX, *, required: bool = True) -> str:
    """``value`` cleaned, or InvalidSubmission naming ``label``: missing, too long, a refused
    character, or an ID number (the reason repeats nothing of it)."""
    try:
        text = clean(value, max_length=max_length, required=required, multiline=True)
    except InvalidText as exc:
        raise invalid(label, "请填写" + label if exc.code == "required" else exc.reason) from None
    if problem := id_number_problem(text):
        raise invalid(label, problem)
    return text
