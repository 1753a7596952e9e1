"""Drawing up and issuing a 通报: the figures of the chosen period put into words
(gongxin.supervision.reports) and through the documents engine — a draft (no number, marked
草稿) to read or edit, or a numbered, read-back and signed PDF stored as a Letter of kind
「通报」 from the unit's one sequence of numbers."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction

from gongxin.accounts.choices import UnitLevel
from gongxin.accounts.models import PlatformUnit
from gongxin.audit.models import AuditEvent
from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.documents.content import ReportContent
from gongxin.documents.models import Letter, LetterWording
from gongxin.documents.services import (
    DRAFT_NUMBER,
    NumberTaken,
    allocate,
    document_number,
    new_verification_code,
    next_number,
    render,
    render_draft,
    render_draft_docx,
    verification_url,
)
from gongxin.inquiry.wording import contact_note
from gongxin.supervision import charts
from gongxin.supervision import figures as source
from gongxin.supervision.figures import Figures
from gongxin.supervision.reports import UNIT, ReportSpec, national_report, unit_report

ATTEMPTS = 3  # renders before giving up when others keep taking the next number


class ReportBusy(Exception):
    """Other letters kept taking the number the report was rendered with."""


def report_chart(figures: Figures) -> bytes | None:
    """The chart printed in the report (PNG): the requests month by month, issued within the
    limit, late or not issued — the statistics page's own chart; None when nothing was received."""
    return charts.monthly_chart(figures, "png") if figures.requests else None


def compose(staff, spec: ReportSpec, *, number: str, dated: dt.date,
            verification: tuple[str, str] = ("", "")) -> ReportContent:  # fmt: skip
    """The report ``staff`` draws up for ``spec`` (the caller has asked reports.may_report)."""
    unit = staff.unit
    texts = LetterWording.objects.filter(unit=unit).values_list("texts", flat=True).first()
    frame = {"document_number": number, "dated": dated, "note": contact_note(texts),
             "verification": verification}  # fmt: skip
    if spec.kind == UNIT:
        figures = source.unit_figures([unit], spec.period)
        return unit_report(unit, spec, figures, report_chart(figures), **frame)
    provinces = list(PlatformUnit.objects.filter(level=UnitLevel.PROVINCIAL).order_by("code"))
    total, per_unit = source.national(provinces, spec.period)
    names = {p.code: p.name for p in provinces}
    return national_report(unit, spec, total, per_unit, names, report_chart(total), **frame)


def draft(staff, spec: ReportSpec, fmt: str) -> bytes:
    """The report as a draft DOCX or PDF, dated today, without a number; recorded once."""
    dated = clock.today()
    number = document_number(staff.unit.letter_prefix, dated.year, DRAFT_NUMBER)
    content = compose(staff, spec, number=number, dated=dated)
    data = render_draft_docx(content) if fmt == "docx" else render_draft(content)
    with transaction.atomic():
        record(staff, "supervision.report_download", staff.unit, format=fmt, **_detail(spec))
    return data


def issue(staff, spec: ReportSpec, *, within=None) -> tuple[Letter, bytes]:
    """签发: number, read back, sign and store the report; returns the letter and its signed PDF.
    Run by the worker (gongxin.supervision.exports), ``within(letter)`` runs inside the
    signing transaction (the job marked done with it: gongxin.platform.background).

    Rendered outside the transaction (slow), with the number it will most likely take; if
    another letter takes it first, rendered again. Raises documents.services.ResultCheckFailed,
    documents.signing.SigningUnavailable or ReportBusy; then nothing is stored or numbered."""
    unit = staff.unit
    for _ in range(ATTEMPTS):
        dated = clock.today()
        number = next_number(unit, dated.year)
        code = new_verification_code()
        numbered = document_number(unit.letter_prefix, dated.year, number)
        content = compose(staff, spec, number=numbered, dated=dated,
                          verification=(code, verification_url(code)))  # fmt: skip
        rendered = render(content, number, unit.code)
        try:
            with transaction.atomic():
                letter = allocate(unit, rendered, digest(content), kind="report")
                record(staff, "supervision.report_issue", letter,
                       document_number=letter.document_number,
                       **_detail(spec))  # fmt: skip
                if within is not None:
                    within(letter)
            return letter, rendered.pdf
        except NumberTaken:
            continue
    raise ReportBusy


def digest(content: ReportContent) -> str:
    """What the report states (its facts and table cells), as the letter's 结果摘要值."""
    cells = [cell for grid in content.grids() for cells in grid.rows for cell in cells]
    return hashlib.sha256("\n".join((*content.facts, *cells)).encode()).hexdigest()


def _detail(spec: ReportSpec) -> dict:
    return {
        "report_kind": spec.kind,
        "period": f"{spec.period.start.isoformat()}~{spec.period.end.isoformat()}",
    }


def issued(staff, most: int = 20) -> list[Letter]:
    """The unit's latest issued 通报 the person may see, each with ``period`` as recorded at
    签发 (「2026-01-01 至 2026-03-31」; the letter itself does not carry it)."""
    letters = list(Letter.objects.restrict(staff, "view").filter(kind="report")[:most])
    periods = dict(AuditEvent.objects.filter(
        action="supervision.report_issue", object_id__in=[str(x.pk) for x in letters],
    ).values_list("object_id", "detail__period"))  # fmt: skip
    for letter in letters:
        start, _, end = (periods.get(str(letter.pk)) or "").partition("~")
        letter.period = f"{start} 至 {end}" if end else ""
    return letters
