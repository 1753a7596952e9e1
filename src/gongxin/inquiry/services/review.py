"""复核: each drawn reviewer confirms or rejects a matched candidate, with a reason, after the
list entry is re-checked as of today. Two agreeing reviews decide; a disagreement draws one
more reviewer. When every candidate of the round has a result, the signer is drawn (a draw the
pool cannot fill leaves the request waiting for 补抽)."""

from __future__ import annotations

import datetime as dt

from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.text import InvalidText, clean
from gongxin.inquiry.choices import RequestState, ReviewDecision
from gongxin.inquiry.models import Candidate, Finding, Review
from gongxin.inquiry.queries import last_screening, undecided
from gongxin.inquiry.rules import verdict
from gongxin.inquiry.services.actions import act
from gongxin.inquiry.services.draws import draw_if_needed
from gongxin.platform.errors import WorkflowError, invalid
from gongxin.registry.models import ListEntry

S = RequestState
REASON_MAX = Review._meta.get_field("reason").max_length


def review(actor, candidate_id: int, decision: str, reason: str,
           *, today: dt.date | None = None) -> Candidate:  # fmt: skip
    """复核 one matched candidate of the round in progress."""
    today = today or clock.today()
    request_id = Candidate.objects.filter(pk=candidate_id).values_list("request_id", flat=True)
    if not request_id:
        raise WorkflowError("not_found", "人选不存在")
    if decision not in ReviewDecision.values:
        raise invalid("复核意见", "请选择确认列入或排除")
    try:
        reason = clean(reason, max_length=REASON_MAX, required=True, multiline=True)
    except InvalidText as exc:
        raise invalid("理由", "请填写复核理由" if exc.code == "required" else exc.reason) from None
    with act(actor, request_id[0], "review", candidate=candidate_id) as req:
        candidate = Candidate.objects.get(pk=candidate_id)
        finding = (Finding.objects.select_for_update()
                   .get(screening=last_screening(req), candidate=candidate))  # fmt: skip
        if not finding.matched:
            raise WorkflowError("no_match", "该人选没有匹配记录，无需复核")
        if finding.result:
            raise WorkflowError("decided", "该人选已有复核结论")
        reviews = candidate.reviews.filter(round=req.round, set_aside_by=None)  # counting
        if reviews.filter(reviewer=actor).exists():
            raise WorkflowError("duplicate", "您已复核过该人选，同一人不能重复计数")
        still_listed = (
            ListEntry.objects.in_force(today)
            .filter(pk__in=finding.matches.values("entry"))
            .exists()
        )
        if decision == ReviewDecision.CONFIRM and not still_listed:
            raise WorkflowError("removed", "匹配的名单记录已移出，不能确认列入")
        Review.objects.create(
            candidate=candidate, reviewer=actor, decision=decision, reason=reason,
            still_listed=still_listed, round=req.round,
        )  # fmt: skip
        record(actor, "request.review", req, round=req.round, candidate=candidate.pk,
               decision=decision, still_listed=still_listed)  # fmt: skip
        if decided := verdict(list(reviews.values_list("decision", flat=True))):
            finding.result, finding.result_reason = decided
            finding.save(update_fields=["result", "result_reason"])
        if not undecided(req):
            req.state = S.AWAITING_SIGNOFF
            req.save(update_fields=["state"])
            record(actor, "request.reviewed", req, round=req.round)
        draw_if_needed(actor, req)  # one more reviewer after a disagreement, or the signer
    return candidate
