"""更正 after issue: a new round of screening, review and sign-off, whose letter supersedes the
issued one. The earlier rounds stay exactly as they were: their screenings, findings, matches,
reviews, draws and letters are kept and shown."""

from __future__ import annotations

from gongxin.audit.services import record
from gongxin.core.text import InvalidText, clean
from gongxin.inquiry.choices import RequestState
from gongxin.inquiry.models import InquiryRequest, Round
from gongxin.inquiry.services.actions import act
from gongxin.platform.errors import invalid

REASON_MAX = Round._meta.get_field("reason").max_length


def correct(actor, request_id: int, reason: str) -> InquiryRequest:
    """更正 an issued request, with the reason: round n+1 opens with the same handler, to be
    screened, reviewed and signed again (the draws are new)."""
    try:
        reason = clean(reason, max_length=REASON_MAX, required=True)
    except InvalidText as exc:
        raise invalid(
            "更正原因", "请填写更正原因" if exc.code == "required" else exc.reason
        ) from None
    with act(actor, request_id, "correct") as req:
        req.round += 1
        Round.objects.create(request=req, number=req.round, reason=reason, opened_by=actor)
        req.state, req.closed_at = RequestState.ASSIGNED, None  # open again
        req.save(update_fields=["round", "state", "closed_at"])
        record(actor, "request.correct", req, round=req.round)
    return req
