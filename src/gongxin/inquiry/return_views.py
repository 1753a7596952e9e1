"""退函 on the request page: made on the first ask (POST), then downloaded as PDF or DOCX by the
request's handler or the unit's supervisor; each making and each download is audited once."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect

from gongxin.audit.services import record
from gongxin.documents.integrity import alarm, opened
from gongxin.inquiry.document_views import FORMATS, _download
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.services.returning import make_return_letter, refusal
from gongxin.platform.errors import WorkflowError
from gongxin.platform.permissions import requires
from gongxin.platform.views import error_page


def _request(request, pk) -> InquiryRequest:
    return (InquiryRequest.objects.restrict(request.staff, "view")
            .select_related("return_letter").get_or_404(pk=pk))  # fmt: skip


def _refused(request, req, reason: str):
    return error_page(request, 409, "没有可下载的退回函", reason,
                      back=(f"/requests/{req.pk}/", "返回查询需求"))  # fmt: skip


@requires("request_return_letter")
def make(request, pk):
    """生成退回函 (once; later asks find the one made)."""
    req = _request(request, pk)
    if request.method != "POST":
        messages.info(request, "请在本页点击按钮办理")
        return redirect("request_detail", pk=req.pk)
    try:
        letter, made = make_return_letter(request.staff, req.pk)
    except WorkflowError as exc:
        messages.error(request, exc.explanation)
    else:
        messages.success(request, f"已生成退回函 {letter.document_number}" if made
                         else f"退回函 {letter.document_number} 已生成过")  # fmt: skip
    return redirect("request_detail", pk=req.pk)


@requires("request_return_letter_file")
def download(request, pk, fmt):
    """The 退函 as made (PDF signed), checked before it leaves like a result letter."""
    staff = request.staff
    req = _request(request, pk)
    if fmt not in FORMATS:
        raise Http404
    if reason := refusal(staff, req):
        return _refused(request, req, reason)
    letter = req.return_letter
    if letter is None:
        return _refused(request, req, "本件尚未生成退回函，请先在查询需求页面点击「生成退回函」")
    stored = letter.files.get(kind=fmt)
    data, problem = opened(stored)
    if problem:
        alarm(staff, req, [problem], via="download", format=fmt, kind="return")
        return error_page(request, 409, "退回函不能下载",
                          f"{letter.document_number}与生成时不一致（{problem}），已向审计管理员告警。",
                          code="result_tampered")  # fmt: skip
    record(staff, "letter.download", letter, format=fmt, kind="return")
    return _download(data, FORMATS[fmt], f"{letter.document_number}.{fmt}")


def papers(staff, req) -> dict:
    """What the request page offers besides the steps: the 反馈 record, the 退函, the 办理单."""
    from gongxin.inquiry.sheet_views import may_see

    sent = req.rounds.exclude(sent_by="").order_by("-number").first()
    return {"sent": sent, "return_letter": refusal(staff, req) is None,
            "sheet": may_see(staff, req)}  # fmt: skip
