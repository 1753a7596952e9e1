"""Every action from every state, by every kind of person, in the first round and in a round
opened by a correction (STYLE.md, after manage.get.gov's transition tests).

The states and actions come from the code (RequestState, rules.RULES), so a new state or action
cannot go untested: the expectations below must name it, or the first test fails. The
expectations are written out here, not computed from the rules they check. Allowed actions
succeed and leave the request in the state the table says; everything else is refused with a
reason, changes nothing and is recorded once as refused. The buttons a page offers
(``allowed_actions``) agree with the table.

Draws take the first of the pool (ordered by id) in round 1 and the last in round 2, so the
table can name who is drawn and round 2 has a reviewer who was not drawn for it but reviewed
round 1; the draw itself is random in the product and in test_inquiry_stateful.py.
"""

import datetime as dt

import pytest
from django.db import transaction

from gongxin.accounts.models import Staff
from gongxin.audit.models import AuditEvent
from gongxin.documents.models import Letter
from gongxin.inquiry import services
from gongxin.inquiry.choices import OPEN_STATES, RequestState
from gongxin.inquiry.models import (
    Candidate,
    Extension,
    Finding,
    InquiryRequest,
    Participant,
    Review,
)
from gongxin.inquiry.rules import RULES, allowed_actions, appointable
from gongxin.platform.errors import WorkflowError
from gongxin.registry.screening import CandidateInput
from tests.factories import ZHANG, World, make_staff, matched_candidates, set_trained

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)
S = RequestState

# Who is who (created in this order, so the draws are known):
# round 1 reviewers are `reviewer_signer` (also holds the signer role) and `reviewer`, and
# `third_reviewer` is not drawn; round 2 reviewers are `third_reviewer` and `reviewer`, and
# `reviewer_signer` is not drawn (nor may sign: they reviewed round 1). `signer` signs round 1;
# before round 2 the round-1 signer is deactivated, so `other_signer` is drawn for round 2.
PERSONAS = ["handler", "inactive_handler", "reviewer_signer", "reviewer", "third_reviewer",
            "signer", "other_signer", "supervisor", "sysadmin", "secadmin", "auditor",
            "other_unit"]  # fmt: skip
DRAWN_REVIEWERS = {1: ("reviewer_signer", "reviewer"), 2: ("third_reviewer", "reviewer")}
DRAWN_SIGNER = {1: "signer", 2: "other_signer"}
REACHABLE = {
    1: set(S.values),
    2: set(S.values) - {S.RECEIVED, S.RETURNED},  # a correction reopens an issued request
}
ON_ROUND = {  # who is on the request in each state of a round (handler and those drawn)
    S.RECEIVED: set(),
    S.ASSIGNED: {"handler"},
    S.SCREENED: {"handler"},
    S.IN_REVIEW: {"handler", "drawn_reviewers"},
    S.AWAITING_SIGNOFF: {"handler", "drawn_reviewers", "drawn_signer"},
    S.SIGNED: {"handler", "drawn_reviewers", "drawn_signer"},
}
# (action, state) -> (who may, in which rounds; the state it leaves the request in).
EXPECTED = {
    ("return", S.RECEIVED): ({"handler"}, {1}, S.RETURNED),
    ("return", S.ASSIGNED): ({"handler"}, {1}, S.RETURNED),
    ("screen", S.ASSIGNED): ({"handler"}, {1, 2}, S.SCREENED),
    ("screen", S.SCREENED): ({"handler"}, {1, 2}, S.SCREENED),
    ("submit", S.SCREENED): ({"handler"}, {1, 2}, S.IN_REVIEW),
    ("review", S.IN_REVIEW): ({"drawn_reviewers"}, {1, 2}, S.IN_REVIEW),
    ("sign_off", S.AWAITING_SIGNOFF): ({"drawn_signer"}, {1, 2}, S.SIGNED),
    ("send_back", S.AWAITING_SIGNOFF): ({"drawn_signer"}, {1, 2}, S.IN_REVIEW),
    ("issue", S.SIGNED): ({"handler"}, {1, 2}, S.ISSUED),
    ("correct", S.ISSUED): ({"handler"}, {1, 2}, S.ASSIGNED),
    # 修改人选 before submission; after screening it outdates the screening (back to 已分派).
    ("edit_candidates", S.ASSIGNED): ({"handler"}, {1, 2}, S.ASSIGNED),
    ("edit_candidates", S.SCREENED): ({"handler"}, {1, 2}, S.ASSIGNED),
    **{("extend", state): (people, {1, 2}, state) for state, people in ON_ROUND.items()},
    # 补抽: only when a draw is needed and possible. Here only the request registered while no
    # handler could be drawn needs one (test_inquiry_draws.py covers reviewers and signers).
    ("draw", S.RECEIVED): ({"handler", "supervisor"}, {1}, S.ASSIGNED),
    **{
        ("draw", state): (set(), {1, 2}, None)
        for state in (S.ASSIGNED, S.SCREENED, S.IN_REVIEW, S.AWAITING_SIGNOFF, S.SIGNED)
    },
    # 指派: the supervisor, when someone other than the handler could be drawn. Here only the
    # request registered while nobody could be drawn has one (test_queues.py covers the rest).
    ("appoint", S.RECEIVED): ({"supervisor"}, {1}, S.ASSIGNED),
    **{("appoint", state): (set(), {1, 2}, None) for state in (S.ASSIGNED, S.SCREENED, S.SIGNED)},
}


def test_the_table_covers_every_state_and_action_of_the_code():
    """A state or action added to the code fails here until the table says who may take it."""
    assert REACHABLE[1] == set(S.values)
    assert set(EXPECTED) == {(a, s) for a, rule in RULES.items() for s in rule.states}
    assert set(ON_ROUND) == set(OPEN_STATES)


@pytest.fixture
def cast(tmp_path, monkeypatch):
    from gongxin.inquiry.services import draws

    world = World(tmp_path)
    world.drawing = 1  # which end of the pool draws take: the first in round 1, the last after
    monkeypatch.setattr(draws, "draw", lambda pool: pool[0] if world.drawing == 1 else pool[-1])
    # World made handler, reviewer_a, reviewer_b, signer, supervisor (bj) and outsider; this
    # cast replaces the reviewers and signer with its own, created in draw order.
    for staff in (world.reviewer_a, world.reviewer_b, world.signer):
        staff.role_grants.all().delete()
    people = {
        "handler": world.handler,
        "reviewer_signer": make_staff(world.bj, "reviewer_signer", "reviewer", "signer"),
        "reviewer": make_staff(world.bj, "reviewer", "reviewer"),
        "third_reviewer": make_staff(world.bj, "third_reviewer", "reviewer"),
        "signer": make_staff(world.bj, "signer1", "signer"),
        "other_signer": make_staff(world.bj, "signer2", "signer"),
        "supervisor": world.supervisor,
        "sysadmin": make_staff(world.bj, "sysadmin", "sysadmin"),
        "secadmin": make_staff(world.bj, "secadmin", "secadmin"),
        "auditor": make_staff(world.bj, "auditor", "auditor"),
        "other_unit": world.outsider,
    }
    # Draw order is pk order: third_reviewer comes after the two drawn in round 1.
    assert people["reviewer_signer"].pk < people["reviewer"].pk < people["third_reviewer"].pk
    return world, people


def drive(world, people, state, round_):
    """A request with one matching candidate (ZHANG), driven through the services."""
    handler = people["handler"]
    if state == S.RECEIVED:
        set_trained(handler, False)  # nobody to draw
        req = world.register(people=[ZHANG])
        set_trained(handler, True)
        return req
    req = world.register(people=[ZHANG])
    if state == S.RETURNED:
        services.return_request(handler, req.pk, "文号不全")
        return req
    order = [S.ASSIGNED, S.SCREENED, S.IN_REVIEW, S.AWAITING_SIGNOFF, S.SIGNED, S.ISSUED]
    for number in range(1, round_ + 1):
        target = state if number == round_ else S.ISSUED
        if number == 2:
            services.correct(handler, req.pk, "人选姓名录入有误")
            Staff.objects.filter(pk=people["signer"].pk).update(active=False)
            world.drawing = 2
        for step in order[1 : order.index(target) + 1]:
            take(step, world, people, req, number)
    req.refresh_from_db()
    assert (req.state, req.round) == (state, round_)
    return req


def take(step, world, people, req, number):
    handler = people["handler"]
    if step == S.SCREENED:
        services.screen_request(handler, req.pk, today=TODAY)
    elif step == S.IN_REVIEW:
        services.submit(handler, req.pk)
        drawn = Participant.objects.filter(request=req, role="reviewer", round=number)
        assert {p.staff_id for p in drawn} == {people[n].pk for n in DRAWN_REVIEWERS[number]}
    elif step == S.AWAITING_SIGNOFF:
        candidate = matched_candidates(req)[0]
        for name in DRAWN_REVIEWERS[number]:
            services.review(people[name], candidate.pk, "confirm", "一致", today=TODAY)
    elif step == S.SIGNED:
        services.sign_off(people[DRAWN_SIGNER[number]], req.pk, confirmed=True)
    elif step == S.ISSUED:
        services.issue(handler, req.pk)


def attempt(action, person, req):
    candidate = Candidate.objects.current(req).get()
    ext = services.ExtensionInput("需延期", "王科长", TODAY, "电话", dt.date(2026, 3, 20))
    return {
        "return": lambda: services.return_request(person, req.pk, "来文格式不符"),
        "screen": lambda: services.screen_request(person, req.pk, today=TODAY),
        "submit": lambda: services.submit(person, req.pk),
        "review": lambda: services.review(person, candidate.pk, "confirm", "一致", today=TODAY),
        "sign_off": lambda: services.sign_off(person, req.pk, confirmed=True),
        "send_back": lambda: services.send_back(person, req.pk, "复核理由不充分"),
        "issue": lambda: services.issue(person, req.pk),
        "extend": lambda: services.extend(person, req.pk, ext, today=TODAY),
        "correct": lambda: services.correct(person, req.pk, "人选姓名录入有误"),
        "draw": lambda: services.supplementary_draw(person, req.pk),
        "appoint": lambda: services.appoint(person, req.pk, _first_handler(req), "经办人外出"),
        "edit_candidates": lambda: services.edit_candidates(
            person,
            req.pk,
            services.CandidateEdits(
                "拟任职位录入有误",
                edits={candidate.pk: CandidateInput(candidate.row, *ZHANG, "副科长")},
            ),
        ),
    }[action]()


def _first_handler(req) -> int:
    """Whom a supervisor would pick: the first the rules offer (else the handler it has)."""
    offered = appointable(req)
    return offered[0].pk if offered else req.handler_id or 0


def snapshot(req):
    req = InquiryRequest.objects.get(pk=req.pk)
    return (
        req.state, req.round, req.handler_id, req.deadline,
        list(Finding.objects.filter(candidate__request=req).values_list("match", "result")),
        Review.objects.filter(candidate__request=req).count(),
        Extension.objects.filter(request=req).count(),
        Participant.objects.filter(request=req).count(),
        Letter.objects.filter(inquiry_round__request=req).count(),
        list(req.rounds.values_list("signed_at", "issued_at")),
    )  # fmt: skip


def who(name, people, round_):
    """The person a persona names in a round (the drawn signer differs between rounds)."""
    if name == "inactive_handler":
        return people["handler"]
    return people[name]


def allowed(action, state, name, round_) -> tuple[bool, str | None]:
    may, rounds, after = EXPECTED.get((action, state), (set(), set(), None))
    if round_ not in rounds:
        return False, None
    drawn = {"drawn_signer": {DRAWN_SIGNER[round_]},
             "drawn_reviewers": set(DRAWN_REVIEWERS[round_])}  # fmt: skip
    names = set().union(*(drawn.get(n, {n}) for n in may))
    return name in names, after


class _Undo(Exception):
    pass


@pytest.mark.parametrize(
    ("round_", "state"),
    [(round_, state) for round_, states in REACHABLE.items() for state in sorted(states)],
)
def test_every_action_from_every_state_by_every_person(cast, state, round_):
    world, people = cast
    pk = drive(world, people, state, round_).pk
    for action in RULES:
        for name in PERSONAS:
            req = InquiryRequest.objects.get(pk=pk)  # as the database has it (attempts roll back)
            person = Staff.objects.get(pk=who(name, people, round_).pk)
            if name == "inactive_handler":
                person.active = False
            may, after = allowed(action, state, name, round_)
            case = (round_, state, action, name)
            assert (action in allowed_actions(person, req)) == may, case
            try:
                with transaction.atomic():
                    _attempt_once(action, person, req, may, after, case)
                    raise _Undo  # each attempt starts from the same request
            except _Undo:
                pass


def _attempt_once(action, person, req, may, after, case):
    before = snapshot(req)
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if may:
        attempt(action, person, req)
        req.refresh_from_db()
        assert req.state == after, case
        done = set(AuditEvent.objects.filter(pk__gt=mark).values_list("action", "outcome"))
        assert (f"request.{action}", "ok") in done, case
        return
    with pytest.raises(WorkflowError) as exc:
        attempt(action, person, req)
    assert exc.value.message, case
    assert snapshot(req) == before, case
    assert list(AuditEvent.objects.filter(pk__gt=mark).values_list("action", "outcome")) == [
        (f"request.{action}", "refused")], case  # fmt: skip
