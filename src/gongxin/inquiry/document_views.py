"""The inquiry's documents: request templates for an agency, the result letter of a signed
round, and the unit's wording of both."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from gongxin.accounts.models import RequestingAgency
from gongxin.audit.services import record
from gongxin.documents.models import LetterWording
from gongxin.documents.sealed import file_bytes
from gongxin.inquiry import wording
from gongxin.inquiry.choices import RequestKind
from gongxin.inquiry.models import Candidate, InquiryRequest
from gongxin.inquiry.request_template import build_candidate_xlsx, build_request_docx
from gongxin.inquiry.services import change_wording
from gongxin.platform.errors import InvalidSubmission
from gongxin.platform.permissions import requires

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
    record(staff, "letter.download", rnd.letter, format=fmt, round=rnd.number)
    return _download(file_bytes(stored), FORMATS[fmt], f"{rnd.letter.document_number}.{fmt}")


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
