"""签发前核对: the draft letter the drawn signer (and the supervisor) reads before signing or
sending the round back for review. Its routes are in the permission map like every other;
who may read a draft of which request is the rules' (rules.draft_refusal)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header

from gongxin.audit.services import record
from gongxin.core.crypto import DecryptionError
from gongxin.inquiry.draft import draft_pdf
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.rules import draft_refusal
from gongxin.platform.permissions import requires
from gongxin.platform.views import error_page

STATUS = {"forbidden": 403, "wrong_state": 409, "purged": 410}


@requires("request_draft")
def request_draft(request, pk):
    """The draft PDF, shown in the browser (inline); one view of personal data, recorded."""
    staff = request.staff
    req = InquiryRequest.objects.restrict(staff, "view").select_related("unit", "agency")
    req = req.get_or_404(pk=pk)
    back = (reverse("request_detail", args=[req.pk]), "返回查询需求")
    if refused := draft_refusal(staff, req):
        code, message = refused
        if code == "not_found":
            return error_page(request, 404, "查询需求不存在", message)
        return error_page(request, STATUS[code], "不能查看复函草稿", message, code=code, back=back)
    try:
        data = draft_pdf(req)
    except DecryptionError:
        return error_page(request, 409, "不能生成复函草稿",
                          "人选信息的密文被改动，无法生成复函草稿。请立即报告安全管理员。",
                          code="tampered", back=back)  # fmt: skip
    record(staff, "request.view_draft", req, round=req.round)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"复函草稿-{req.pk}-第{req.round}轮.pdf"
    )
    response["Cache-Control"] = "no-store"
    return response
