"""Two people acting at once: exactly one wins, the other is refused, no duplicate events.

Real threads with their own database connections against PostgreSQL, where row locks are
what serialises them. (SQLite serialises every writer by itself, so the race cannot happen
there; these tests are skipped on the SQLite pass for that reason.)
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction

from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.inquiry import services
from gongxin.platform.errors import WorkflowError
from tests.factories import ZHANG, World

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]
TODAY = dt.date(2026, 3, 2)


def race(*calls):
    """Run the calls in threads released together; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except WorkflowError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


@pytest.fixture
def in_review(tmp_path):
    world = World(tmp_path)
    req = world.register(people=[ZHANG])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    return world, req


def test_last_review_submitted_twice_at_once_counts_once(in_review):
    world, req = in_review
    zhang = req.candidates.get()
    services.review(world.reviewer_a, zhang.pk, "confirm", "一致", today=TODAY)
    results, errors = race(
        lambda: services.review(world.reviewer_b, zhang.pk, "confirm", "一致", today=TODAY),
        lambda: services.review(world.reviewer_b, zhang.pk, "confirm", "一致", today=TODAY),
    )
    assert (len(results), len(errors)) == (1, 1)
    req.refresh_from_db()
    assert req.state == "awaiting_signoff"
    assert zhang.reviews.count() == 2
    assert req.participants.filter(role="signer").count() == 1
    ok = AuditEvent.objects.filter(
        object_type="InquiryRequest", object_id=str(req.pk), outcome="ok"
    )
    assert ok.filter(action="request.review").count() == 2
    assert ok.filter(action="request.reviewed").count() == 1


def test_both_reviewers_confirming_at_once_both_count_and_advance_once(in_review):
    world, req = in_review
    zhang = req.candidates.get()
    results, errors = race(
        lambda: services.review(world.reviewer_a, zhang.pk, "confirm", "一致", today=TODAY),
        lambda: services.review(world.reviewer_b, zhang.pk, "confirm", "一致", today=TODAY),
    )
    assert (len(results), errors) == (2, [])
    req.refresh_from_db()
    assert req.state == "awaiting_signoff"
    assert req.participants.filter(role="signer").count() == 1
    assert AuditEvent.objects.filter(action="request.reviewed", object_id=str(req.pk)).count() == 1


def test_signing_twice_at_once_signs_once(in_review):
    world, req = in_review
    zhang = req.candidates.get()
    for reviewer in (world.reviewer_a, world.reviewer_b):
        services.review(reviewer, zhang.pk, "confirm", "一致", today=TODAY)
    results, errors = race(
        lambda: services.sign_off(world.signer, req.pk, confirmed=True),
        lambda: services.sign_off(world.signer, req.pk, confirmed=True),
    )
    assert (len(results), len(errors)) == (1, 1)
    assert errors[0].code == "wrong_state"
    signed = AuditEvent.objects.filter(action="request.sign_off", object_id=str(req.pk))
    assert list(signed.values_list("outcome", flat=True).order_by("pk")) == ["ok", "refused"]


def test_two_supplementary_draws_at_once_draw_once(tmp_path):
    """The supervisor and the handler both press 补抽: one draws, the other is told nothing is
    left to draw; the signer is drawn once."""
    from gongxin.accounts.models import Staff

    world = World(tmp_path)
    req = world.register(people=[ZHANG])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    zhang = req.candidates.get()
    for reviewer in (world.reviewer_a, world.reviewer_b):
        services.review(reviewer, zhang.pk, "confirm", "一致", today=TODAY)
    Staff.objects.filter(pk=world.signer.pk).update(active=False)  # the drawn signer leaves
    from tests.factories import make_staff

    make_staff(world.bj, "signer2", "signer")
    supervisor = Staff.objects.get(pk=world.supervisor.pk)
    handler = Staff.objects.get(pk=world.handler.pk)
    results, errors = race(
        lambda: services.supplementary_draw(supervisor, req.pk),
        lambda: services.supplementary_draw(handler, req.pk),
    )
    assert (len(results), len(errors)) == (1, 1)
    assert errors[0].message == "本件当前无需补抽"
    assert req.participants.filter(role="signer").count() == 2  # the one who left, and one new
    draws = AuditEvent.objects.filter(action="request.draw", object_id=str(req.pk))
    assert sorted(draws.values_list("outcome", flat=True)) == ["ok", "refused"]


def test_nothing_waits_while_a_letter_is_rendered(in_review, monkeypatch):
    """Rendering and reading back a letter takes seconds for large requests: it happens before
    the signing transaction, so the request row and the unit's letter numbers stay free."""
    from gongxin.documents.models import LetterSequence
    from gongxin.inquiry.models import InquiryRequest
    from gongxin.inquiry.services import signing

    world, req = in_review
    zhang = req.candidates.get()
    for reviewer in (world.reviewer_a, world.reviewer_b):
        services.review(reviewer, zhang.pk, "confirm", "一致", today=TODAY)
    LetterSequence.objects.create(unit=world.bj, year=signing.clock.today().year)
    rendering, release = threading.Event(), threading.Event()
    real_render = signing.render

    def slow_render(*args, **kwargs):
        rendering.set()
        release.wait(30)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(signing, "render", slow_render)
    signer = req.participants.get(role="signer").staff
    results, errors = [], []

    def sign():
        try:
            results.append(services.sign_off(signer, req.pk, confirmed=True))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=sign)
    thread.start()
    try:
        assert rendering.wait(30)
        with transaction.atomic():  # would raise at once if the signing held the locks
            InquiryRequest.objects.select_for_update(nowait=True).get(pk=req.pk)
            LetterSequence.objects.select_for_update(nowait=True).get(unit=world.bj)
        other = world.register(people=[ZHANG])  # the unit keeps working meanwhile
        services.screen_request(world.handler, other.pk, today=TODAY)
    finally:
        release.set()
        thread.join(timeout=60)
    assert errors == [] and len(results) == 1
    req.refresh_from_db()
    assert req.state == "signed"


def test_twenty_identical_registrations_at_once_make_one_request(tmp_path):
    """A double (or twentyfold) submit: one request is created; every other answer is 409
    naming it, none is a 500."""
    from rest_framework.test import APIClient

    from gongxin.inquiry.models import InquiryRequest

    world = World(tmp_path)
    body = {"agency": world.agency.pk, "letter_number": "京组函〔2026〕20号",
            "received_on": clock.today().isoformat(), "kind": "recruitment",
            "candidates": [{"name": "张三", "id_number": ZHANG[1]}]}  # fmt: skip

    def post():
        client = APIClient()
        client.force_authenticate(world.handler.user)
        answer = client.post("/api/v1/requests/", body, format="json")
        return answer.status_code, answer.json()

    answers, errors = race(*[post] * 20)
    assert errors == []
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * 19
    (created,) = [data["id"] for status, data in answers if status == 201]
    assert {data["existing"]["id"] for status, data in answers if status == 409} == {created}
    assert InquiryRequest.objects.count() == 1
