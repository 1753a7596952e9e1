"""The lease rules of background jobs (gongxin.platform.jobs, decision 0017): claim, renew,
die, reap, retry once, never two runs holding one job, never a third attempt.

A Hypothesis state machine drives one job through workers that claim it, renew its lease,
finish, or die (stop renewing), while the clock moves on and reapers pass; the model says
what each step must do. The other tests check what the reaper does to django-tasks-db's row
of a dead run, and the `gongxin tasks` command.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from gongxin.core import clock
from gongxin.inquiry import tasks
from gongxin.inquiry.models import RequestJob
from gongxin.platform import jobs
from tests.factories import ZHANG

pytestmark = pytest.mark.django_db
LEASE = 10
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
T0 = dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)


@pytest.fixture
def short_lease(settings):
    settings.GONGXIN_TASK_LEASE = LEASE


def a_job(world, **fields) -> RequestJob:
    req = world.register(people=[ZHANG])
    fields = {"total": 1, **fields}
    return RequestJob.objects.create(request=req, action="screen", actor=world.handler,
                                     basis="x", **fields)  # fmt: skip


class Leases(RuleBasedStateMachine):
    """One job, three workers. A worker remembers the attempt it claimed; ``alive`` workers
    renew when asked, dead ones never again."""

    req = None  # the request the jobs belong to (set by the test)

    def __init__(self):
        super().__init__()
        self.requeued: list[int] = []
        self.kind = jobs.Kind("test", "测试", RequestJob, requeue=self.requeued.append,
                              task_path="tests.none")  # fmt: skip

    @initialize()
    def start(self):
        jobs.KINDS.clear()
        jobs.register(self.kind)
        RequestJob.objects.filter(state__in=jobs.ACTIVE).update(state=jobs.FAILED)
        self.job = RequestJob.objects.create(
            request=self.req, action="screen", actor=self.req.handler, basis="x", total=1
        )
        self.now = T0
        self.held: dict[int, int] = {}  # worker -> attempt it claimed
        self.alive: set[int] = set()
        self.done = 0
        self.requeued.clear()
        # The model: state, attempts, lease end.
        self.m_state, self.m_attempts, self.m_lease = jobs.QUEUED, 0, None

    def row(self) -> RequestJob:
        return RequestJob.objects.get(pk=self.job.pk)

    @rule(worker=st.integers(0, 2))
    def claim(self, worker):
        attempt = jobs.claim(RequestJob, self.job.pk, now=self.now)
        may = self.m_state == jobs.QUEUED and self.m_attempts < jobs.MAX_ATTEMPTS
        assert (attempt is not None) == may
        if attempt is not None:
            self.m_state, self.m_attempts = jobs.RUNNING, self.m_attempts + 1
            self.m_lease = self.now + dt.timedelta(seconds=LEASE)
            assert attempt == self.m_attempts
            self.held[worker], self.alive = attempt, self.alive | {worker}

    @rule(worker=st.integers(0, 2))
    def renew(self, worker):
        if worker not in self.held or worker not in self.alive:
            return
        ok = jobs.renew(RequestJob, self.job.pk, self.held[worker], now=self.now)
        may = self.m_state == jobs.RUNNING and self.m_attempts == self.held[worker]
        assert ok == may
        if ok:
            self.m_lease = self.now + dt.timedelta(seconds=LEASE)

    @rule(worker=st.integers(0, 2))
    def finish(self, worker):
        if worker not in self.held or worker not in self.alive:
            return
        ok = jobs.finish(RequestJob, self.job.pk, self.held[worker], jobs.DONE, now=self.now)
        assert ok == (self.m_state == jobs.RUNNING and self.m_attempts == self.held[worker])
        if ok:
            self.m_state, self.done = jobs.DONE, self.done + 1
        self.alive.discard(worker)

    @rule(worker=st.integers(0, 2))
    def die(self, worker):
        self.alive.discard(worker)

    @rule(seconds=st.sampled_from([1, 4, 9, 11, 30]))
    def time_passes(self, seconds):
        self.now += dt.timedelta(seconds=seconds)

    @rule()
    def reap(self):
        reaped = jobs.reap(now=self.now)
        expired = self.m_state == jobs.RUNNING and self.m_lease < self.now
        assert bool(reaped) == expired
        if expired:
            if self.m_attempts < jobs.MAX_ATTEMPTS:
                self.m_state = jobs.QUEUED
                assert reaped[0].outcome == "retried" and self.requeued[-1] == self.job.pk
            else:
                self.m_state = jobs.FAILED
                assert reaped[0].outcome == jobs.FAILED

    @invariant()
    def agrees_with_the_model(self):
        if not hasattr(self, "job"):
            return
        row = self.row()
        assert (row.state, row.attempts) == (self.m_state, self.m_attempts)
        if row.state == jobs.FAILED:
            assert row.message == jobs.LOST

    @invariant()
    def never_two_runs_hold_the_job(self):
        if not hasattr(self, "job"):
            return
        row = self.row()
        holders = [
            w for w, a in self.held.items() if row.state == jobs.RUNNING and a == row.attempts
        ]
        assert len(holders) <= 1
        assert row.attempts <= jobs.MAX_ATTEMPTS and self.done <= 1
        assert len(self.requeued) <= jobs.MAX_ATTEMPTS - 1


def test_the_lease_rules_hold_whatever_happens(world, short_lease, monkeypatch):
    monkeypatch.setattr(jobs, "KINDS", {})
    monkeypatch.setattr(Leases, "req", world.register(people=[ZHANG]), raising=False)
    run = Leases.TestCase
    run.settings = hsettings(max_examples=60, stateful_step_count=25, deadline=None,
                             suppress_health_check=list(HealthCheck))  # fmt: skip
    run("runTest").runTest()


def test_a_dead_workers_job_is_handed_on_and_its_task_row_closed(world, short_lease, settings):
    """What the worker does at start: the job queued again with a new task, the dead run's
    django-tasks-db row (RUNNING for ever otherwise) marked failed."""
    settings.TASKS = DB_TASKS
    job = a_job(world)
    tasks.run_job.enqueue(job.pk)
    row = DBTaskResult.objects.get()
    row.claim("dead-worker")
    assert jobs.claim(RequestJob, job.pk, now=T0) == 1
    assert jobs.reap(now=T0 + dt.timedelta(seconds=LEASE - 1)) == []  # lease still held
    reaped = jobs.reap(now=T0 + dt.timedelta(seconds=LEASE + 1))
    assert [(r.pk, r.outcome) for r in reaped] == [(job.pk, "retried")]
    job.refresh_from_db()
    assert (job.state, job.attempts, job.step) == ("queued", 1, jobs.RETRYING)
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses.pop(row.pk) == "FAILED"
    assert list(statuses.values()) == ["READY"]  # the retry, for the worker to take
    row.refresh_from_db()
    assert row.exception_class_path.endswith("WorkerLost") and row.traceback == ""


def test_a_retry_that_dies_too_fails_with_a_reason_the_page_shows(world, short_lease):
    job = a_job(world, state="running", attempts=2, lease_until=T0)
    assert [r.outcome for r in jobs.reap(now=T0 + dt.timedelta(seconds=1))] == ["failed"]
    job.refresh_from_db()
    assert job.state == "failed" and job.message == jobs.LOST


def test_a_dead_run_whose_action_was_taken_is_done_not_retried(world, short_lease, settings):
    from gongxin.inquiry import services

    settings.GONGXIN_BACKGROUND_FROM = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    req = world.register(people=[ZHANG])
    job = tasks.enqueue(world.handler, req.pk, "screen")
    attempt = jobs.claim(RequestJob, job.pk)
    services.screen_request(world.handler, req.pk)  # the run committed, then its worker died
    assert attempt == 1
    late = clock.now() + dt.timedelta(seconds=LEASE + 1)
    assert [r.outcome for r in jobs.reap(now=late)] == ["done"]
    job.refresh_from_db()
    assert job.state == "done" and job.message == jobs.SETTLED


def test_the_tasks_command_lists_jobs_without_personal_data(world, short_lease):
    a_job(world, state="running", attempts=1, processed=3, total=8, step="生成并核对复函",
          lease_until=clock.now() + dt.timedelta(seconds=LEASE))  # fmt: skip
    failed = a_job(world, state="failed", attempts=2, message=jobs.LOST)
    out = io.StringIO()
    call_command("tasks", stdout=out)
    text = out.getvalue()
    assert "进行中" in text and "3/8" in text and "生成并核对复函" in text
    assert f"request:{failed.pk}" in text and jobs.LOST in text
    assert ZHANG[0] not in text and ZHANG[1] not in text


def test_the_tasks_command_reaps_and_cancels_a_queued_job(world, short_lease):
    stale = a_job(world, state="running", attempts=2, lease_until=clock.now())
    out = io.StringIO()
    call_command("tasks", "reap", stdout=out)
    assert f"request:{stale.pk}" in out.getvalue()
    stale.refresh_from_db()
    assert stale.state == "failed"
    queued = a_job(world)
    call_command("tasks", "cancel", f"request:{queued.pk}", stdout=io.StringIO())
    queued.refresh_from_db()
    assert queued.state == "failed" and queued.message == jobs.CANCELLED


def test_a_failed_export_is_retried_from_the_command_a_request_action_is_not(world, short_lease):
    from django.core.management.base import CommandError

    from gongxin.audit.models import AuditEvent
    from gongxin.platform.models import BackgroundJob
    from tests.factories import make_staff

    boss = make_staff(world.national, "nat_supervisor", "supervisor")
    export = BackgroundJob.objects.create(
        kind="supervision.national_xlsx", actor=boss, state="failed", attempts=2,
        params={"period_start": "2026-01-01", "period_end": "2026-03-31"}, message=jobs.LOST,
    )  # fmt: skip
    call_command("tasks", "retry", f"export:{export.pk}", stdout=io.StringIO())
    export.refresh_from_db()  # the test settings run the task at once, as a worker would
    assert (export.state, export.attempts, export.message) == ("done", 1, "")
    assert export.filename.endswith(".xlsx") and bytes(export.result)[:2] == b"PK"
    assert AuditEvent.objects.filter(action="tasks.retry", object_id=str(export.pk)).exists()
    failed = a_job(world, state="failed", attempts=2, message=jobs.LOST)
    with pytest.raises(CommandError, match="须由本人在本件页面重新操作"):
        call_command("tasks", "retry", f"request:{failed.pk}")
    with pytest.raises(CommandError, match="只能取消排队中的任务"):
        call_command("tasks", "cancel", f"request:{failed.pk}")
