"""Work queues that say what to do next: per request, the next step (下一步), who must act,
how urgent it is. Everything is read from the rules (gongxin.inquiry.rules): the next step is
the action of RULES that moves the request on from its state, who must act is whom the rule
admits among the people on the request, and a draw it waits for is supervision's
``waiting_for``. Nothing here decides who may do what.

A list asks these questions for a page of requests at once: ``prefetched`` and ``prime`` read
what the rules need (the people on each request with their roles, training and recusals; the
reviews a round waits for) in a fixed number of queries, whatever the number of requests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Prefetch, Value, When

from gongxin.accounts.models import RULE_PREFETCH
from gongxin.core import clock
from gongxin.core.matching import MatchClass
from gongxin.inquiry.choices import CLOSED_STATES, OPEN_STATES, RequestState
from gongxin.inquiry.models import (
    Candidate,
    Finding,
    InquiryRequest,
    Participant,
    Review,
    Screening,
)
from gongxin.inquiry.rules import RULES, draw_needed, pool_shortfall, refusal
from gongxin.inquiry.supervision import waiting_for
from gongxin.platform.roles import Role

S = RequestState
# Actions that are not "the next step" of a state although they start from it: 退回 ends a
# request instead, 补抽 is said by what the request waits for, 更正 reopens a closed one, 退回复核
# is the signer's way back, not the way on.
NOT_NEXT = frozenset({"return", "draw", "correct", "send_back"})
# How a state reads in lists and dashboards, where it differs from the state's name: a signed
# letter waits for the handler to send it (反馈); a request nobody was drawn for waits for one.
LABELS = {S.SIGNED: "待反馈"}
UNASSIGNED = "待分派"


@dataclass(frozen=True)
class NextStep:
    """What a request needs next: the step, who must take it, and (when nobody can) why."""

    step: str  # 「查询」「复核」「补抽复核人」…; blank for a closed request
    who: str  # 「张三」「李四、王五」「待补抽复核人 1 名…」
    stuck: str = ""  # why nobody can take it now (blank when someone can)


def status_label(req: InquiryRequest) -> str:
    """The state as lists and dashboards show it (已签发 reads 待反馈)."""
    if req.state == S.RECEIVED and req.handler_id is None:
        return UNASSIGNED
    return LABELS.get(req.state, req.get_state_display())


def step_action(state: str) -> str | None:
    """The action of RULES that moves a request on from ``state`` (the furthest, when several
    start there: from 已查询, 提交 rather than 查询 again); None for a closed state."""
    found = [a for a, spec in RULES.items()
             if spec.advances and state in spec.states and a not in NOT_NEXT]  # fmt: skip
    return found[-1] if found else None


def _on_request(req) -> list:
    """The people on the request in its round: the handler, the round's reviewers and signers
    (the only people any advancing rule admits)."""
    on = [req.handler] if req.handler_id is not None else []
    on += [p.staff for p in req.participants.all() if p.round == req.round]
    return on


def next_step(req: InquiryRequest) -> NextStep:
    """下一步 and who must act, from the rules."""
    if req.state in CLOSED_STATES:
        return NextStep("", "")
    need = draw_needed(req)
    if need is not None:
        role, count = need
        short = pool_shortfall(req, role, count) or ""
        who = waiting_for(req).removesuffix(f"：{short}")  # the shortfall is said as ``stuck``
        return NextStep(f"补抽{Role(role).label}", who, short)
    action = step_action(req.state)
    if action is None:  # only 补抽 leads on from here, and none is needed
        return NextStep("", "")
    seen: set[int] = set()
    who = []
    for person in _on_request(req):
        if person.pk not in seen and refusal(person, req, action) is None:
            seen.add(person.pk)
            who.append(person.full_name)
    label = RULES[action].label
    if not who:
        return NextStep(label, "无人可办理", "没有可办理本件的人员")
    return NextStep(label, "、".join(who))


def prefetched(qs):
    """``qs`` with what the rules ask of each request read once for all: the handler and the
    people drawn, with their roles, training and recusals (``annotate`` adds the candidate
    count of the requests shown)."""
    staff = [f"staff__{r}" for r in RULE_PREFETCH]
    drawn = Participant.objects.select_related("staff__user", "staff__unit").prefetch_related(
        *staff
    )
    return (
        qs.select_related("agency", "handler__user", "handler__unit")
        .prefetch_related(*(f"handler__{r}" for r in RULE_PREFETCH))
        .prefetch_related(Prefetch("participants", queryset=drawn))
    )


def count_candidates(requests: list[InquiryRequest]) -> None:
    """Each request's candidates in the round in progress (``candidate_count``), in one query
    for those shown. Not an annotation of the list's query: that counted the candidates of
    every request the list selects (a unit's thousands) before its page was taken."""
    counts = dict(
        Candidate.objects.filter(request__in=[r.pk for r in requests], until_round=None)
        .values("request")
        .annotate(n=Count("id"))
        .values_list("request", "n")
    )
    for req in requests:
        req.candidate_count = counts.get(req.pk, 0)


def prime(requests: list[InquiryRequest]) -> None:
    """For the requests in review: the reviews their round waits for, read in three queries for
    all of them (what ``queries.reviews_waiting`` would read per request)."""
    in_review = {r.pk: r for r in requests if r.state == S.IN_REVIEW}
    if not in_review:
        return
    latest: dict[int, int] = {}
    rows = Screening.objects.filter(request__in=in_review).values_list("request", "round", "id")
    for request_id, number, screening_id in rows:
        if number == in_review[request_id].round:
            latest[request_id] = max(latest.get(request_id, 0), screening_id)
    by_screening = {s: r for r, s in latest.items()}
    waiting: dict[int, dict[int, list]] = {pk: {} for pk in in_review}
    owner: dict[int, int] = {}
    found = (Finding.objects.filter(screening__in=by_screening, result="")
             .exclude(match=MatchClass.NONE).values_list("screening", "candidate"))  # fmt: skip
    for screening_id, candidate_id in found:
        request_id = by_screening[screening_id]
        waiting[request_id][candidate_id] = []
        owner[candidate_id] = request_id
    given = Review.objects.filter(candidate__in=owner, set_aside_by=None).values_list(
        "candidate", "round", "reviewer", "decision"
    )
    for candidate_id, number, reviewer, decision in given:
        req = in_review[owner[candidate_id]]
        if number == req.round:
            waiting[req.pk][candidate_id].append((reviewer, decision))
    for pk, req in in_review.items():
        req.__dict__["_reviews_waiting"] = ((req.state, req.round), waiting[pk])


def urgency(req: InquiryRequest, today: dt.date | None = None) -> tuple:
    """Sort key: open before closed; overdue first, then due soonest; a deadline that cannot be
    computed after those that can; then the oldest registration."""
    today = today or clock.today()
    closed = req.state in CLOSED_STATES
    deadline = req.deadline or dt.date.max
    return (closed, not (req.deadline and req.deadline < today), deadline, req.pk)


def by_urgency(qs):
    """The same order as ``urgency``, in SQL (for a list that pages in the database)."""
    open_first = Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1),
                      output_field=IntegerField())  # fmt: skip
    return qs.annotate(closed_last=open_first).order_by(
        "closed_last", F("deadline").asc(nulls_last=True), "pk"
    )


def annotate(requests, today: dt.date | None = None) -> list[InquiryRequest]:
    """Each request with what a queue shows: ``label``, ``next`` (a NextStep), ``overdue``,
    ``due_today``. ``requests`` should come through ``prefetched``."""
    today = today or clock.today()
    requests = list(requests)
    prime(requests)
    count_candidates(requests)
    for req in requests:
        req.label = status_label(req)
        req.next = next_step(req)
        open_ = req.state in OPEN_STATES
        req.overdue = bool(open_ and req.deadline and req.deadline < today)
        req.due_today = bool(open_ and req.deadline == today)
    return requests
