"""Downloads: the request templates for an agency, and a signed request's result letter."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from gongxin.accounts.models import RequestingAgency
from gongxin.audit.services import record
from gongxin.documents import wording
from gongxin.documents.models import LetterWording, ResultLetter
from gongxin.documents.request_template import build_candidate_xlsx, build_request_docx
from gongxin.documents.verification import letter_by_code, public_facts
from gongxin.inquiry.choices import RequestKind
from gongxin.inquiry.errors import FieldProblem
from gongxin.inquiry.scope import can_see_candidates, request_or_404
from gongxin.permissions import requires

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@requires("request_templates")
def request_templates(request):
    agencies = RequestingAgency.objects.filter(unit=request.staff.unit, active=True)
    return render(request, "documents/request_templates.html",
                  {"agencies": agencies, "kinds": RequestKind.choices})  # fmt: skip


@requires("request_template_file")
def request_template_file(request, fmt):
    unit = request.staff.unit
    try:
        agency = RequestingAgency.objects.get(pk=request.GET.get("agency"), unit=unit)
    except (RequestingAgency.DoesNotExist, ValueError):
        raise Http404 from None
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
    """The letter exactly as checked and fixed at signing."""
    staff = request.staff
    req = request_or_404(staff, pk)
    letter = ResultLetter.objects.filter(request=req, superseded_by__isnull=True).first()
    if letter is None or fmt not in ("docx", "pdf") or not can_see_candidates(staff, req):
        raise Http404
    stored = letter.files.filter(kind=fmt).first()
    if stored is None:
        raise Http404
    record(staff, "letter.download", letter, format=fmt)
    content_type = DOCX if fmt == "docx" else "application/pdf"
    return _download(bytes(stored.data), content_type, f"{letter.document_number}.{fmt}")


@requires("verify")
def verify(request):
    """Public: a form for the verification code printed on a letter."""
    if typed := request.GET.get("code", "").strip():
        return redirect("verify_code", code=typed.upper())
    return render(request, "documents/verify.html", {})


@requires("verify_code")
def verify_code(request, code):
    """Public: confirms a letter from its verification code, with no personal data."""
    letter = letter_by_code(code)
    context = {"code": code, "facts": public_facts(letter) if letter else None}
    return render(request, "documents/verify.html", context, status=200 if letter else 404)


@requires("wording")
def wording_page(request):
    """A sysadmin adjusts the unit's document wording; blank restores the default."""
    unit = request.staff.unit
    stored, _ = LetterWording.objects.get_or_create(unit=unit)
    problems = []
    if request.method == "POST":
        texts = {}
        for key in wording.DEFAULTS:
            value = request.POST.get(key, "").strip()
            if value and value != wording.DEFAULTS[key]:
                if reason := wording.problem_with(value):
                    problems.append(FieldProblem(wording.LABELS[key], reason))
                texts[key] = value
        if not problems:
            stored.texts = texts
            stored.save(update_fields=["texts"])
            record(request.staff, "wording.change", stored, keys=sorted(texts))
            messages.success(request, "公文措辞已保存，此后生成的公文使用新措辞")
            return redirect("wording")
    current = {**wording.DEFAULTS, **stored.texts, **{k: v for k, v in request.POST.items()
                                                      if k in wording.DEFAULTS}}  # fmt: skip
    fields = [(key, wording.LABELS[key], current[key], key in stored.texts)
              for key in wording.DEFAULTS]  # fmt: skip
    return render(request, "documents/wording.html", {"fields": fields, "problems": problems})
