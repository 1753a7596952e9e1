"""随机抽取办理: the handler at registration, reviewers at submission (and one more on a
disagreement), the signer when review ends, and 补抽 when a draw could not be made or a drawn
person can no longer act. What a request needs and whom it may draw are the rules'
(gongxin.inquiry.rules: ``missing_draw``, ``draw_pool``) — the same rules that later let the
drawn person act. Pool and winner are audited so anyone can check the draw."""

from __future__ import annotations

from gongxin.accounts.eligibility import draw
from gongxin.audit.services import record
from gongxin.inquiry.choices import ParticipantRole, RequestState
from gongxin.inquiry.models import InquiryRequest, Participant
from gongxin.inquiry.rules import draw_pool, forget_people, missing_draw, pool_short
from gongxin.inquiry.services.actions import act
from gongxin.platform.roles import Role

# The audit action of each draw (kept from the first release, so the trail reads the same).
EVENTS = {
    Role.HANDLER: "request.assign",
    Role.REVIEWER: "request.draw_reviewer",
    Role.SIGNER: "request.assign_signer",
}


def draw_missing(actor, req: InquiryRequest) -> bool:
    """Make the draw ``req`` needs now, if any. A draw the pool cannot fill is recorded as
    refused and changes nothing: the request waits for 补抽 (shown to the supervisor, see
    gongxin.inquiry.supervision). False when a needed draw could not be made."""
    need = missing_draw(req)
    if need is None:
        return True
    role, count = need
    if reason := pool_short(req, role, count):
        record(actor, EVENTS[role], req, outcome="refused", code=f"no_{role}", round=req.round,
               wanted=count, reason=reason)  # fmt: skip
        return False
    candidates = draw_pool(req, role)
    for _ in range(count):
        winner = draw(candidates)
        if role == Role.HANDLER:
            req.handler = winner
            req.state = RequestState.ASSIGNED
            req.save(update_fields=["handler", "state"])
        else:
            Participant.objects.create(request=req, staff=winner, role=ParticipantRole(role),
                                       round=req.round)  # fmt: skip
        record(actor, EVENTS[role], req, round=req.round, pool=[s.pk for s in candidates],
               winner=winner.pk)  # fmt: skip
        candidates.remove(winner)
    forget_people(req)
    return True


def redraw(actor, request_id: int) -> InquiryRequest:
    """补抽: make the draw a waiting request needs (the rule checks it is needed and possible)."""
    with act(actor, request_id, "draw") as req:
        role, count = missing_draw(req)
        draw_missing(actor, req)
        record(actor, "request.draw", req, round=req.round, role=role, count=count)
    return req
