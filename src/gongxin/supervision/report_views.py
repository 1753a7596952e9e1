"""通报 pages: choose the kind, the period and the addressee; download a draft (DOCX or PDF,
marked 草稿, no number) or 签发 a numbered, signed PDF. The routes are the permission map's
(supervisor); which kinds a person may draw up is reports.may_report's (the national report:
the national center's supervisors only — anyone else asking for it is answered 404)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.dates import zh_date
from gongxin.core.text import InvalidText, clean
from gongxin.documents.integrity import opened
from gongxin.documents.models import Letter
from gongxin.documents.services import ResultCheckFailed
from gongxin.documents.signing import SigningUnavailable
from gongxin.platform import background
from gongxin.platform.permissions import requires
from gongxin.platform.views import error_page
from gongxin.supervision import exports, report_services
from gongxin.supervision.figures import Period
from gongxin.supervision.reports import (
    KINDS,
    NATIONAL,
    UNIT,
    ReportSpec,
    default_addressee,
    may_report,
    period_words,
)

LONGEST = 366  # days: a report covers at most a year
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf"}  # fmt: skip


def last_quarter(today: dt.date) -> Period:
    first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first - dt.timedelta(days=1)
    return Period(dt.date(end.year, end.month - 2, 1), end)


DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})  # what type=date reads


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="通报类别", choices=list(KINDS.items()), initial=UNIT, widget=forms.RadioSelect,
        error_messages={"required": "请选择通报类别", "invalid_choice": "没有这种通报"},
    )  # fmt: skip
    start = forms.DateField(label="统计起始日期", widget=DATE, error_messages={
        "required": "请填写统计起始日期",
        "invalid": "统计起始日期应为日期，如 2026-01-01"})  # fmt: skip
    end = forms.DateField(label="统计截止日期", widget=DATE, error_messages={
        "required": "请填写统计截止日期",
        "invalid": "统计截止日期应为日期，如 2026-03-31"})  # fmt: skip
    addressee = forms.CharField(
        label="主送机关", required=False, max_length=60,
        help_text="不填时：本单位通报主送本地区公务员主管部门，各省通报主送"
                  "「各省、自治区、直辖市公共信用信息中心」。",
        error_messages={"max_length": "主送机关不能超过 60 个字"},
    )  # fmt: skip
    confirmed = forms.BooleanField(
        label="已核对草稿，确认签发", required=False,
        help_text="签发时占用本单位下一个发文字号并加盖数字签名，签发后不能撤回；下载草稿不需勾选。",
    )  # fmt: skip

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = getattr(staff, "unit", None)
        if staff is not None and not may_report(staff, NATIONAL):
            self.fields["kind"].choices = [(UNIT, KINDS[UNIT])]
            own = default_addressee(self.unit, UNIT)
            self.fields["addressee"].help_text = f"不填时主送「{own}」。"

    def clean_addressee(self) -> str:
        try:
            return clean(self.cleaned_data.get("addressee", ""), max_length=60)
        except InvalidText as exc:
            raise forms.ValidationError(f"主送机关{exc.reason}") from None

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        today = clock.today()
        if end is not None and end > today:
            self.add_error("end", f"统计截止日期不能晚于今天（{zh_date(today)}）")
        elif start is not None and end is not None:
            if end < start:
                self.add_error("end", "统计截止日期不能早于起始日期")
            elif (end - start).days >= LONGEST:
                self.add_error("start", "统计期间不能超过一年")
        return data

    def spec(self) -> ReportSpec:
        data = self.cleaned_data
        kind = data["kind"]
        return ReportSpec(kind, Period(data["start"], data["end"]),
                          data["addressee"] or default_addressee(self.unit, kind))  # fmt: skip


def _page(request, form, status=200):
    issued = report_services.issued(request.staff)
    return render(request, "supervision/reports_page.html",
                  {"form": form, "issued": issued}, status=status)  # fmt: skip


def _chosen(request, data, *, issuing=False):
    """The validated spec, or the page with the problems beside their fields (400). A kind
    the person may not draw up is answered as if it did not exist (404). Issuing needs the
    confirmation ticked."""
    if data.get("kind") == NATIONAL and not may_report(request.staff, NATIONAL):
        raise Http404
    form = ReportForm(data, staff=request.staff)
    if form.is_valid() and issuing and not form.cleaned_data["confirmed"]:
        form.add_error("confirmed", "签发前请核对草稿并勾选确认")
    if not form.is_valid():
        return None, _page(request, form, status=400)
    return form.spec(), None


def _file(data: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=MIME[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{fmt}")
    response["Cache-Control"] = "no-store"
    return response


@requires("supervision_reports")
def reports(request):
    """The form, with last quarter chosen, and the reports the unit has issued; with
    ``?job=N``, the progress of a 签发 the worker runs (a report on many requests)."""
    if "job" in request.GET:
        return background.page(request, exports.REPORT)
    period = last_quarter(clock.today())
    form = ReportForm(staff=request.staff,
                      initial={"kind": UNIT, "start": period.start, "end": period.end})  # fmt: skip
    return _page(request, form)


def _draft(request, fmt: str):
    spec, refused = _chosen(request, request.GET)
    if refused is not None:
        return refused
    data = report_services.draft(request.staff, spec, fmt)
    return _file(data, fmt, f"通报草稿-{period_words(spec.period)}")


@requires("supervision_report_docx")
def report_docx(request):
    """The draft as DOCX: for the unit to edit in its own issue process."""
    return _draft(request, "docx")


@requires("supervision_report_pdf")
def report_pdf(request):
    """The draft as PDF: the layout the signed report will have, marked 草稿, without number."""
    return _draft(request, "pdf")


@requires("supervision_report_issue")
@require_POST
def report_issue(request):
    """签发: the numbered, signed PDF, stored as a letter of the unit; then back to the page, which
    lists it for download (a reload does not issue it again)."""
    spec, refused = _chosen(request, request.POST, issuing=True)
    if refused is not None:
        return refused
    if exports.report_size(request.staff, spec) >= settings.GONGXIN_BACKGROUND_EXPORT_FROM:
        return background.queue(request, exports.REPORT, exports.report_params(spec), total=1,
                                to=reverse("supervision_reports"))  # fmt: skip
    try:
        letter, _ = report_services.issue(request.staff, spec)
    except (ResultCheckFailed, SigningUnavailable, report_services.ReportBusy) as exc:
        message = {ResultCheckFailed: "；".join(getattr(exc, "problems", [])),
                   SigningUnavailable: str(exc),
                   report_services.ReportBusy: "发文编号被其他公文占用，请重试"}  # fmt: skip
        message = message[type(exc)]
        return error_page(request, 409, "通报未签发", message or "未能签发",
                          back=(reverse("supervision_reports"), "返回通报"))  # fmt: skip
    messages.success(request, f"已签发{letter.document_number}：可在下方「已签发的通报」中下载")
    return redirect("supervision_reports")  # the form is not posted twice by a reload


@requires("supervision_report_file")
def report_file(request, pk: int):
    """An issued 通报 as it was signed (the stored PDF, checked against its digest), to the
    unit's supervisors; each download recorded once."""
    letter = Letter.objects.restrict(request.staff, "view").filter(kind="report").get_or_404(pk=pk)
    stored = letter.files.filter(kind="pdf").first()
    if stored is None:
        raise Http404
    data, problem = opened(stored)
    if problem:
        return error_page(request, 409, "通报不能下载", problem,
                          back=(reverse("supervision_reports"), "返回通报"))  # fmt: skip
    record(request.staff, "supervision.report_download", letter, format="pdf",
           document_number=letter.document_number)  # fmt: skip
    return _file(data, "pdf", letter.document_number)
