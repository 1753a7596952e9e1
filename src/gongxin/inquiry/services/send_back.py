"""退回复核: the signer, having read the draft letter, disagrees with the results and sends the
round back for review with a reason (decision 0012).

The request returns to review in the same round. The results the reviews decided are cleared;
the reviews given are kept and set aside (they no longer count, and are shown as such); the
round's drawn reviewers review the matched candidates again, and a disagreement draws a third
as before. Candidates without a match keep their result. The signer stays drawn.
"""

from __future__ import annotations

from gongxin.audit.services import record
from gongxin.core.matching import MatchClass
from gongxin.core.text import InvalidText, clean
from gongxin.inquiry.choices import RequestState
from gongxin.inquiry.models import Review, SendBack
from gongxin.inquiry.queries import last_screening
from gongxin.inquiry.services.actions import act
from gongxin.inquiry.services.draws import draw_if_needed
from gongxin.platform.errors import invalid

REASON_MAX = SendBack._meta.get_field("reason").max_length


def send_back(actor, request_id: int, reason: str) -> SendBack:
    """退回复核 of the round awaiting sign-off; the reason is required."""
    try:
        reason = clean(reason, max_length=REASON_MAX, required=True, multiline=True)
    except InvalidText as exc:
        raise invalid("退回原因", "请填写退回复核的原因" if exc.code == "required"
                      else exc.reason) from None  # fmt: skip
    with act(actor, request_id, "send_back") as req:
        sent = SendBack.objects.create(request=req, round=req.round, reason=reason,
                                       sent_by=actor)  # fmt: skip
        matched = last_screening(req).findings.exclude(match=MatchClass.NONE)
        candidates = list(matched.values_list("candidate", flat=True))
        set_aside = Review.objects.filter(candidate__in=candidates, round=req.round,
                                          set_aside_by=None).update(set_aside_by=sent)  # fmt: skip
        matched.update(result="", result_reason="")
        req.state = RequestState.IN_REVIEW
        req.save(update_fields=["state"])
        record(actor, "request.send_back", req, round=req.round, send_back=sent.pk,
               candidates=len(candidates), reviews=set_aside)  # fmt: skip
        draw_if_needed(actor, req)  # a reviewer who can no longer act is replaced
    return sent
