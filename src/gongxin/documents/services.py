"""Issuing a letter: render, read back, sign (slow, outside any lock), then number and store
(fast, inside the product's signing transaction).

Letter numbers run per unit per year without gaps because they are taken under the sequence
row's lock inside the signing transaction. The letter shows its number, so it is rendered with
the number it will most likely get (``next_number``); ``allocate`` accepts the prepared files only
if that is still the number it takes, and otherwise says so (``NumberTaken``) and the product
renders again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings

from gongxin.documents.content import LetterContent, ReportContent
from gongxin.documents.models import Letter, LetterFile, LetterSequence
from gongxin.documents.sealed import seal

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def document_number(prefix: str, year: int, number: int) -> str:
    """京信用函〔2026〕12号: year in 〔〕, no leading zeros (GB/T 9704 §7.2.4)."""
    return f"{prefix}〔{year}〕{number}号"


def new_verification_code() -> str:
    """16 random characters in groups of four: 80 bits, easy to read out over the phone."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def verification_url(code: str) -> str:
    return f"{settings.PUBLIC_URL}/verify/{code}/"


def next_number(unit, year: int) -> int:
    """The number the unit's next letter of ``year`` will get if nobody signs first."""
    last = (
        LetterSequence.objects.filter(unit=unit, year=year)
        .values_list("last_number", flat=True)
        .first()
    )
    return (last or 0) + 1


class ResultCheckFailed(Exception):
    """The rendered files do not say what the letter must say (结果核对)."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


class NumberTaken(Exception):
    """Another letter took the number the files were rendered with: render again."""


@dataclass(frozen=True)
class Rendered:
    """Files checked against their content; the PDF signed. Not yet a letter."""

    content: LetterContent
    number: int
    docx: bytes
    pdf: bytes


def engines(content: LetterContent | ReportContent):
    """The DOCX and PDF builders and the read-back for a letter or a report."""
    from gongxin.documents import check, docx_letter, docx_report, pdf_letter, pdf_report

    if isinstance(content, ReportContent):
        return docx_report, pdf_report, check.report_differences
    return docx_letter, pdf_letter, check.differences


def render(content: LetterContent | ReportContent, number: int, unit_code: str) -> Rendered:
    """Render DOCX and PDF, read both back (结果核对), sign the PDF with the unit's certificate.

    Slow for large letters: call it outside any transaction. Raises ResultCheckFailed, or
    signing.SigningUnavailable when the unit has no certificate.
    """
    from gongxin.documents.signing import sign

    if problems := content.unprintable():
        raise ResultCheckFailed(problems)
    docx_engine, pdf_engine, differences = engines(content)
    docx, pdf = docx_engine.build(content), pdf_engine.build(content)
    if problems := differences(content, docx, pdf):
        raise ResultCheckFailed(problems)
    return Rendered(content, number, docx, sign(pdf, unit_code))


DRAFT_NUMBER = "　　"  # a draft takes no number: the blank the signed letter's number fills


def render_draft(content: LetterContent | ReportContent) -> bytes:
    """The PDF a signer reads before signing: laid out as ``render`` lays out the letter, marked
    「草稿·未签发」 on every page, and neither read back nor signed (it is not a letter)."""
    return engines(content)[1].build(content, draft=True)


def render_draft_docx(content: ReportContent) -> bytes:
    """A report's editable draft (DOCX): for the unit to edit before its own issue process;
    marked 「草稿·未签发」, without a number (``DRAFT_NUMBER``), not read back, not signed."""
    return engines(content)[0].build(content, draft=True)


def allocate(
    unit, rendered: Rendered, digest: str, supersedes_id: int | None = None, kind: str = "result"
) -> Letter:
    """Take the unit's next number for the letter's year and store the rendered files.

    Must run inside the signing transaction (a failure there leaves no number used). Raises
    NumberTaken when the next number is not the one the files show.
    """
    dated = rendered.content.dated
    LetterSequence.objects.get_or_create(unit=unit, year=dated.year)
    seq = LetterSequence.objects.select_for_update().get(unit=unit, year=dated.year)
    number = seq.last_number + 1
    if number != rendered.number:
        raise NumberTaken
    seq.last_number = number
    seq.save(update_fields=["last_number"])
    letter = Letter.objects.create(
        unit=unit, year=dated.year, number=number,
        document_number=rendered.content.document_number, dated=dated, digest=digest,
        verification_code=rendered.content.verification_code,
        item_count=len(rendered.content.rows), supersedes_id=supersedes_id, kind=kind,
    )  # fmt: skip
    for kind, data in (("docx", rendered.docx), ("pdf", rendered.pdf)):
        LetterFile.objects.create(letter=letter, kind=kind, sha256=hashlib.sha256(data).hexdigest(),
                                  **seal(data))  # fmt: skip
    return letter
