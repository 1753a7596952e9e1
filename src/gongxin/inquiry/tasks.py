"""A large request's 查询 and 提交, and every 签发, run in the background (decision 0010).

A request of ``settings.GONGXIN_BACKGROUND_FROM`` candidates or more is not screened or
submitted while the person waits, nor is any request signed (``GONGXIN_BACKGROUND_SIGN_FROM``,
by default every one): the page or API action checks the rule, records a ``RequestJob`` and
enqueues ``run_job`` on django-tasks' database backend; the worker (``gongxin worker``) runs
the same service as the same person, which checks the rule again under the request's lock and
writes the one audit event. The job row carries the progress the page shows, and the Chinese
reason when it failed.

Never twice: at most one job per request is queued or running (a database constraint, so a
double click is refused); a run claims its job with one conditional UPDATE (queued → running),
so a task delivered twice runs once; and a run whose request moved on since the enqueue (its
state, round or screenings changed) does nothing. A run whose worker died is found by its
expired lease and retried once unless its action's audit event shows it was taken
(gongxin.platform.jobs, decision 0017).
"""

from __future__ import annotations

import functools
import logging
import secrets
import traceback

from django.conf import settings
from django.db import IntegrityError, transaction
from django_tasks import task

from gongxin.accounts.models import RULE_PREFETCH, Staff
from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.inquiry import services
from gongxin.inquiry.choices import ACTIVE_JOB_STATES, JobState
from gongxin.inquiry.models import Candidate, InquiryRequest, RequestJob
from gongxin.inquiry.rules import RULES
from gongxin.inquiry.services.actions import act
from gongxin.inquiry.services.signing import require_confirmation
from gongxin.platform import jobs
from gongxin.platform.errors import WorkflowError

log = logging.getLogger(__name__)

SERVICES = {
    "screen": services.screen_request,
    "submit": services.submit,
    # The signer confirmed when the job was queued (enqueue asks require_confirmation).
    "sign_off": functools.partial(services.sign_off, confirmed=True),
}
# Progress is counted in candidates (查询) or in steps (the service's progress reports).
STEPS = {"submit": 1, "sign_off": 3}
BUSY = "本件已有后台办理正在进行，请等待完成后再操作"
MOVED_ON = "提交后本件的办理状态已有变化，后台办理未执行，未做任何改动"


def background_from(action: str) -> int:
    """From how many candidates ``action`` runs in the background (SERVICES' actions)."""
    if action == "sign_off":
        return settings.GONGXIN_BACKGROUND_SIGN_FROM
    return settings.GONGXIN_BACKGROUND_FROM


def in_background(req: InquiryRequest, action: str) -> bool:
    """Whether ``action`` on ``req`` runs as a background task (a large request, or any
    签发 by default): the one rule the page and the API ask."""
    return action in SERVICES and Candidate.objects.current(req).count() >= background_from(action)


def _basis(req: InquiryRequest) -> str:
    return f"{req.state}/{req.round}/{req.screenings.count()}"


def enqueue(actor, request_id: int, action: str, *, confirmed: bool = False) -> RequestJob:
    """Check the rule, record the job, hand it to the worker. A refusal (the rule, a 签发 not
    confirmed, or a job already queued or running) changes nothing and is recorded as the
    action's refusal."""
    with act(actor, request_id, action, background=True) as req:
        if action == "sign_off":
            require_confirmation(confirmed)
        if req.jobs.filter(state__in=ACTIVE_JOB_STATES).exists():
            raise WorkflowError("busy", BUSY)
        try:
            with transaction.atomic():
                job = RequestJob.objects.create(
                    request=req, action=action, actor=actor, basis=_basis(req),
                    total=STEPS.get(action) or Candidate.objects.current(req).count(),
                    step="等待后台任务程序",
                )  # fmt: skip
        except IntegrityError:  # another click won the race (the constraint)
            raise WorkflowError("busy", BUSY) from None
    try:
        run_job.enqueue(job.pk)
    except Exception:
        _finish(job.pk, JobState.FAILED, _failure("enqueue"))
        raise
    return job


def current_job(req: InquiryRequest) -> RequestJob | None:
    """The job the request page shows: one queued or running, or the last one if it failed
    and nothing happened since, or if it finished in the last ten minutes."""
    job = req.jobs.select_related("actor").order_by("-created_at", "-pk").first()
    if job is None:
        return None
    job.action_label = RULES[job.action].label
    if job.active or (job.state == JobState.FAILED and job.basis == _basis(req)):
        return job
    recent = job.finished_at and (clock.now() - job.finished_at).total_seconds() < 600
    return job if recent else None


@task()
def run_job(job_id: int) -> None:
    """The worker's side: run the job's service as the person who asked, once (a retry after
    a dead worker is the same run again: gongxin.platform.jobs)."""
    attempt = jobs.claim(RequestJob, job_id, step="开始办理")
    if attempt is None:  # already run, or running elsewhere: a second delivery does nothing
        return
    job = RequestJob.objects.get(pk=job_id)
    actor = Staff.objects.prefetch_related(*RULE_PREFETCH).get(pk=job.actor_id)
    req = InquiryRequest.objects.get(pk=job.request_id)
    if _basis(req) != job.basis:
        if attempt > 1 and settled(job):  # the run that lost its lease committed it after all
            jobs.finish(RequestJob, job_id, attempt, JobState.DONE, processed=job.total)
        else:
            jobs.finish(RequestJob, job_id, attempt, JobState.FAILED, MOVED_ON)
        return

    def progress(done: int, total: int, step: str) -> None:
        jobs.renew(RequestJob, job_id, attempt, processed=done, total=total, step=step)

    with jobs.holding(RequestJob, job_id, attempt):
        try:
            SERVICES[job.action](actor, job.request_id, progress=progress)
        except WorkflowError as exc:  # refused under the lock (the service recorded it)
            jobs.finish(RequestJob, job_id, attempt, JobState.FAILED, f"未办理：{exc.message}")
        except Exception as exc:  # never a traceback in the task table: it may quote data
            jobs.finish(RequestJob, job_id, attempt, JobState.FAILED,
                        _failure(type(exc).__name__, exc))  # fmt: skip
        else:
            total = RequestJob.objects.values_list("total", flat=True).get(pk=job_id)
            jobs.finish(RequestJob, job_id, attempt, JobState.DONE, processed=total)


def settled(job: RequestJob) -> bool:
    """Whether the job's action was taken on its request since the job was queued, by the
    person who asked: the service's audit event, written in the action's own transaction,
    is there exactly when its effect is (so a dead worker's run is not taken again)."""
    return AuditEvent.objects.filter(
        action=f"request.{job.action}", object_type="InquiryRequest",
        object_id=str(job.request_id), outcome="ok", at__gte=job.created_at,
        actor=job.actor.user.username,
    ).exists()  # fmt: skip


def describe(job: RequestJob) -> str:
    """The CLI's line for a job: the request's number, the action, its progress (no data)."""
    return f"查询需求#{job.request_id} {RULES[job.action].label} {job.processed}/{job.total}"


jobs.register(jobs.Kind(
    name="request", label="查询需求办理", model=RequestJob,
    requeue=lambda pk: run_job.enqueue(pk), task_path=f"{__name__}.run_job",
    settled=settled, describe=describe,
    retry_refusal="须由本人在本件页面重新操作，届时再次核对办理条件",
))  # fmt: skip


def _failure(kind: str, exc: BaseException | None = None) -> str:
    ref = secrets.token_hex(4)
    frames = "".join(traceback.format_tb(exc.__traceback__)) if exc is not None else ""
    log.error("background job failed (ref %s): %s\n%s", ref, kind, frames)
    return f"后台办理出错，未做任何改动，请联系系统管理员（错误编号 {ref}）"


def _finish(job_id: int, state: str, message: str, **fields) -> None:
    RequestJob.objects.filter(pk=job_id).update(
        state=state, message=message[:300], finished_at=clock.now(),
        step="" if state == JobState.DONE else "已停止", **fields,
    )  # fmt: skip
