"""The inquiry's letters as content for the documents engine: the result letter of a round
(查询结果复函), which states per candidate the name, the masked number and the result, and
nothing more (不得同时反馈查询结果以外的其他信用信息), as of the screening's date; and the letter
returning a request unanswered (退函), which names the agency and the reason and lists nobody."""

from __future__ import annotations

import datetime as dt

from gongxin.core import idnumber
from gongxin.core.dates import zh_date
from gongxin.core.docnumber import letter_citation
from gongxin.documents.content import LetterContent, Table
from gongxin.documents.models import LetterWording
from gongxin.inquiry import wording
from gongxin.inquiry.choices import CandidateResult
from gongxin.inquiry.queries import last_screening
from gongxin.inquiry.services.identity import open_subject
from gongxin.platform.sealed import checked_keyring

HEADERS = ("序号", "姓名", "公民身份号码", "查询结果")
WIDTHS_MM = (11.5, 29, 42, 73.5)  # a six-character name and the result phrase fit one line at 12 pt
MASKED_PATTERN = r"\d{6}\*+[\dX]{4}"
# Longest first: the shorter phrase is the end of the longer one.
RESULT_PATTERN = "|".join((CandidateResult.NOT_LISTED.label, CandidateResult.LISTED.label))
# get_result_display() rebuilds its lookup per call: a third of the result check of 5,000.
RESULTS = dict(CandidateResult.choices)


def result_rows(req, number: int | None = None) -> tuple[tuple[str, str, str, str], ...]:
    """What the letter of a round says per candidate: row, name, masked number, result."""
    screening = last_screening(req, number)
    if screening is None:
        return ()
    # Values, not model objects: the result check reads every row at every display, and
    # building 5,000 findings with their candidates took most of a signed request's page.
    found = screening.findings.order_by("candidate__row").values_list(
        "candidate__row", "candidate__subject_cipher", "result"
    )
    ring = checked_keyring()
    rows = []
    for row, cipher, result in found:
        name, id_number = open_subject(cipher, ring)
        rows.append((str(row), name, idnumber.mask(id_number), RESULTS[result]))
    return tuple(rows)


def unit_texts(unit) -> dict | None:
    return LetterWording.objects.filter(unit=unit).values_list("texts", flat=True).first()


def result_table(rows) -> Table:
    return Table(HEADERS, WIDTHS_MM, tuple(rows), key_column=2, value_column=3,
                 key_pattern=MASKED_PATTERN, value_pattern=RESULT_PATTERN, name_column=1,
                 row_label="第{n}号人选")  # fmt: skip


def as_of(req, number: int | None = None) -> dt.date | None:
    """The date a round's result stands on: its last screening's as-of date."""
    screening = last_screening(req, number)
    return screening.as_of if screening is not None else None


def result_letter(req, rows, *, document_number: str, dated: dt.date, code: str,
                  url: str, number: int | None = None) -> LetterContent:  # fmt: skip
    return compose(req.unit.name, req.agency.name, req.letter_number, req.kind, rows,
                   document_number=document_number, dated=dated, code=code, url=url,
                   texts=unit_texts(req.unit), as_of=as_of(req, number))  # fmt: skip


def compose(unit: str, agency: str, letter_number: str, kind: str, rows, *,
            document_number: str, dated: dt.date, code: str = "", url: str = "",
            texts: dict | None = None, as_of: dt.date | None = None) -> LetterContent:  # fmt: skip
    """The result letter from its parts (the unit's wording overrides in ``texts``); the
    results stand as of ``as_of`` (default: the letter's date)."""

    def text(key: str) -> str:
        return wording.text(key, texts, agency=agency, unit=unit,
                            letter_number=letter_citation(letter_number),
                            count=len(rows), kind=wording.KIND_WORDS.get(kind, kind),
                            as_of=zh_date(as_of or dated))  # fmt: skip

    return LetterContent(
        issuer=unit, document_number=document_number, dated=dated,
        title=text("result.title"), salutation=text("result.salutation"),
        body=text("result.body"), body_with_attachment=text("result.body_attachment"),
        closing=text("result.closing"), attachment_note=text("result.attachment"),
        attachment_title=text("result.attachment_title"),
        table=result_table(rows),
        verification_code=code, verification_url=url, note=wording.contact_note(texts),
    )  # fmt: skip


def return_letter(req, *, document_number: str, dated: dt.date, code: str = "",
                  url: str = "") -> LetterContent:  # fmt: skip
    """退函: the request's letter sent back to the agency that sent it, with the reason."""
    texts = unit_texts(req.unit)
    reason = req.return_reason.strip().rstrip("。；;，,.")

    def text(key: str) -> str:
        return wording.text(key, texts, agency=req.agency.name, unit=req.unit.name,
                            letter_number=letter_citation(req.letter_number), reason=reason,
                            kind=wording.KIND_WORDS.get(req.kind, req.kind))  # fmt: skip

    body = text("return.body")
    return LetterContent(
        issuer=req.unit.name, document_number=document_number, dated=dated,
        title=text("return.title"), salutation=text("return.salutation"), body=body,
        body_with_attachment=body, closing=text("return.closing"), attachment_note="",
        attachment_title="", table=None, verification_code=code, verification_url=url,
        note=wording.contact_note(texts),
    )  # fmt: skip
