"""Separation of duties and evidence across 更正 rounds (the defects found in review, each
reproduced here first): the rule that draws a signer and the rule that lets them sign are the
same, across every round; the services check that the acting person is active; a correction
never deletes or changes what an earlier round recorded."""

import datetime as dt

import pytest

from gongxin.accounts.models import RoleGrant
from gongxin.inquiry import services
from gongxin.inquiry.models import CandidateMatch, Participant, Review
from gongxin.platform.errors import WorkflowError
from tests.factories import ZHANG, World, make_staff

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def reviewed_and_signed(world, req, reviewers, decision="confirm"):
    zhang = req.candidates.get()
    for reviewer in reviewers:
        services.review(reviewer, zhang.pk, decision, "一致", today=TODAY)


def drawn(req, role, round_):
    return [p.staff for p in Participant.objects.filter(request=req, role=role, round=round_)]


def round_one_issued(world):
    req = world.register(people=[ZHANG])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    reviewed_and_signed(world, req, drawn(req, "reviewer", 1))
    (signer,) = drawn(req, "signer", 1)
    services.sign_off(signer, req.pk, confirmed=True)
    services.issue(world.handler, req.pk)
    return req, signer


def test_round_one_signer_not_drawn_for_round_two_cannot_sign_it(tmp_path):
    world = World(tmp_path)
    make_staff(world.bj, "signer2", "signer")
    req, first_signer = round_one_issued(world)
    services.correct(world.handler, req.pk, "人选姓名录入有误")
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    first_signer.active = False  # leaves before round 2 is reviewed
    first_signer.save()
    reviewed_and_signed(world, req, drawn(req, "reviewer", 2))
    (second_signer,) = drawn(req, "signer", 2)
    assert second_signer != first_signer
    with pytest.raises(WorkflowError):
        services.sign_off(
            first_signer, req.pk, confirmed=True
        )  # inactive, and not drawn for this round
    first_signer.active = True
    first_signer.save()
    with pytest.raises(WorkflowError):
        services.sign_off(
            first_signer, req.pk, confirmed=True
        )  # back, but still not drawn for this round
    services.sign_off(second_signer, req.pk, confirmed=True)
    req.refresh_from_db()
    assert req.state == "signed"


def test_a_round_one_reviewer_holding_the_signer_role_is_never_drawn_to_sign(tmp_path):
    world = World(tmp_path)
    for staff in (world.reviewer_a, world.reviewer_b):
        RoleGrant.objects.filter(staff=staff).delete()
    both = make_staff(world.bj, "reviewer_signer", "reviewer", "signer")
    plain = make_staff(world.bj, "reviewer_only", "reviewer")
    req, _ = round_one_issued(world)  # the only two reviewers review round 1
    assert set(drawn(req, "reviewer", 1)) == {both, plain}
    services.correct(world.handler, req.pk, "名单记录已移出")
    RoleGrant.objects.filter(staff=both, role="reviewer").delete()  # not drawn to review again
    make_staff(world.bj, "reviewer_new", "reviewer")
    world.signer.active = False  # the only other signer is away
    world.signer.save()
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    reviewed_and_signed(world, req, drawn(req, "reviewer", 2), decision="reject")
    assert both not in drawn(req, "signer", 2)  # reviewed round 1: never signs this request
    req.refresh_from_db()
    assert req.state == "awaiting_signoff"
    from gongxin.accounts.models import Staff
    from gongxin.inquiry.models import InquiryRequest
    from gongxin.inquiry.supervision import stuck

    # Nobody may sign it now: the supervisor sees it, with why.
    staff = list(Staff.objects.filter(unit=world.bj))
    (blocked,) = stuck(InquiryRequest.objects.filter(pk=req.pk), staff)
    assert blocked[0] == req
    world.signer.active = True
    world.signer.save()


def test_the_services_refuse_a_person_made_inactive(tmp_path):
    world = World(tmp_path)
    req = world.register(people=[ZHANG])
    world.handler.active = False
    world.handler.save()
    with pytest.raises(WorkflowError):
        services.screen_request(world.handler, req.pk, today=TODAY)
    req.refresh_from_db()
    assert req.state == "assigned"


def test_a_correction_keeps_every_record_of_the_first_round(tmp_path):
    world = World(tmp_path)
    req, _ = round_one_issued(world)
    matches = set(CandidateMatch.objects.values_list("pk", flat=True))
    reviews = set(Review.objects.values_list("pk", "decision", "round"))
    draws = set(Participant.objects.values_list("pk", "staff", "role", "round"))
    assert matches and len(reviews) == 2 and len(draws) == 3
    services.correct(world.handler, req.pk, "复核发现名单记录已于签发前移出")
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.screen_request(world.handler, req.pk, today=TODAY)  # screened twice in round 2
    services.submit(world.handler, req.pk)
    reviewed_and_signed(world, req, drawn(req, "reviewer", 2), decision="reject")
    assert matches < set(CandidateMatch.objects.values_list("pk", flat=True))
    assert reviews < set(Review.objects.values_list("pk", "decision", "round"))
    assert draws < set(Participant.objects.values_list("pk", "staff", "role", "round"))
