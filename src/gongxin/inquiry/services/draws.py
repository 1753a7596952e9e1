"""随机抽取办理: the handler at registration, two reviewers at submission (and a third on a
disagreement), the signer when review ends. Each pool is the unit's staff holding the role whom
the rule (gongxin.inquiry.rules) admits — the same rule that later lets the drawn person act.
Pool and winner are audited so anyone can check the draw."""

from __future__ import annotations

from gongxin.accounts.eligibility import draw, pool
from gongxin.audit.services import record
from gongxin.inquiry.choices import ParticipantRole, RequestState
from gongxin.inquiry.models import InquiryRequest, Participant
from gongxin.inquiry.rules import MAY_HANDLE, MAY_REVIEW, MAY_SIGN, forget_people, people
from gongxin.platform.errors import WorkflowError
from gongxin.platform.roles import Role


def draw_handler(actor, req: InquiryRequest) -> bool:
    """Assign a handler; False (and recorded) when nobody may be drawn: the request stays
    registered and the dashboards show it as waiting for assignment."""
    candidates = pool(req.unit, Role.HANDLER, MAY_HANDLE, req)
    if not candidates:
        record(actor, "request.assign", req, outcome="refused", code="no_handler")
        return False
    winner = draw(candidates)
    req.handler = winner
    req.state = RequestState.ASSIGNED
    req.save(update_fields=["handler", "state"])
    forget_people(req)
    record(actor, "request.assign", req, pool=[s.pk for s in candidates], winner=winner.pk)
    return True


def draw_reviewers(actor, req: InquiryRequest, count: int) -> None:
    """Draw ``count`` more reviewers for the round, none already drawn in it."""
    taken = people(req).reviewers.get(req.round, frozenset())
    candidates = [s for s in pool(req.unit, Role.REVIEWER, MAY_REVIEW, req) if s.pk not in taken]
    if len(candidates) < count:
        raise WorkflowError("no_reviewer", f"可抽取的复核人不足 {count} 人，请联系安全管理员")
    for _ in range(count):
        winner = draw(candidates)
        Participant.objects.create(request=req, staff=winner, role=ParticipantRole.REVIEWER,
                                   round=req.round)  # fmt: skip
        record(actor, "request.draw_reviewer", req, round=req.round,
               pool=[s.pk for s in candidates], winner=winner.pk)  # fmt: skip
        candidates.remove(winner)
    forget_people(req)


def draw_signer(actor, req: InquiryRequest) -> None:
    """Draw the round's signer: never the handler, never anyone who reviewed in any round."""
    candidates = pool(req.unit, Role.SIGNER, MAY_SIGN, req)
    if not candidates:
        raise WorkflowError(
            "no_signer", "没有可签发本件的签发人（签发人不能是经办人或任何一轮的复核人）"
        )
    winner = draw(candidates)
    Participant.objects.create(request=req, staff=winner, role=ParticipantRole.SIGNER,
                               round=req.round)  # fmt: skip
    forget_people(req)
    record(actor, "request.assign_signer", req, round=req.round,
           pool=[s.pk for s in candidates], winner=winner.pk)  # fmt: skip
