"""The inquiry's documents: request templates for an agency, the result letter of a signed
round, and the unit's wording of both."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from gongxin.accounts.models import RequestingAgency
from gongxin.audit.services import record
from gongxin.documents.integrity import alarm, opened
from gongxin.documents.models import LetterWording
from gongxin.inquiry import result_check, wording
from gongxin.inquiry.choices import RequestKind
from gongxin.inquiry.models import Candidate, InquiryRequest
from gongxin.inquiry.request_template import build_candidate_xlsx, build_request_docx
from gongxin.inquiry.services import change_wording
from gongxin.inquiry.services.retention import PURGED
from gongxin.platform.errors import InvalidSubmission
from gongxin.platform.permissions import requires
from gongxin.platform.views import error_page

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"docx": DOCX, "pdf": "application/pdf"}


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@requires("request_templates")
def request_templates(request):
    agencies = RequestingAgency.objects.restrict(request.staff, "view").filter(active=True)
    return render(request, "inquiry/request_templates.html",
                  {"agencies": agencies, "kinds": RequestKind.choices})  # fmt: skip


@requires("request_template_file")
def request_template_file(request, fmt):
    unit = request.staff.unit
    agency = (RequestingAgency.objects.restrict(request.staff, "view")
              .filter(active=True).get_or_404(pk=request.GET.get("agency")))  # fmt: skip
    kind = request.GET.get("kind")
    if kind not in RequestKind.values or fmt not in ("docx", "xlsx"):
        raise Http404
    label = RequestKind(kind).label
    if fmt == "xlsx":
        return _download(build_candidate_xlsx(kind), XLSX, f"拟{label}人选名单.xlsx")
    overrides = LetterWording.objects.filter(unit=unit).values_list("texts", flat=True).first()
    data = build_request_docx(unit, agency.name, kind, overrides)
    return _download(data, DOCX, f"{agency.name}查询需求函.docx")


@requires("request_letter")
def request_letter(request, pk, fmt):
    """A round's letter exactly as checked and fixed at signing (default: the latest round's)."""
    staff = request.staff
    req = InquiryRequest.objects.restrict(staff, "view").get_or_404(pk=pk)
    if (
        fmt not in FORMATS
        or not Candidate.objects.restrict(staff, "view").filter(request=req).exists()
    ):
        raise Http404
    rounds = req.rounds.filter(letter__isnull=False).select_related("letter")
    raw = request.GET.get("round", "")
    rnd = (rounds.filter(number=int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 5
           else rounds.order_by("-number") if not raw else rounds.none()).first()  # fmt: skip
    if rnd is None:
        raise Http404
    stored = rnd.letter.files.filter(kind=fmt).first()
    if stored is None:
        raise Http404
    letter = rnd.letter
    if stored.purged_at is not None:
        return error_page(request, 410, "复函文件已清除",
                          f"{letter.document_number}所列人选信息{PURGED}，复函文件已删除；"
                          f"文号、验证码和文件摘要（SHA-256 {stored.sha256}）保留。")  # fmt: skip
    # Signed results cannot change silently: the results still give the signed digest, and the
    # file is the one signed. Otherwise no file leaves, and the auditor is alarmed.
    problems = [f"第{rnd.number}轮{p}" for p in result_check.round_problems(req, rnd)]
    data, file_problem = opened(stored)
    if problems or file_problem:
        problems += [file_problem] if file_problem else []
        alarm(staff, req, problems, via="download", rounds=[rnd.number], format=fmt)
        return error_page(request, 409, "复函不能下载",
                          f"{letter.document_number}与签发时固定的内容不一致（{'；'.join(problems)}）："
                          "签发后数据被改动。为防止发出错误的查询结果，已停止下载，并已向审计管理员"
                          "告警。请立即报告安全管理员。", code="result_tampered")  # fmt: skip
    record(staff, "letter.download", letter, format=fmt, round=rnd.number)
    return _download(data, FORMATS[fmt], f"{letter.document_number}.{fmt}")


@requires("wording")
def wording_page(request):
    """A sysadmin adjusts the unit's document wording; blank restores the default."""
    problems = []
    if request.method == "POST":
        try:
            change_wording(request.staff, request.POST)
        except InvalidSubmission as exc:
            problems = exc.problems
        else:
            messages.success(request, "公文措辞已保存，此后生成的公文使用新措辞")
            return redirect("wording")
    stored = LetterWording.objects.filter(unit=request.staff.unit).first()
    saved = stored.texts if stored else {}
    current = {**wording.DEFAULTS, **saved, **{k: v for k, v in request.POST.items()
                                               if k in wording.DEFAULTS}}  # fmt: skip
    fields = [(key, wording.LABELS[key], current[key], key in saved)
              for key in wording.DEFAULTS]  # fmt: skip
    return render(request, "inquiry/wording.html", {"fields": fields, "problems": problems})
