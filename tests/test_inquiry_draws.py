"""补抽: a draw the pool cannot fill never refuses the action that needed it, and never leaves a
request without a way forward. The request waits, the supervisor sees why, and as soon as the
pool allows, the supervisor or the handler draws (the same rules that decide who may act)."""

import datetime as dt
import re

import pytest
from django.test import Client

from gongxin.accounts.models import RoleGrant, Staff
from gongxin.audit.models import AuditEvent
from gongxin.inquiry import services
from gongxin.inquiry.models import InquiryRequest, Participant
from gongxin.inquiry.rules import allowed_actions, draw_needed
from gongxin.inquiry.supervision import stuck
from gongxin.platform.errors import WorkflowError
from tests.factories import (
    LI,
    ZHANG,
    World,
    make_staff,
    matched_candidates,
    set_trained,
    signed_in,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def fresh(req) -> InquiryRequest:
    return InquiryRequest.objects.get(pk=req.pk)


def drawn(req, role) -> list[Staff]:
    return [p.staff for p in Participant.objects.filter(request=req, role=role,
                                                        round=fresh(req).round)]  # fmt: skip


def away(*people, active=False):
    Staff.objects.filter(pk__in=[p.pk for p in people]).update(active=active)


def unit_staff(world):
    return list(Staff.objects.filter(unit=world.bj))


def dashboard(person) -> dict[str, str]:
    """The dashboard's sections by heading (无人可办理, 我的待办, …), each its own text."""
    client = Client()
    signed_in(client, person.user)
    page = client.get("/").content.decode()
    parts = re.split(r"<h2>([^<（]+)（\d+）</h2>", page)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def screened_and_submitted(world):
    req = world.register(people=[ZHANG])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    return fresh(req)


def review(person, req, decision="confirm"):
    (candidate,) = matched_candidates(req)
    return services.review(Staff.objects.get(pk=person.pk), candidate.pk, decision, "核对",
                           today=TODAY)  # fmt: skip


def test_no_reviewer_to_draw_at_submission_waits_and_the_supervisor_draws_later(tmp_path):
    world = World(tmp_path)
    away(world.reviewer_a, world.reviewer_b)
    req = screened_and_submitted(world)  # submitted all the same: nothing the handler can fix
    assert req.state == "in_review" and drawn(req, "reviewer") == []
    refused = AuditEvent.objects.get(action="request.draw_reviewer", outcome="refused")
    assert refused.detail["code"] == "no_reviewer"
    # Nobody may move it on: the supervisor sees it, and why.
    (blocked,) = stuck(InquiryRequest.objects.filter(pk=req.pk), unit_staff(world))
    assert "复核人不足 2 人" in blocked[1]
    sections = dashboard(world.supervisor)
    assert req.letter_number in sections["无人可办理"]
    assert req.letter_number not in sections["我的待办"]
    assert "draw" not in allowed_actions(world.supervisor, req)

    away(world.reviewer_a, world.reviewer_b, active=True)  # back at work
    req = fresh(req)
    assert draw_needed(req) == ("reviewer", 2)
    supervisor = Staff.objects.get(pk=world.supervisor.pk)
    assert "draw" in allowed_actions(supervisor, req)
    assert "draw" in allowed_actions(Staff.objects.get(pk=world.handler.pk), req)
    assert "draw" not in allowed_actions(Staff.objects.get(pk=world.reviewer_a.pk), req)
    assert stuck(InquiryRequest.objects.filter(pk=req.pk), unit_staff(world)) == []
    sections = dashboard(world.supervisor)  # on the supervisor's to-do list instead
    assert "无人可办理" not in sections and req.letter_number in sections["我的待办"]

    services.supplementary_draw(supervisor, req.pk)
    assert set(drawn(req, "reviewer")) == {world.reviewer_a, world.reviewer_b}
    assert draw_needed(fresh(req)) is None
    with pytest.raises(WorkflowError) as exc:  # nothing left to draw
        services.supplementary_draw(supervisor, req.pk)
    assert exc.value.message == "本件当前无需补抽"
    review(world.reviewer_a, req)
    review(world.reviewer_b, req)
    assert fresh(req).state == "awaiting_signoff" and drawn(req, "signer") == [world.signer]


def test_a_disagreement_with_nobody_left_to_draw_records_the_review_and_waits(tmp_path):
    world = World(tmp_path)
    req = screened_and_submitted(world)
    review(world.reviewer_a, req, "confirm")
    candidate = review(world.reviewer_b, req, "reject")  # the review is kept, not refused
    assert candidate.reviews.count() == 2
    assert draw_needed(fresh(req)) == ("reviewer", 1)
    third = make_staff(world.bj, "reviewer_c", "reviewer")
    services.supplementary_draw(Staff.objects.get(pk=world.handler.pk), req.pk)
    assert third in drawn(req, "reviewer")
    review(third, req, "confirm")
    assert fresh(req).state == "awaiting_signoff"


def test_a_drawn_reviewer_who_leaves_is_replaced_by_a_new_draw(tmp_path):
    world = World(tmp_path)
    req = screened_and_submitted(world)
    review(world.reviewer_a, req)
    away(world.reviewer_b)  # drawn, has not reviewed, leaves
    assert draw_needed(fresh(req)) == ("reviewer", 1)
    (blocked,) = stuck(InquiryRequest.objects.filter(pk=req.pk), unit_staff(world))
    assert "复核人不足 1 人" in blocked[1]
    newcomer = make_staff(world.bj, "reviewer_c", "reviewer")
    services.supplementary_draw(Staff.objects.get(pk=world.supervisor.pk), req.pk)
    assert set(drawn(req, "reviewer")) == {world.reviewer_a, world.reviewer_b, newcomer}
    with pytest.raises(WorkflowError) as refused:
        review(world.reviewer_b, req)  # inactive: may not act
    assert refused.value.message == "账号已停用，不能办理"
    review(newcomer, req)
    assert fresh(req).state == "awaiting_signoff"


def test_a_drawn_signer_who_leaves_is_replaced_and_only_the_new_one_signs(tmp_path):
    world = World(tmp_path)
    req = screened_and_submitted(world)
    review(world.reviewer_a, req)
    review(world.reviewer_b, req)
    assert drawn(req, "signer") == [world.signer]
    away(world.signer)
    other = make_staff(world.bj, "signer2", "signer")
    req = fresh(req)
    assert draw_needed(req) == ("signer", 1)
    assert "draw" in allowed_actions(Staff.objects.get(pk=world.handler.pk), req)
    services.supplementary_draw(Staff.objects.get(pk=world.handler.pk), req.pk)
    assert drawn(req, "signer") == [world.signer, other]
    with pytest.raises(WorkflowError) as refused:
        services.sign_off(Staff.objects.get(pk=world.signer.pk), req.pk, confirmed=True)
    assert refused.value.message == "账号已停用，不能办理"
    services.sign_off(other, req.pk, confirmed=True)
    assert fresh(req).state == "signed"
    assert AuditEvent.objects.filter(action="request.draw", outcome="ok").count() == 1


def test_a_letter_registered_when_no_handler_can_be_drawn_gets_one_by_a_draw(tmp_path):
    world = World(tmp_path)
    set_trained(world.handler, False)
    req = world.register(people=[ZHANG])
    assert req.state == "received" and req.handler_id is None
    (blocked,) = stuck(InquiryRequest.objects.filter(pk=req.pk), unit_staff(world))
    assert "没有可抽取的经办人" in blocked[1]
    set_trained(world.handler, True)
    handler = Staff.objects.get(pk=world.handler.pk)
    assert "draw" in allowed_actions(handler, fresh(req))  # any handler of the unit, unassigned
    services.supplementary_draw(Staff.objects.get(pk=world.supervisor.pk), req.pk)
    req = fresh(req)
    assert (req.state, req.handler_id) == ("assigned", world.handler.pk)


def test_the_page_and_the_api_offer_the_draw(tmp_path):
    world = World(tmp_path)
    away(world.reviewer_a, world.reviewer_b)
    req = screened_and_submitted(world)
    client = Client()
    signed_in(client, world.supervisor.user)
    page = client.get(f"/requests/{req.pk}/").content.decode()
    assert "待补抽复核人 2 名：可抽取的复核人不足 2 人" in page
    assert "补抽</button>" not in page
    away(world.reviewer_a, world.reviewer_b, active=True)
    page = client.get(f"/requests/{req.pk}/").content.decode()
    assert "待补抽复核人 2 名" in page and "补抽</button>" in page
    signed_in(client, world.handler.user)
    answer = client.post(f"/api/v1/requests/{req.pk}/draw/")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert "draw" not in body["actions"]
    reviewers = {p["username"] for p in body["people"] if p["role"] == "reviewer"}
    assert reviewers == {"reviewer_a", "reviewer_b"}
    again = client.post(f"/api/v1/requests/{req.pk}/draw/")
    assert again.status_code == 409 and again.json()["code"] == "not_now"  # not now, not "not you"


def test_a_reviewer_who_left_after_reviewing_is_not_counted_for_a_later_disagreement(tmp_path):
    world = World(tmp_path)
    req = screened_and_submitted(world)
    review(world.reviewer_a, req, "confirm")
    away(world.reviewer_a)  # reviewed, then left: the opinion stands
    candidate = review(world.reviewer_b, req, "reject")
    assert candidate.reviews.count() == 2
    assert draw_needed(fresh(req)) == ("reviewer", 1)  # one more opinion, from someone new
    third = make_staff(world.bj, "reviewer_c", "reviewer")
    services.supplementary_draw(Staff.objects.get(pk=world.supervisor.pk), req.pk)
    review(third, req, "reject")
    assert fresh(req).state == "awaiting_signoff"


def test_two_candidates_needing_different_numbers_of_opinions(tmp_path):
    """One candidate waits for one more opinion after a disagreement, the other for its second
    review from a reviewer who left: one new reviewer serves both."""
    from tests.factories import Lists, make_id, person_row

    world = World(tmp_path)
    other = ("王五", make_id("110105", "19800101", 7))
    (tmp_path / "more").mkdir()
    Lists(tmp_path / "more").load([person_row(*ZHANG, listed_on="2025-01-02"),
                                   person_row(*other, listed_on="2025-01-02")],
                                  as_of="2026-01-11")  # fmt: skip
    req = world.register(people=[ZHANG, other])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    first, second = sorted(matched_candidates(fresh(req)), key=lambda c: c.row)
    for person, candidate, decision in ((world.reviewer_a, first, "confirm"),
                                        (world.reviewer_b, first, "reject"),
                                        (world.reviewer_a, second, "confirm")):  # fmt: skip
        services.review(Staff.objects.get(pk=person.pk), candidate.pk, decision, "核对",
                        today=TODAY)  # fmt: skip
    assert draw_needed(fresh(req)) == ("reviewer", 1)  # first: a third opinion
    away(world.reviewer_b)  # second now lacks its second reviewer as well
    assert draw_needed(fresh(req)) == ("reviewer", 1)  # the same one new reviewer covers both
    third = make_staff(world.bj, "reviewer_c", "reviewer")
    services.supplementary_draw(Staff.objects.get(pk=world.handler.pk), req.pk)
    for candidate in (first, second):
        services.review(third, candidate.pk, "confirm", "核对", today=TODAY)
    assert fresh(req).state == "awaiting_signoff"


def test_a_supplementary_draw_the_pool_no_longer_allows_is_refused_whole(tmp_path, monkeypatch):
    """The rule allowed it; the reviewers left before the draw was made: nothing is drawn and
    the 补抽 is refused and recorded, not reported as done."""
    from gongxin.inquiry.services import draws

    world = World(tmp_path)
    away(world.reviewer_a, world.reviewer_b)
    req = screened_and_submitted(world)
    away(world.reviewer_a, world.reviewer_b, active=True)
    real = draws.draw_pool

    def pool_emptied_meanwhile(req, role):
        away(world.reviewer_a, world.reviewer_b)
        return real(req, role)

    monkeypatch.setattr(draws, "draw_pool", pool_emptied_meanwhile)
    with pytest.raises(WorkflowError) as refused:
        services.supplementary_draw(Staff.objects.get(pk=world.supervisor.pk), req.pk)
    assert refused.value.code == "no_pool" and "复核人不足" in refused.value.message
    assert drawn(req, "reviewer") == []
    assert not AuditEvent.objects.filter(action="request.draw", outcome="ok").exists()
    assert AuditEvent.objects.filter(action="request.draw", outcome="refused").count() == 1


def test_a_handler_who_leaves_is_replaced_by_a_draw_never_of_someone_on_the_request(tmp_path):
    world = World(tmp_path)
    req = world.register(people=[LI])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)  # no match: the signer is drawn
    services.sign_off(world.signer, req.pk, confirmed=True)
    away(world.handler)  # the letter is signed; the handler leaves before 反馈
    (blocked,) = stuck(InquiryRequest.objects.filter(pk=req.pk), unit_staff(world))
    assert blocked[1] == (
        "没有可抽取的经办人（均已回避、未培训、超过任职期限或已停用）"
        "（原经办人handler：账号已停用，不能办理）"
    )
    signer_and_handler = make_staff(world.bj, "signer_handler", "handler")
    RoleGrant.objects.create(staff=world.signer, role="handler", granted_by="test")
    newcomer = signer_and_handler
    supervisor = Staff.objects.get(pk=world.supervisor.pk)
    assert "draw" in allowed_actions(supervisor, fresh(req))
    services.supplementary_draw(supervisor, req.pk)
    req = fresh(req)
    assert req.handler_id == newcomer.pk  # not the signer, who also holds the handler role
    assert req.state == "signed"
    assigned = AuditEvent.objects.filter(action="request.assign", object_id=str(req.pk))
    assert assigned.latest("pk").detail["replaced"] == world.handler.pk
    services.issue(newcomer, req.pk)
    assert fresh(req).state == "issued"


def test_the_dashboard_asks_the_rules_once_per_request_not_once_per_person(tmp_path):
    """More staff in the unit do not multiply the supervisor's dashboard queries by the
    number of requests (what a request waits for is worked out once per request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = World(tmp_path)
    for _ in range(3):
        screened_and_submitted(world)

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            dashboard(world.supervisor)
        return len(seen)

    few = queries()
    for n in range(8):
        make_staff(world.bj, f"supervisor{n}", "supervisor")
    many = queries()
    assert many - few <= 8 * 3, (few, many)  # a few reads per added person, not per request
