"""补抽: a draw the pool cannot fill never refuses the action that needed it, and never leaves a
request without a way forward. The request waits, the supervisor sees why, and as soon as the
pool allows, the supervisor or the handler draws (the same rules that decide who may act)."""

import datetime as dt

import pytest
from django.test import Client

from gongxin.accounts.models import Staff
from gongxin.audit.models import AuditEvent
from gongxin.inquiry import services
from gongxin.inquiry.models import InquiryRequest, Participant
from gongxin.inquiry.rules import allowed_actions, missing_draw
from gongxin.inquiry.supervision import stuck
from gongxin.platform.errors import WorkflowError
from tests.factories import ZHANG, World, make_staff, matched_candidates

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


def dashboard(person) -> str:
    client = Client()
    client.force_login(person.user)
    return client.get("/").content.decode()


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
    page = dashboard(world.supervisor)
    assert "无人可办理" in page and req.letter_number in page.split("无人可办理")[1]
    assert "draw" not in allowed_actions(world.supervisor, req)

    away(world.reviewer_a, world.reviewer_b, active=True)  # back at work
    req = fresh(req)
    assert missing_draw(req) == ("reviewer", 2)
    supervisor = Staff.objects.get(pk=world.supervisor.pk)
    assert "draw" in allowed_actions(supervisor, req)
    assert "draw" in allowed_actions(Staff.objects.get(pk=world.handler.pk), req)
    assert "draw" not in allowed_actions(Staff.objects.get(pk=world.reviewer_a.pk), req)
    assert stuck(InquiryRequest.objects.filter(pk=req.pk), unit_staff(world)) == []
    page = dashboard(world.supervisor)  # on the supervisor's to-do list instead
    assert "无人可办理" not in page and req.letter_number in page

    services.redraw(supervisor, req.pk)
    assert set(drawn(req, "reviewer")) == {world.reviewer_a, world.reviewer_b}
    assert missing_draw(fresh(req)) is None
    with pytest.raises(WorkflowError) as exc:  # nothing left to draw
        services.redraw(supervisor, req.pk)
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
    assert missing_draw(fresh(req)) == ("reviewer", 1)
    third = make_staff(world.bj, "reviewer_c", "reviewer")
    services.redraw(Staff.objects.get(pk=world.handler.pk), req.pk)
    assert third in drawn(req, "reviewer")
    review(third, req, "confirm")
    assert fresh(req).state == "awaiting_signoff"


def test_a_drawn_reviewer_who_leaves_is_replaced_by_a_new_draw(tmp_path):
    world = World(tmp_path)
    req = screened_and_submitted(world)
    review(world.reviewer_a, req)
    away(world.reviewer_b)  # drawn, has not reviewed, leaves
    assert missing_draw(fresh(req)) == ("reviewer", 1)
    (blocked,) = stuck(InquiryRequest.objects.filter(pk=req.pk), unit_staff(world))
    assert "复核人不足 1 人" in blocked[1]
    newcomer = make_staff(world.bj, "reviewer_c", "reviewer")
    services.redraw(Staff.objects.get(pk=world.supervisor.pk), req.pk)
    assert set(drawn(req, "reviewer")) == {world.reviewer_a, world.reviewer_b, newcomer}
    with pytest.raises(WorkflowError):
        review(world.reviewer_b, req)  # inactive: may not act
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
    assert missing_draw(req) == ("signer", 1)
    assert "draw" in allowed_actions(Staff.objects.get(pk=world.handler.pk), req)
    services.redraw(Staff.objects.get(pk=world.handler.pk), req.pk)
    assert drawn(req, "signer") == [world.signer, other]
    with pytest.raises(WorkflowError):
        services.sign_off(Staff.objects.get(pk=world.signer.pk), req.pk)
    services.sign_off(other, req.pk)
    assert fresh(req).state == "signed"
    assert AuditEvent.objects.filter(action="request.draw", outcome="ok").count() == 1


def test_a_letter_registered_when_no_handler_can_be_drawn_gets_one_by_a_draw(tmp_path):
    world = World(tmp_path)
    Staff.objects.filter(pk=world.handler.pk).update(trained_on=None)
    req = world.register(people=[ZHANG])
    assert req.state == "received" and req.handler_id is None
    (blocked,) = stuck(InquiryRequest.objects.filter(pk=req.pk), unit_staff(world))
    assert "没有可抽取的经办人" in blocked[1]
    Staff.objects.filter(pk=world.handler.pk).update(trained_on=dt.date(2025, 6, 1))
    handler = Staff.objects.get(pk=world.handler.pk)
    assert "draw" in allowed_actions(handler, fresh(req))  # any handler of the unit, unassigned
    services.redraw(Staff.objects.get(pk=world.supervisor.pk), req.pk)
    req = fresh(req)
    assert (req.state, req.handler_id) == ("assigned", world.handler.pk)


def test_the_page_and_the_api_offer_the_draw(tmp_path):
    world = World(tmp_path)
    away(world.reviewer_a, world.reviewer_b)
    req = screened_and_submitted(world)
    client = Client()
    client.force_login(world.supervisor.user)
    page = client.get(f"/requests/{req.pk}/").content.decode()
    assert "待补抽复核人 2 名：可抽取的复核人不足 2 人" in page
    assert "补抽</button>" not in page
    away(world.reviewer_a, world.reviewer_b, active=True)
    page = client.get(f"/requests/{req.pk}/").content.decode()
    assert "待补抽复核人 2 名" in page and "补抽</button>" in page
    client.force_login(world.handler.user)
    answer = client.post(f"/api/v1/requests/{req.pk}/draw/")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert "draw" not in body["actions"]
    reviewers = {p["username"] for p in body["people"] if p["role"] == "reviewer"}
    assert reviewers == {"reviewer_a", "reviewer_b"}
    again = client.post(f"/api/v1/requests/{req.pk}/draw/")
    assert again.status_code == 403 and again.json()["code"] == "forbidden"
