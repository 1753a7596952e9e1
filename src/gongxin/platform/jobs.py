"""Crash-safe background work: one lease rule for every kind of background job (decision 0017).

A job row (a large request's 查询/提交/签发, an export, …) is run by whichever worker claims it.
The worker may die at any moment (kill -9, a power cut): then nothing marks the row, and
django-tasks-db leaves its own task row ``RUNNING`` for ever (its worker only picks ``READY``
rows). So every job carries a **lease**: the claim sets ``lease_until``; the running job renews
it (each progress report, and a keeper thread in the worker every quarter of the lease); the
**reaper** (the worker at start and every half lease, and `gongxin tasks reap`) finds jobs
``running`` past their lease and

- marks them done if the kind says their effect is already there (the dead run committed it),
- else queues them again if this was their first attempt (``attempts`` < MAX_ATTEMPTS),
- else ends them ``failed`` with a Chinese reason the page shows.

``attempts`` is the fencing token: a claim, a renewal and a finish each update the row only if
it still carries the attempt they belong to, so a run that lost its lease (a stalled worker)
can neither renew it nor finish over the retry. Effects themselves must be idempotent by
their own rule: a kind's effect is one transaction that checks, under a lock, that it has not
happened yet (the request's state for a sign-off, whose letter number is taken inside that
transaction), or the job's result stored in the same transaction as ``done``.

The rules are written against any model with the fields of ``LeasedJob``; a kind registers its
model and how to hand a job to the worker again (``register``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections, models, transaction

from gongxin.core import clock

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ACTIVE = (QUEUED, RUNNING)
STATE_LABELS = {QUEUED: "排队中", RUNNING: "进行中", DONE: "已完成", FAILED: "失败"}
MAX_ATTEMPTS = 2  # the first run and one retry: never a third
RETRYING = "后台任务程序中断，等待重试"
LOST = "后台任务程序在办理中两次中断，已停止办理；请查看本件当前状态，需要时重新操作"
SETTLED = "后台任务程序中断前已办理完成"
CANCELLED = "已由系统管理员取消，未做任何改动"


class LeasedJob(models.Model):
    """The fields every background job row carries: its state, its progress (counts and the
    current step, no personal data), the Chinese reason of a failure, and the lease."""

    state = models.CharField("状态", max_length=10, default=QUEUED,
                             choices=list(STATE_LABELS.items()))  # fmt: skip
    processed = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    step = models.CharField("当前步骤", max_length=30, blank=True)
    message = models.CharField("失败原因", max_length=300, blank=True)
    created_at = models.DateTimeField("提交时间", default=clock.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("办理次数", default=0)
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def percent(self) -> int:
        return 100 * self.processed // self.total if self.total else 0


@dataclass(frozen=True)
class Kind:
    """One kind of background job. ``requeue(pk)`` hands the job to the worker again (called
    inside the reaper's transaction); ``task_path`` names the django-tasks task that runs it
    (its orphaned row is closed when the job is reaped); ``settled(job)`` says whether a job
    whose worker died had already committed its effect (None: the effect and ``done`` are
    committed together, so it never has); ``describe(job)`` is the CLI's one line (no
    personal data); ``retryable``: whether `gongxin tasks retry` may queue a failed one again
    (else ``retry_refusal`` says why not)."""

    name: str
    label: str
    model: type[models.Model]
    requeue: Callable[[int], None]
    task_path: str
    settled: Callable[[models.Model], bool] | None = None
    describe: Callable[[models.Model], str] = lambda job: ""
    retryable: bool = False
    retry_refusal: str = ""


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.name] = kind


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.GONGXIN_TASK_LEASE)


def claim(model, pk: int, *, now: dt.datetime | None = None, **fields) -> int | None:
    """Take a queued job: its attempt number, or None if it is not queued (run already, or
    taken by another worker: a task delivered twice runs once). One conditional UPDATE."""
    now = now or clock.now()
    tried = model.objects.filter(pk=pk, state=QUEUED).values_list("attempts", flat=True).first()
    if tried is None or tried >= MAX_ATTEMPTS:
        return None
    taken = model.objects.filter(pk=pk, state=QUEUED, attempts=tried).update(
        state=RUNNING, attempts=tried + 1, lease_until=now + lease(), started_at=now, **fields
    )
    return tried + 1 if taken else None


def renew(model, pk: int, attempt: int, *, now: dt.datetime | None = None, **fields) -> bool:
    """Extend the lease of the run ``attempt`` (and write its progress ``fields``); False if
    the run no longer holds the job (reaped and retried, or finished)."""
    now = now or clock.now()
    return bool(
        model.objects.filter(pk=pk, state=RUNNING, attempts=attempt).update(
            lease_until=now + lease(), **fields
        )
    )


def finish(model, pk: int, attempt: int, state: str, message: str = "", *,
           now: dt.datetime | None = None, **fields) -> bool:  # fmt: skip
    """End the run ``attempt`` as ``done`` or ``failed``; False if it no longer holds the job."""
    fields.setdefault("step", "" if state == DONE else "已停止")
    held = model.objects.filter(pk=pk, state=RUNNING, attempts=attempt)
    return bool(held.update(state=state, message=message[:300], finished_at=now or clock.now(),
                            lease_until=None, **fields))  # fmt: skip


@dataclass(frozen=True)
class Reaped:
    kind: str
    pk: int
    outcome: str  # "done", "retried" or "failed"


def reap(*, now: dt.datetime | None = None) -> list[Reaped]:
    """Settle every job whose run lost its lease: done, queued again once, or failed."""
    now = now or clock.now()
    reaped = []
    for kind in KINDS.values():
        expired = kind.model.objects.filter(state=RUNNING, lease_until__lt=now)
        for job in expired.order_by("pk"):
            outcome = _reap_one(kind, job, now)
            if outcome:
                reaped.append(Reaped(kind.name, job.pk, outcome))
    if reaped:
        log.warning("reaped background jobs: %s",
                    ", ".join(f"{r.kind}#{r.pk} {r.outcome}" for r in reaped))  # fmt: skip
    return reaped


def _reap_one(kind: Kind, job, now: dt.datetime) -> str | None:
    held = kind.model.objects.filter(
        pk=job.pk, state=RUNNING, attempts=job.attempts, lease_until__lt=now
    )
    with transaction.atomic():
        if kind.settled is not None and kind.settled(job):
            outcome, fields = DONE, {"state": DONE, "step": "", "message": SETTLED,
                                     "finished_at": now, "processed": job.total}  # fmt: skip
        elif job.attempts < MAX_ATTEMPTS:
            outcome, fields = "retried", {"state": QUEUED, "step": RETRYING}
        else:
            outcome, fields = FAILED, {"state": FAILED, "step": "已停止", "message": LOST,
                                       "finished_at": now}  # fmt: skip
        if not held.update(lease_until=None, **fields):
            return None  # renewed meanwhile, or another reaper was first
        _close_orphaned_task(kind, job.pk, now)
        if outcome == "retried":
            kind.requeue(job.pk)
    return outcome


class WorkerLost(Exception):
    """The worker running this task died (recorded on django-tasks-db's orphaned row)."""


def _close_orphaned_task(kind: Kind, pk: int, now: dt.datetime) -> None:
    """django-tasks-db never looks at a RUNNING row again: close the dead run's row."""
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(status="RUNNING", task_path=kind.task_path)
    dead = [r.pk for r in rows.only("pk", "args_kwargs") if r.args_kwargs.get("args") == [pk]]
    if dead:
        DBTaskResult.objects.filter(pk__in=dead).update(
            status="FAILED", finished_at=now, traceback="",
            exception_class_path=f"{__name__}.{WorkerLost.__qualname__}",
        )  # fmt: skip


# The worker side: the leases this process holds, renewed by one keeper thread.
_held: dict[tuple[type, int], int] = {}
_held_lock = threading.Lock()
_keeper: threading.Thread | None = None
_stop = threading.Event()


@contextmanager
def holding(model, pk: int, attempt: int) -> Iterator[None]:
    """While the block runs, the keeper (if this process has one) renews the job's lease."""
    with _held_lock:
        _held[(model, pk)] = attempt
    try:
        yield
    finally:
        with _held_lock:
            _held.pop((model, pk), None)


def keep(*, reap_too: bool = True) -> threading.Thread:
    """Start this process's keeper thread: every quarter lease it renews the leases of the
    jobs the process runs, and every half lease it reaps. For worker processes."""
    global _keeper
    if _keeper is not None and _keeper.is_alive():
        return _keeper
    _stop.clear()
    _keeper = threading.Thread(target=_keep, args=(reap_too,), name="gongxin-job-keeper",
                               daemon=True)  # fmt: skip
    _keeper.start()
    return _keeper


def stop_keeping() -> None:
    _stop.set()


def _keep(reap_too: bool) -> None:
    beat = settings.GONGXIN_TASK_LEASE / 4
    ticks = 0
    while not _stop.wait(beat):
        ticks += 1
        try:
            with _held_lock:
                held = list(_held.items())
            for (model, pk), attempt in held:
                renew(model, pk, attempt)
            if reap_too and ticks % 2 == 0:
                reap()
        except DatabaseError as exc:  # a busy database: the next beat tries again
            log.warning("job keeper: %s", type(exc).__name__)
        finally:
            close_old_connections()
