"""Is this letter genuine? By verification code (public page) or by file (`gongxin letters
verify`). Answers say nothing about the people in the letter."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from gongxin.documents.models import LetterFile, ResultLetter
from gongxin.documents.signing import check_signature


@dataclass
class Verdict:
    ok: bool
    reasons: list[str]
    letter: ResultLetter | None = None


def letter_by_code(code: str) -> ResultLetter | None:
    code = code.strip().upper().replace(" ", "")
    if len(code) == 16:
        code = "-".join(code[i : i + 4] for i in range(0, 16, 4))
    return (ResultLetter.objects.select_related("unit", "request", "superseded_by")
            .filter(verification_code=code).first())  # fmt: skip


def superseded_note(letter: ResultLetter) -> str | None:
    newer = getattr(letter, "superseded_by", None)
    return f"本复函已被{newer.document_number}取代" if newer else None


def verify_file(data: bytes) -> Verdict:
    """Signature intact and trusted, the file is one this system issued, and still in force."""
    signature = check_signature(data)
    if not signature.ok:
        return Verdict(False, [signature.reason])
    stored = (LetterFile.objects.select_related("letter__unit")
              .filter(kind="pdf", sha256=hashlib.sha256(data).hexdigest()).first())  # fmt: skip
    if stored is None:
        return Verdict(False, [signature.reason, "该文件不是本系统签发的复函"])
    letter = stored.letter
    reasons = [signature.reason, f"{letter.unit.name} {letter.document_number}"]
    if note := superseded_note(letter):
        return Verdict(False, [*reasons, note], letter)
    return Verdict(True, reasons, letter)


def public_facts(letter: ResultLetter) -> dict:
    """What the public verification page may show: no names, no numbers of people."""
    pdf = letter.files.filter(kind="pdf").values_list("sha256", flat=True).first()
    return {
        "document_number": letter.document_number,
        "unit": letter.unit.name,
        "dated": letter.dated,
        "candidates": letter.request.candidates.count(),
        "pdf_sha256": pdf or "",
        "superseded": superseded_note(letter),
    }
