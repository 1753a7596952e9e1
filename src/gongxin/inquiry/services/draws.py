"""随机抽取办理: the handler at registration, reviewers at submission (and one more on a
disagreement), the signer when review ends, and 补抽 when a draw could not be made or a drawn
person can no longer act. What a request needs and whom it may draw are the rules'
(gongxin.inquiry.rules: ``draw_needed``, ``draw_pool``) — the same rules that later let the
drawn person act. Pool and winner are audited so anyone can check the draw."""

from __future__ import annotations

from gongxin.accounts.eligibility import draw
from gongxin.audit.services import record
from gongxin.inquiry.choices import ParticipantRole, RequestState
from gongxin.inquiry.models import InquiryRequest, Participant
from gongxin.inquiry.rules import draw_needed, draw_pool, forget, pool_shortfall
from gongxin.inquiry.services.actions import act
from gongxin.platform.errors import WorkflowError
from gongxin.platform.roles import Role

# The audit action of each draw (kept from the first release, so the trail reads the same).
EVENTS = {
    Role.HANDLER: "request.assign",
    Role.REVIEWER: "request.draw_reviewer",
    Role.SIGNER: "request.assign_signer",
}


def draw_if_needed(actor, req: InquiryRequest) -> list[tuple[str, object]] | None:
    """Make the draw ``req`` needs now, if any: the (role, person) drawn, [] when none was
    needed. A draw the pool cannot fill is recorded as refused and changes nothing (None): the
    request waits for 补抽 (shown to the supervisor, see gongxin.inquiry.supervision)."""
    forget(req)  # what the caller just changed (a review, a new state) counts
    need = draw_needed(req)
    if need is None:
        return []
    role, count = need
    candidates = draw_pool(req, role)
    if len(candidates) < count:
        record(actor, EVENTS[role], req, outcome="refused", code=f"no_{role}", round=req.round,
               wanted=count, reason=pool_shortfall(req, role, count))  # fmt: skip
        return None
    drawn = []
    for _ in range(count):
        winner = draw(candidates)
        if role == Role.HANDLER:
            replaced = req.handler_id
            req.handler = winner
            if req.state == RequestState.RECEIVED:
                req.state = RequestState.ASSIGNED
            req.save(update_fields=["handler", "state"])
        else:
            Participant.objects.create(request=req, staff=winner, role=ParticipantRole(role),
                                       round=req.round)  # fmt: skip
        record(actor, EVENTS[role], req, round=req.round, pool=[s.pk for s in candidates],
               winner=winner.pk, **({"replaced": replaced} if role == Role.HANDLER and replaced
                                    else {}))  # fmt: skip
        candidates.remove(winner)
        drawn.append((role, winner))
    forget(req)
    return drawn


def supplementary_draw(actor, request_id: int) -> list[tuple[str, object]]:
    """补抽: make the draw a waiting request needs; the (role, person) drawn. The rule checked,
    under the request's lock, that one is needed and the pool can fill it; staff are not
    locked, so if the pool shrank since (someone deactivated that instant) the 补抽 is refused
    and nothing changes."""
    with act(actor, request_id, "draw") as req:
        role, count = draw_needed(req)
        drawn = draw_if_needed(actor, req)
        if not drawn:
            raise WorkflowError("no_pool", pool_shortfall(req, role, count) or "无法补抽")
        record(actor, "request.draw", req, round=req.round, role=role, count=count)
    return drawn
