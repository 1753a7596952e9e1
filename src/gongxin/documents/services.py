"""Giving letters their numbers, and (next) rendering, checking and signing them."""

from __future__ import annotations

import datetime as dt
import secrets

from gongxin.core import idnumber
from gongxin.documents.models import LetterSequence, ResultLetter


def document_number(prefix: str, year: int, number: int) -> str:
    """京信用函〔2026〕12号: year in 〔〕, no leading zeros (GB/T 9704 §7.2.4)."""
    return f"{prefix}〔{year}〕{number}号"


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_verification_code() -> str:
    """16 random characters in groups of four: 80 bits, easy to read out over the phone."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def verification_url(code: str) -> str:
    from django.conf import settings

    return f"{settings.PUBLIC_URL}/verify/{code}/"


def allocate_letter(req, dated: dt.date, digest: str, supersedes=None) -> ResultLetter:
    """The next number of the unit's year, taken under the sequence row's lock.

    Must run inside the signing transaction: if signing fails, the number is not used, so the
    year's numbers have no gaps.
    """
    LetterSequence.objects.get_or_create(unit=req.unit, year=dated.year)
    seq = LetterSequence.objects.select_for_update().get(unit=req.unit, year=dated.year)
    seq.last_number += 1
    seq.save(update_fields=["last_number"])
    return ResultLetter.objects.create(
        request=req, unit=req.unit, year=dated.year, number=seq.last_number,
        document_number=document_number(req.unit.letter_prefix, dated.year, seq.last_number),
        dated=dated, digest=digest, supersedes=supersedes,
        verification_code=new_verification_code(),
    )  # fmt: skip


def letter_rows(req) -> tuple:
    """What the letter says per candidate, and nothing more: name, masked number, result."""
    from gongxin.documents.docx_letter import LetterRow
    from gongxin.inquiry.services import candidate_identity

    rows = []
    for c in req.candidates.order_by("row"):
        name, number = candidate_identity(c)
        rows.append(LetterRow(c.row, name, idnumber.mask(number), c.get_result_display()))
    return tuple(rows)


def letter_content(letter: ResultLetter):
    """The whole letter: rows, wording, number, date, verification code."""
    from gongxin.documents.docx_letter import LetterContent
    from gongxin.documents.models import LetterWording

    req = letter.request
    texts = LetterWording.objects.filter(unit=req.unit).values_list("texts", flat=True).first()
    return LetterContent(
        unit_name=req.unit.name, document_number=letter.document_number,
        agency_name=req.agency.name, letter_number=req.letter_number, kind=req.kind,
        dated=letter.dated, rows=letter_rows(req), texts=texts,
        verification_code=letter.verification_code,
        verification_url=verification_url(letter.verification_code),
    )  # fmt: skip


class ResultCheckFailed(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def render_and_check(letter: ResultLetter) -> None:
    """Render DOCX and PDF, read both back, compare with the approved results, sign the PDF,
    store both.

    Runs inside the signing transaction: a difference raises ResultCheckFailed and nothing
    (letter number included) is kept.
    """
    import hashlib

    from gongxin.documents import docx_letter, pdf_letter
    from gongxin.documents.check import differences
    from gongxin.documents.models import LetterFile
    from gongxin.documents.signing import sign

    content = letter_content(letter)
    docx, pdf = docx_letter.build(content), pdf_letter.build(content)
    if problems := differences(content, docx, pdf):
        raise ResultCheckFailed(problems)
    pdf = sign(pdf, letter.unit.code)  # the faithful copy carries the unit's signature
    for kind, data in (("docx", docx), ("pdf", pdf)):
        LetterFile.objects.create(letter=letter, kind=kind, data=data,
                                  sha256=hashlib.sha256(data).hexdigest())  # fmt: skip
