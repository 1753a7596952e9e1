"""Exports through the task queue: one path for every download that may take long (0017).

An export view names its work (``Work``: how to build the file from JSON parameters, as the
person who asked) and calls ``respond``. A small export (under
``settings.GONGXIN_BACKGROUND_EXPORT_FROM`` rows read) is built at once, as before; a large one
becomes a ``BackgroundJob`` that the worker builds, and the same URL with ``?job=N`` shows its
progress (refreshed by a meta refresh, no script) and then offers the file. The file is stored
in the database, so whichever node serves the next page can hand it out; only the person who
asked gets it, through the same view and so the same permission, and each hand-out records
the view's audit event as the direct download did.
"""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django_tasks import task

from gongxin.platform import jobs
from gongxin.platform.errors import InvalidSubmission, WorkflowError
from gongxin.platform.models import BackgroundJob

log = logging.getLogger(__name__)
REFRESH_SECONDS = 2


@dataclass(frozen=True)
class Output:
    """A built file and what its download's audit event says (no personal data)."""

    body: bytes
    filename: str
    content_type: str
    detail: dict = field(default_factory=dict)


Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Work:
    """A kind of background job. An export's ``build(actor, params, progress)`` makes the file
    as ``actor`` would see it. A job with an effect (``effect=True``: a spot-check draw) is
    ``build(actor, params, progress, complete)`` and must call ``complete(result_url=…)``
    inside the transaction of its effect: it marks the job done in that transaction, and
    raises LeaseLost (rolling the effect back) if this run no longer holds the job, so the
    effect and ``done`` commit together or not at all. ``params`` are JSON, without
    personal data."""

    kind: str
    label: str
    build: Callable[..., Output | None]
    effect: bool = False


class LeaseLost(Exception):
    """This run's job was reaped and handed on: its effect must not commit."""


WORK: dict[str, Work] = {}


def register_work(work: Work) -> None:
    WORK[work.kind] = work


def _quiet(done: int, total: int, step: str) -> None:
    pass


def respond(request, kind: str, params: dict, *, size: int, audit: Callable[[dict], None]):
    """The export view's answer: the file at once (small), a job queued for it (large), or,
    with ``?job=N``, that job's page and, with ``&file=1``, its file. ``audit(detail)``
    records the view's event when a file is handed out."""
    work = WORK[kind]
    if "job" in request.GET:
        return _job(request, work, audit)
    if size < settings.GONGXIN_BACKGROUND_EXPORT_FROM:
        out = work.build(request.staff, params, _quiet)
        with transaction.atomic():
            audit(out.detail)
        return download(out.body, out.filename, out.content_type)
    return queue(request, kind, params, total=size)


def queue(request, kind: str, params: dict, *, total: int = 0, to: str | None = None):
    """Record a job of ``kind`` for the person and hand it to the worker; the answer sends
    them to its page: the same URL with ``?job=N``, or ``to`` with it (a POST-only action's
    page of its own)."""
    job = BackgroundJob.objects.create(kind=kind, actor=request.staff, params=params,
                                       total=total, step="等待后台任务程序")  # fmt: skip
    try:
        run_background.enqueue(job.pk)
    except Exception:
        _fail_queued(job.pk)
        raise
    return redirect(f"{to}?job={job.pk}" if to else _url(request, job=job.pk))


def _url(request, **extra) -> str:
    query = {k: v for k, v in request.GET.items() if k not in ("job", "file")}
    return f"{request.path}?{urlencode({**query, **extra})}"


def page(request, kind: str):
    """The page of the person's job of ``kind`` named by ``?job=N`` (404 if none such)."""
    return _job(request, WORK[kind], None)


def _job(request, work: Work, audit):
    pk = request.GET.get("job", "")
    job = BackgroundJob.objects.filter(pk=int(pk) if pk.isdigit() else 0, kind=work.kind,
                                       actor=request.staff).first()  # fmt: skip
    if job is None:  # another person's, or none: as if it did not exist
        raise Http404
    if audit is not None and request.GET.get("file") and job.state == jobs.DONE:
        with transaction.atomic():
            audit(job.detail)
        return download(bytes(job.result), job.filename, job.content_type)
    return render(request, "platform/background_job.html", {
        "job": job, "label": work.label, "file_url": _url(request, job=job.pk, file=1),
        "refresh": REFRESH_SECONDS if job.active else None,
    })  # fmt: skip


def download(body: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file as an attachment named ``filename``, never cached."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@task()
def run_background(job_id: int) -> None:
    """The worker's side: build the file as the person who asked; the file and ``done`` are
    one UPDATE, so a run killed before it leaves nothing and is retried once (jobs.reap)."""
    attempt = jobs.claim(BackgroundJob, job_id, step="开始办理")
    if attempt is None:  # run already, or by another worker
        return
    job = BackgroundJob.objects.select_related("actor").get(pk=job_id)

    def progress(done: int, total: int, step: str) -> None:
        jobs.renew(BackgroundJob, job_id, attempt, processed=done, total=total, step=step)

    def complete(**fields) -> None:
        if not jobs.finish(BackgroundJob, job_id, attempt, jobs.DONE, processed=job.total,
                           **fields):  # fmt: skip
            raise LeaseLost

    work = WORK[job.kind]
    with jobs.holding(BackgroundJob, job_id, attempt):
        try:
            if work.effect:
                work.build(job.actor, job.params, progress, complete)
                return
            out = work.build(job.actor, job.params, progress)
        except LeaseLost:
            log.warning("background job %s lost its lease; its effect was rolled back", job_id)
        except WorkflowError as exc:  # the service refused (and recorded it)
            jobs.finish(BackgroundJob, job_id, attempt, jobs.FAILED, f"未办理：{exc.message}")
        except InvalidSubmission as exc:
            reasons = "；".join(f"{p.field}：{p.reason}" for p in exc.problems)
            jobs.finish(BackgroundJob, job_id, attempt, jobs.FAILED, f"未办理：{reasons}")
        except Exception as exc:  # never a traceback in the task table: it may quote data
            jobs.finish(BackgroundJob, job_id, attempt, jobs.FAILED, _failure(exc))
        else:
            complete(result=out.body, filename=out.filename, content_type=out.content_type,
                     detail=out.detail)  # fmt: skip


def _failure(exc: BaseException) -> str:
    ref = secrets.token_hex(4)
    log.error("background export failed (ref %s): %s\n%s", ref, type(exc).__name__,
              "".join(traceback.format_tb(exc.__traceback__)))  # fmt: skip
    return f"后台任务出错，未生成文件，请联系系统管理员（错误编号 {ref}）"


def _fail_queued(job_id: int) -> None:
    BackgroundJob.objects.filter(pk=job_id, state=jobs.QUEUED).update(
        state=jobs.FAILED, message=_failure(RuntimeError("enqueue")), step="已停止"
    )


def describe(job: BackgroundJob) -> str:
    work = WORK.get(job.kind)
    return work.label if work else job.kind


jobs.register(jobs.Kind(
    name="export", label="导出", model=BackgroundJob,
    requeue=lambda pk: run_background.enqueue(pk), task_path=f"{__name__}.run_background",
    describe=describe, retryable=True,
))  # fmt: skip
