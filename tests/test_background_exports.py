"""Exports through the task queue (gongxin.platform.background, decision 0017): a large
全国监督 workbook is built by the worker, its progress shown on the export's own URL, and the
file handed to the person who asked, permission-checked and audited as the direct download.

The test settings run tasks at once (the immediate backend); where the job must wait, the
dummy backend stores it and the test runs the task by hand, as the worker would.
"""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from gongxin.audit.models import AuditEvent
from gongxin.audit.services import record
from gongxin.platform import background, jobs
from gongxin.platform.models import BackgroundJob
from gongxin.supervision import exports as supervision_exports
from gongxin.supervision.models import SpotCheck
from tests.factories import make_staff, signed_in
from tests.test_spot_checks import build_history, pinned  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db
URL = "/supervision/national/xlsx?start=2026-01-01&end=2026-03-31"
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def boss(world):
    return make_staff(world.national, "nat_supervisor", "supervisor")


def client_of(staff) -> Client:
    return signed_in(Client(), staff.user)


def sheets(body: bytes) -> dict:
    book = load_workbook(io.BytesIO(body))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def exports() -> int:
    return AuditEvent.objects.filter(action="supervision.national_export").count()


def test_a_small_export_still_downloads_at_once(world, boss, settings):
    settings.GONGXIN_BACKGROUND_EXPORT_FROM = 10**6
    answer = client_of(boss).get(URL)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd")
    assert exports() == 1 and not BackgroundJob.objects.exists()


def test_a_large_export_is_built_by_the_worker_and_offered_when_ready(world, boss, settings):
    settings.GONGXIN_BACKGROUND_EXPORT_FROM = 10**6
    direct = sheets(client_of(boss).get(URL).content)
    settings.GONGXIN_BACKGROUND_EXPORT_FROM = 0
    client = client_of(boss)
    queued = client.get(URL)
    job = BackgroundJob.objects.get()
    assert queued.status_code == 302 and queued["Location"].endswith(f"&job={job.pk}")
    assert (job.state, job.attempts, job.actor_id) == ("done", 1, boss.pk)
    assert exports() == 1  # the direct download above; queueing hands out nothing
    page = client.get(queued["Location"]).content.decode()
    assert "已完成" in page and 'http-equiv="refresh"' not in page
    link = re.search(r'href="([^"]+)" id="download"', page).group(1).replace("&amp;", "&")
    answer = client.get(link)
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    assert "attachment" in answer["Content-Disposition"]
    assert sheets(answer.content) == direct  # the same workbook either way
    assert exports() == 2  # each hand-out audited, as the direct download
    event = AuditEvent.objects.filter(action="supervision.national_export").last()
    assert event.actor == "nat_supervisor" and event.detail["period_start"] == "2026-01-01"


def test_a_queued_export_shows_its_progress_until_the_worker_builds_it(world, boss, settings):
    settings.GONGXIN_BACKGROUND_EXPORT_FROM = 0
    settings.TASKS = DUMMY
    client = client_of(boss)
    where = client.get(URL)["Location"]
    job = BackgroundJob.objects.get()
    page = client.get(where).content.decode()
    assert "排队中" in page and 'http-equiv="refresh"' in page and 'id="download"' not in page
    assert client.get(where + "&file=1").status_code == 200  # not ready: the page again
    assert exports() == 0
    background.run_background.call(job.pk)  # the worker
    background.run_background.call(job.pk)  # a second delivery does nothing
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 1)
    assert 'id="download"' in client.get(where).content.decode()


def test_only_the_person_who_asked_gets_the_file(world, boss, settings):
    settings.GONGXIN_BACKGROUND_EXPORT_FROM = 0
    where = client_of(boss).get(URL)["Location"]
    colleague = make_staff(world.national, "nat_supervisor2", "supervisor")
    assert client_of(colleague).get(where + "&file=1").status_code == 404
    assert client_of(colleague).get(where).status_code == 404
    assert client_of(world.supervisor).get(where + "&file=1").status_code == 404  # the map's
    assert exports() == 0


def test_a_failing_export_says_why_in_chinese(world, boss, settings, monkeypatch):
    settings.GONGXIN_BACKGROUND_EXPORT_FROM = 0

    def broken(*args):
        raise RuntimeError("张三 110105194912310021")  # a message that must not be shown

    work = background.WORK["supervision.national_xlsx"]
    monkeypatch.setitem(background.WORK, work.kind, background.Work(work.kind, work.label, broken))
    page = client_of(boss).get(URL, follow=True).content.decode()
    job = BackgroundJob.objects.get()
    assert job.state == jobs.FAILED and job.message.startswith("后台任务出错，未生成文件")
    assert job.message in page and "张三" not in page and "110105" not in job.message


def test_a_long_audit_export_goes_through_the_worker_the_same_rows(world, settings):
    auditor = make_staff(world.bj, "auditor", "auditor")
    for n in range(3):
        record(world.handler, "request.view", ref=("InquiryRequest", n))
    client = client_of(auditor)
    settings.GONGXIN_BACKGROUND_EXPORT_FROM = 10**6
    direct = sheets(client.get("/audit/", {"format": "xlsx"}).content)["留痕记录"]
    settings.GONGXIN_BACKGROUND_EXPORT_FROM = 3
    where = client.get("/audit/", {"format": "xlsx"})["Location"]
    job = BackgroundJob.objects.get()
    assert (job.kind, job.state, job.processed, job.total) == ("audit.export", "done", *[
        len(direct) - 1] * 2)  # fmt: skip
    answer = client.get(where + "&file=1")
    assert sheets(answer.content)["留痕记录"] == direct  # its own exports are not listed
    last = AuditEvent.objects.order_by("seq").last()
    assert (last.actor, last.action, last.detail["rows"]) == ("auditor", "audit.export",
                                                              len(direct) - 1)  # fmt: skip


@pytest.mark.usefixtures("pinned")
def test_a_large_spot_check_is_drawn_by_the_worker_and_its_page_leads_to_it(tmp_path, settings):
    world, _right, _planted, _later = build_history(tmp_path)
    settings.GONGXIN_BACKGROUND_SPOT_CHECK_FROM = 3  # the whole of March: 3 requests
    supervisor = signed_in(Client(), world.supervisor.user)
    whole = {"start": "2026-03-01", "end": "2026-03-31", "rate": "100"}
    answer = supervisor.post("/supervision/spot-checks/new/", whole)
    job = BackgroundJob.objects.get()
    assert answer["Location"] == f"/supervision/spot-checks/new/?job={job.pk}"
    spot = SpotCheck.objects.get()
    assert (job.kind, job.state, job.processed, job.total) == ("supervision.spot_check",
                                                               "done", 3, 3)  # fmt: skip
    assert job.result_url == f"/supervision/spot-checks/{spot.pk}/"
    page = supervisor.get(answer["Location"]).content.decode()
    assert f'href="{job.result_url}" id="result"' in page
    assert AuditEvent.objects.filter(action="supervision.spot_check").count() == 1
    stranger = signed_in(Client(), make_staff(world.bj, "sup2", "supervisor").user)
    assert stranger.get(answer["Location"]).status_code == 404  # another person's job


@pytest.mark.usefixtures("pinned")
def test_a_draw_whose_run_lost_its_lease_leaves_nothing(tmp_path):
    """The draw and its job's 'done' commit together: a run that no longer holds the job
    (reaped and handed on) rolls its draw back, so a retried draw is the only one."""
    world = build_history(tmp_path)[0]

    def lost(**fields):
        raise background.LeaseLost

    params = {"period_start": "2026-03-01", "period_end": "2026-03-31", "rate": 100}
    with pytest.raises(background.LeaseLost):
        supervision_exports.draw_spot_check(world.supervisor, params, background._quiet, lost)
    assert not SpotCheck.objects.exists()
    assert not AuditEvent.objects.filter(action="supervision.spot_check").exists()
