"""指派: the supervisor names a request's handler by hand, with a reason, when no draw can be
made (everyone eligible recused, untrained or inactive at the time) or the handler drawn is away.
The person appointed must be one a draw could pick (rules.appointable: the same MAY_BE_DRAWN
rule as the draw), checked again here under the request's lock; the step is audited once, with
the reason and the old and new handler."""

from __future__ import annotations

from gongxin.accounts.models import Staff
from gongxin.audit.services import record
from gongxin.core.text import InvalidText, clean
from gongxin.inquiry.choices import RequestState
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.rules import MAY_BE_DRAWN, MAY_HANDLE, appointable, forget
from gongxin.inquiry.services.actions import act
from gongxin.platform.errors import WorkflowError, invalid
from gongxin.platform.roles import Role

REASON_MAX = 300


def why_not(person: Staff | None, req: InquiryRequest) -> str:
    """Why ``person`` may not be appointed handler of ``req`` (the rules' reason, in words
    that fit an appointment)."""
    if person is None or person.unit_id != req.unit_id:
        return "所选人员不是本单位的经办人"
    if person.pk == req.handler_id:
        return f"{person.full_name}已是本件的经办人"
    if reason := MAY_HANDLE(person, req):
        return f"不能指派{person.full_name}：{reason}"
    if MAY_BE_DRAWN[Role.HANDLER](person, req):
        return f"不能指派{person.full_name}：本件（含以往各轮）的复核人、签发人不能担任经办人"
    return f"不能指派{person.full_name}"


def appoint(actor, request_id: int, handler_id, reason: str) -> Staff:
    """指派 ``handler_id`` as the handler of the request; the person appointed."""
    try:
        reason = clean(reason, max_length=REASON_MAX, required=True)
    except InvalidText as exc:
        said = "请填写指派理由" if exc.code == "required" else exc.reason
        raise invalid("指派理由", said) from None
    with act(actor, request_id, "appoint") as req:
        chosen = next((s for s in appointable(req) if str(s.pk) == str(handler_id)), None)
        if chosen is None:
            person = Staff.objects.filter(pk=handler_id).first() if str(handler_id).isdigit() \
                else None  # fmt: skip
            raise WorkflowError("not_eligible", why_not(person, req))
        replaced = req.handler_id
        req.handler = chosen
        if req.state == RequestState.RECEIVED:
            req.state = RequestState.ASSIGNED
        req.save(update_fields=["handler", "state"])
        record(actor, "request.appoint", req, round=req.round, role=Role.HANDLER,
               appointed=chosen.pk, replaced=replaced, reason=reason)  # fmt: skip
        forget(req)
    return chosen
