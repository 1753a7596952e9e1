"""Large requests: 查询, 提交 and 签发 run as background tasks with their progress on the page,
and the request page shows matches first, one page at a time (issue 9).

The test settings run tasks at once (django-tasks' immediate backend); where a test needs a
job to wait, it uses the dummy backend, which only stores it, and runs the task by hand, as
the worker would. The last test runs the real database worker on a SQLite file.
"""

import pytest
from django.test import Client

from gongxin.accounts.services import revoke_role
from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.core.synthetic import Generator
from gongxin.inquiry import paging, services, tasks
from gongxin.inquiry.models import InquiryRequest, RequestJob, Screening
from gongxin.registry import screening as registry_screening
from tests.factories import ZHANG, make_staff, matched_candidates, signed_in
from tests.sqlite_scenarios import run_scenario

pytestmark = pytest.mark.django_db
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def large(settings):
    """Requests of 5 or more candidates count as large here."""
    settings.GONGXIN_BACKGROUND_FROM = 5


def people(n: int, seed: int = 9) -> list[tuple[str, str]]:
    gen = Generator(seed=seed)
    return [(gen.name(), gen.id_number()) for _ in range(n)]


def register(world, others: int = 7):
    """ZHANG (listed) last, after ``others`` unlisted people."""
    today = clock.today()
    return world.register(people=[*people(others), ZHANG], received_on=today, today=today)


def as_(staff) -> Client:
    return signed_in(Client(), staff.user)


def state(req) -> str:
    return InquiryRequest.objects.get(pk=req.pk).state


def events(req, action: str) -> list[str]:
    return list(
        AuditEvent.objects.filter(action=action, object_id=str(req.pk)).values_list(
            "outcome", flat=True
        )
    )


def test_a_large_request_is_screened_submitted_and_signed_in_the_background(world, large):
    req = register(world)
    handler = as_(world.handler)
    answer = handler.post(f"/requests/{req.pk}/screen/")
    assert answer["Location"] == f"/requests/{req.pk}/progress/"
    # Done already (the tests' immediate backend): the progress page sends the clerk back to
    # the request with the outcome, as an action done at once does.
    done = handler.get(answer["Location"])
    assert done["Location"] == f"/requests/{req.pk}/"
    page = handler.get(done["Location"]).content.decode()
    assert "查询已转入后台办理" in page and "已完成查询比对" in page
    assert "后台办理：查询（已完成）" in page and 'http-equiv="refresh"' not in page
    assert state(req) == "screened" and events(req, "request.screen") == ["ok"]
    job = RequestJob.objects.get(request=req, action="screen")
    assert (job.state, job.processed, job.total, job.actor) == ("done", 8, 8, world.handler)

    handler.post(f"/requests/{req.pk}/submit/")
    assert state(req) == "in_review" and events(req, "request.submit") == ["ok"]
    for candidate in matched_candidates(req):
        for reviewer in (world.reviewer_a, world.reviewer_b):
            services.review(reviewer, candidate.pk, "confirm", "一致")
    answer = as_(world.signer).post(
        f"/requests/{req.pk}/sign_off/", {"confirm": "yes"}, follow=True
    )
    assert "后台办理：签发（已完成）" in answer.content.decode()
    assert state(req) == "signed" and events(req, "request.sign_off") == ["ok"]
    assert RequestJob.objects.filter(request=req, state="done").count() == 3


def test_a_queued_job_shows_its_progress_and_a_second_click_is_refused(world, large, settings):
    settings.TASKS = DUMMY  # stored, not run: as when the worker has not reached it yet
    req = register(world)
    handler = as_(world.handler)
    handler.post(f"/requests/{req.pk}/screen/")
    page = handler.get(f"/requests/{req.pk}/progress/").content.decode()
    assert "后台办理：查询（排队中）" in page and 'http-equiv="refresh"' in page
    again = handler.post(f"/requests/{req.pk}/screen/", follow=True).content.decode()
    assert "本件已有后台办理正在进行，请等待完成后再操作" in again
    assert "后台办理：查询（排队中）" in again  # the request page shows the job too
    assert RequestJob.objects.filter(request=req).count() == 1
    assert events(req, "request.screen") == ["refused"]

    job = RequestJob.objects.get(request=req)
    seen = {}
    real_screen = registry_screening.screen

    def watched(*args, **kwargs):  # midway: what the progress page says
        seen["page"] = handler.get(f"/requests/{req.pk}/progress/").content.decode()
        return real_screen(*args, **kwargs)

    from gongxin.inquiry.services import screening

    screening.screen = watched
    try:
        tasks.run_job.call(job.pk)
    finally:
        screening.screen = real_screen
    assert "后台办理：查询（进行中）" in seen["page"] and "<progress" in seen["page"]
    assert state(req) == "screened"
    tasks.run_job.call(job.pk)  # delivered again: runs once
    assert Screening.objects.filter(request=req).count() == 1
    assert events(req, "request.screen") == ["refused", "ok"]


def test_a_failing_task_says_why_in_chinese_and_changes_nothing(world, large, monkeypatch):
    from gongxin.inquiry.services import screening

    def broken(*args, **kwargs):
        raise RuntimeError("registry unavailable")

    monkeypatch.setattr(screening, "screen", broken)
    req = register(world)
    handler = as_(world.handler)
    handler.post(f"/requests/{req.pk}/screen/")
    job = RequestJob.objects.get(request=req)
    assert job.state == "failed"
    assert job.message.startswith("后台办理出错，未做任何改动，请联系系统管理员（错误编号 ")
    assert state(req) == "assigned" and not Screening.objects.filter(request=req).exists()
    page = handler.get(f"/requests/{req.pk}/").content.decode()
    assert "后台办理：查询（失败）" in page and job.message in page
    monkeypatch.undo()
    handler.post(f"/requests/{req.pk}/screen/")  # tried again, it runs
    assert state(req) == "screened"


def test_the_task_asks_the_rule_again_when_it_runs(world, large, settings):
    settings.TASKS = DUMMY
    req = register(world)
    as_(world.handler).post(f"/requests/{req.pk}/screen/")
    job = RequestJob.objects.get(request=req)
    secadmin = make_staff(world.bj, "secadmin", "secadmin")
    revoke_role(secadmin, world.handler.pk, "handler", "调整分工")  # before the worker runs
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and job.message.startswith("未办理：")
    assert state(req) == "assigned" and not Screening.objects.filter(request=req).exists()
    refusal = AuditEvent.objects.get(action="request.screen", object_id=str(req.pk))
    assert (refusal.actor, refusal.outcome) == ("handler", "refused")


def test_a_job_does_nothing_when_the_request_moved_on(world, large, settings):
    settings.TASKS = DUMMY
    req = register(world)
    as_(world.handler).post(f"/requests/{req.pk}/screen/")
    job = RequestJob.objects.get(request=req)
    services.screen_request(world.handler, req.pk)  # e.g. the API, meanwhile
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and "后台办理未执行" in job.message
    assert Screening.objects.filter(request=req).count() == 1


def test_small_requests_are_still_done_at_once(world):
    req = register(world, others=2)
    answer = as_(world.handler).post(f"/requests/{req.pk}/screen/")
    assert answer["Location"] == f"/requests/{req.pk}/"
    assert state(req) == "screened" and not RequestJob.objects.exists()


def test_the_page_shows_matches_first_one_page_at_a_time(world, monkeypatch):
    monkeypatch.setattr(paging, "ROWS", 3)
    others = people(7)
    req = register(world)
    handler = as_(world.handler)
    before = handler.get(f"/requests/{req.pk}/").content.decode()
    assert others[0][0] in before and others[3][0] not in before  # rows 1–3 of 8
    assert "第 1–3 名，共 8 名（第 1/3 页）" in before
    services.screen_request(world.handler, req.pk)
    first = handler.get(f"/requests/{req.pk}/").content.decode()
    assert "有比对结果的 1 名人选排在前面" in first
    assert first.index("张三") < first.index(others[0][0])  # row 9, shown first
    assert others[1][0] in first and others[2][0] not in first
    last = handler.get(f"/requests/{req.pk}/?page=3").content.decode()
    assert "张三" not in last and others[5][0] in last and others[6][0] in last
    assert "第 7–8 名，共 8 名（第 3/3 页）" in last and 'rel="prev"' in last
    assert handler.get(f"/requests/{req.pk}/?page=99").status_code == 200  # the last page
    shown = AuditEvent.objects.filter(action="request.view_candidates").order_by("-seq").first()
    assert shown.detail["count"] == 2  # those of the last page opened, not all eight


def test_the_real_worker_runs_a_job_from_a_sqlite_file_database(tmp_path):
    seen = run_scenario("worker", tmp_path)
    assert seen == {"queued": "queued", "job": ["done", 6, 6], "state": "screened",
                    "screenings": 1}  # fmt: skip


def test_the_api_asks_the_same_rule_and_answers_202_with_the_job(world, large, settings):
    """A large request's 查询 through the API goes to the worker as the page's does: 202, the
    job in the detail; a second call while it waits is refused with 409, nothing changed."""
    from rest_framework.test import APIClient

    settings.TASKS = DUMMY  # stored, not run
    req = register(world)
    client = APIClient()
    client.force_authenticate(world.handler.user)
    answer = client.post(f"/api/v1/requests/{req.pk}/screen/")
    assert answer.status_code == 202
    body = answer.json()
    assert body["request"]["state"] == "assigned"
    assert (body["job"]["action"], body["job"]["state"], body["job"]["total"]) == (
        "screen", "queued", 8,
    )  # fmt: skip
    again = client.post(f"/api/v1/requests/{req.pk}/screen/")
    assert again.status_code == 409 and "本件已有后台办理正在进行" in again.content.decode()
    tasks.run_job.call(RequestJob.objects.get(request=req).pk)
    detail = client.get(f"/api/v1/requests/{req.pk}/").json()
    assert detail["request"]["state"] == "screened" and detail["job"]["state"] == "done"
    assert events(req, "request.screen") == ["refused", "ok"]


def test_every_sign_off_goes_to_the_worker_by_default(world, settings):
    """签发 of a small request too (GONGXIN_BACKGROUND_SIGN_FROM = 1): the signer's click
    returns at once with the job queued; the page shows it until the worker has signed."""
    settings.TASKS = DUMMY
    req = register(world, others=2)
    services.screen_request(world.handler, req.pk)
    services.submit(world.handler, req.pk)
    for candidate in matched_candidates(req):
        for reviewer in (world.reviewer_a, world.reviewer_b):
            services.review(reviewer, candidate.pk, "confirm", "一致")
    signer = as_(world.signer)
    answer = signer.post(f"/requests/{req.pk}/sign_off/", {"confirm": "yes"})
    assert answer["Location"] == f"/requests/{req.pk}/progress/"
    assert state(req) == "awaiting_signoff"
    page = signer.get(answer["Location"]).content.decode()
    assert "后台办理：签发（排队中）" in page and 'http-equiv="refresh"' in page
    tasks.run_job.call(RequestJob.objects.get(request=req).pk)
    done = signer.get(answer["Location"])
    assert done["Location"] == f"/requests/{req.pk}/"
    assert "已签发，结果已固定" in signer.get(done["Location"]).content.decode()
    assert state(req) == "signed"
