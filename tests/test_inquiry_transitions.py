"""Every action from every state by every person: allowed ones succeed, the rest are refused
with a clear error and change nothing (STYLE.md, after manage.get.gov's transition tests)."""

import datetime as dt

import pytest

from gongxin.audit.models import AuditEvent
from gongxin.inquiry import services
from gongxin.inquiry.errors import WorkflowError
from gongxin.inquiry.models import Candidate, Extension, InquiryRequest, Review
from tests.factories import ZHANG, World

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)
STATES = ["received", "assigned", "screened", "in_review", "awaiting_signoff", "signed",
          "issued", "returned"]  # fmt: skip
PEOPLE = ["handler", "reviewer_a", "reviewer_b", "signer", "supervisor", "outsider"]
ON_REQUEST = {  # who is on the request in each state (drawn so far)
    "received": set(),
    "assigned": {"handler"},
    "screened": {"handler"},
    "in_review": {"handler", "reviewer_a", "reviewer_b"},
    "awaiting_signoff": {"handler", "reviewer_a", "reviewer_b", "signer"},
    "signed": {"handler", "reviewer_a", "reviewer_b", "signer"},
}
# (action, state) -> the people allowed; every pair not listed is refused for everyone.
ALLOWED = {
    ("return", "received"): {"handler"},
    ("return", "assigned"): {"handler"},
    ("screen", "assigned"): {"handler"},
    ("screen", "screened"): {"handler"},
    ("submit", "screened"): {"handler"},
    ("review", "in_review"): {"reviewer_a", "reviewer_b"},
    ("sign_off", "awaiting_signoff"): {"signer"},
    ("issue", "signed"): {"handler"},
    ("correct", "issued"): {"handler"},
    **{("extend", s): people for s, people in ON_REQUEST.items()},
}
ACTIONS = ["return", "screen", "submit", "review", "sign_off", "issue", "extend", "correct"]


def request_in(world, state) -> InquiryRequest:
    """Drive a request with one matching candidate to ``state`` through the services."""
    if state == "received":
        world.handler.trained_on = None  # nobody to draw: it stays registered
        world.handler.save()
        req = world.register(people=[ZHANG])
        world.handler.trained_on = dt.date(2025, 6, 1)
        world.handler.save()
        return req
    req = world.register(people=[ZHANG])
    steps = [
        ("returned", lambda: services.return_request(world.handler, req.pk, "文号不全")),
        ("assigned", None),
        ("screened", lambda: services.screen_request(world.handler, req.pk, today=TODAY)),
        ("in_review", lambda: services.submit(world.handler, req.pk, today=TODAY)),
        ("awaiting_signoff", lambda: [
            services.review(r, req.candidates.get().pk, "confirm", "一致", today=TODAY)
            for r in (world.reviewer_a, world.reviewer_b)]),
        ("signed", lambda: services.sign_off(world.signer, req.pk)),
        ("issued", lambda: services.issue(world.handler, req.pk)),
    ]  # fmt: skip
    for name, step in steps:
        if name == "returned":
            if state == "returned":
                step()
                break
            continue
        if step:
            step()
        if name == state:
            break
    req.refresh_from_db()
    assert req.state == state
    return req


def attempt(action, person, req):
    candidate = req.candidates.get()
    ext = services.ExtensionInput("需延期", "王科长", TODAY, "电话", dt.date(2026, 3, 20))
    return {
        "return": lambda: services.return_request(person, req.pk, "来文格式不符"),
        "screen": lambda: services.screen_request(person, req.pk, today=TODAY),
        "submit": lambda: services.submit(person, req.pk, today=TODAY),
        "review": lambda: services.review(person, candidate.pk, "confirm", "一致", today=TODAY),
        "sign_off": lambda: services.sign_off(person, req.pk),
        "issue": lambda: services.issue(person, req.pk),
        "extend": lambda: services.extend(person, req.pk, ext, today=TODAY),
        "correct": lambda: services.correct(person, req.pk, "人选姓名录入有误"),
    }[action]()


def snapshot(req):
    req.refresh_from_db()
    return (
        req.state, req.handler_id, req.deadline, req.signed_at, req.result_digest,
        list(Candidate.objects.filter(request=req).values_list("match", "result")),
        Review.objects.filter(candidate__request=req).count(),
        Extension.objects.filter(request=req).count(),
        req.participants.count(),
    )  # fmt: skip


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_from_every_state_by_every_person(tmp_path, state, action):
    world = World(tmp_path)
    for person_name in PEOPLE:
        req = request_in(world, state)
        person = getattr(world, person_name)
        allowed = person_name in ALLOWED.get((action, state), set())
        before = snapshot(req)
        mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if allowed:
            attempt(action, person, req)
            done = AuditEvent.objects.filter(pk__gt=mark).values_list("action", "outcome")
            assert (f"request.{action}", "ok") in set(done), (action, state, person_name)
        else:
            with pytest.raises(WorkflowError) as exc:
                attempt(action, person, req)
            assert exc.value.message, (action, state, person_name)
            assert snapshot(req) == before, (action, state, person_name)
            assert list(
                AuditEvent.objects.filter(pk__gt=mark).values_list("action", "outcome")
            ) == [(f"request.{action}", "refused")]


def test_separation_of_duties(tmp_path):
    from tests.factories import make_staff

    world = World(tmp_path)
    # One person holding every business role is still only ever one of them on a request.
    everyone = make_staff(world.bj, "all_roles", "handler", "reviewer", "signer")
    world.handler.active = False
    world.handler.save()
    req = world.register(people=[ZHANG], actor=everyone)
    assert req.handler == everyone
    services.screen_request(everyone, req.pk, today=TODAY)
    services.submit(everyone, req.pk, today=TODAY)
    assert not req.participants.filter(staff=everyone).exists()  # not drawn as own reviewer
    zhang = req.candidates.get()
    with pytest.raises(WorkflowError, match="经办人不能复核本人经办的查询"):
        services.review(everyone, zhang.pk, "confirm", "一致", today=TODAY)
    services.review(world.reviewer_a, zhang.pk, "confirm", "一致", today=TODAY)
    with pytest.raises(WorkflowError, match="同一人不能重复计数"):
        services.review(world.reviewer_a, zhang.pk, "confirm", "再次确认", today=TODAY)
    services.review(world.reviewer_b, zhang.pk, "confirm", "一致", today=TODAY)
    signer = req.participants.get(role="signer").staff
    assert signer not in (everyone, world.reviewer_a, world.reviewer_b)
    with pytest.raises(WorkflowError, match="签发人不能是本件的经办人或复核人"):
        services.sign_off(world.reviewer_a, req.pk)
