"""退函: the letter that returns a request unanswered (GB/T 9704 函, through the documents
engine): numbered from the unit's one sequence, addressed to the agency that sent the request,
with the reason. Made once, when the handler (or a supervisor) first asks for it; later
downloads give the same files."""

from __future__ import annotations

import hashlib
import json

from django.db import transaction

from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.documents.services import (
    NumberTaken,
    ResultCheckFailed,
    allocate,
    document_number,
    new_verification_code,
    next_number,
    render,
    verification_url,
)
from gongxin.documents.signing import SigningUnavailable
from gongxin.inquiry.choices import RequestState
from gongxin.inquiry.letters import return_letter
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.rules import MAY_RETURN_LETTER
from gongxin.platform.errors import WorkflowError

ATTEMPTS = 3


def refusal(staff, req: InquiryRequest) -> str | None:
    """Why ``staff`` may not have the 退函 of ``req`` (None: they may)."""
    if req.state != RequestState.RETURNED:
        return "本件未退回，没有退回函"
    return MAY_RETURN_LETTER(staff, req)


def return_digest(req: InquiryRequest) -> str:
    """What the 退函 says, as a digest: request, agency, its letter and the reason."""
    content = {"request": req.pk, "agency": req.agency_id, "letter_number": req.letter_number,
               "reason": req.return_reason}  # fmt: skip
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def make_return_letter(actor, request_id: int):
    """The request's 退函, made now if it has none (rendered outside the lock, numbered and
    stored inside it, one audit event); returns (letter, made)."""
    for _ in range(ATTEMPTS):
        req = InquiryRequest.objects.select_related("unit", "agency").get(pk=request_id)
        if req.return_letter_id is not None:
            return req.return_letter, False
        if reason := refusal(actor, req):
            raise WorkflowError("forbidden", reason)
        dated = clock.today()
        number = next_number(req.unit, dated.year)
        code = new_verification_code()
        content = return_letter(req, dated=dated, code=code, url=verification_url(code),
                                document_number=document_number(req.unit.letter_prefix,
                                                                dated.year, number))  # fmt: skip
        try:
            rendered = render(content, number, req.unit.code)
        except ResultCheckFailed as exc:
            raise WorkflowError("result_check", "退回函核对不一致：" + str(exc)) from None
        except SigningUnavailable as exc:
            raise WorkflowError("no_certificate", str(exc)) from None
        try:
            with transaction.atomic():
                locked = InquiryRequest.objects.select_for_update().get(pk=request_id)
                if locked.return_letter_id is not None:  # someone else made it meanwhile
                    return locked.return_letter, False
                if locked.return_reason != req.return_reason or clock.today() != dated:
                    continue
                letter = allocate(req.unit, rendered, return_digest(locked), kind="return")
                locked.return_letter = letter
                locked.save(update_fields=["return_letter"])
                record(actor, "letter.return_letter", locked, letter=letter.document_number)
                return letter, True
        except NumberTaken:
            continue
    raise WorkflowError("busy", "生成退回函时发文编号发生变化，请重试")
