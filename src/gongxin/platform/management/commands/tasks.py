"""`gongxin tasks`: the background jobs an operator looks after (decision 0017).

    gongxin tasks                 queued, running and failed jobs with their progress
    gongxin tasks --all           finished ones too (the last 200)
    gongxin tasks reap            settle jobs whose worker died (what the worker does by itself)
    gongxin tasks retry KIND:ID   run a failed job again, where its kind allows it
    gongxin tasks cancel KIND:ID  stop a queued job before a worker takes it

A line names the job by kind and number, its state, attempts, progress and step, and a
failure's Chinese reason: counts and states only, never a candidate. Retrying and
cancelling are recorded in the audit trail (the operator as ``cli:<user>``)."""

from __future__ import annotations

import getpass
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gongxin.core import clock
from gongxin.platform import jobs
from gongxin.platform.trail import record

SHOWN = 200


def operator() -> str:
    return f"cli:{os.environ.get('GONGXIN_OPERATOR') or getpass.getuser()}"


class Command(BaseCommand):
    help = "后台任务：列出排队中、进行中和失败的任务及进度；处理中断的任务；重试或取消。"

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", default="list",
                            choices=["list", "reap", "retry", "cancel"])  # fmt: skip
        parser.add_argument("job", nargs="?", help="任务，如 request:12 或 export:3")
        parser.add_argument("--all", action="store_true", help="也列出已完成的任务")

    def handle(self, action, job, all, **options):
        if action == "list":
            return self.list(all)
        if action == "reap":
            reaped = jobs.reap()
            for r in reaped:
                self.stdout.write(f"{r.kind}:{r.pk} {REAP_LABELS[r.outcome]}")
            self.stdout.write(f"处理了{len(reaped)}个中断的任务")
            return
        kind, pk = self.find(job)
        (self.retry if action == "retry" else self.cancel)(kind, pk)

    def list(self, everything: bool) -> None:
        rows = []
        for kind in jobs.KINDS.values():
            qs = kind.model.objects.all()
            if not everything:
                qs = qs.filter(state__in=[*jobs.ACTIVE, jobs.FAILED])
            rows += [(kind, job) for job in qs.order_by("-created_at", "-pk")[:SHOWN]]
        rows.sort(key=lambda r: r[1].created_at, reverse=True)
        if not rows:
            self.stdout.write("没有排队中、进行中或失败的后台任务")
        for kind, job in rows[:SHOWN]:
            when = clock.local(job.created_at).strftime("%Y-%m-%d %H:%M")
            line = (f"{kind.name}:{job.pk}  {jobs.STATE_LABELS.get(job.state, job.state)}  "
                    f"第{job.attempts}次  {job.processed}/{job.total}（{job.percent}%）  "
                    f"{kind.label} {kind.describe(job)}  提交于{when}")  # fmt: skip
            if job.step:
                line += f"  {job.step}"
            if job.message:
                line += f"  {job.message}"
            self.stdout.write(line)

    def find(self, name: str | None):
        kind_name, _, pk = (name or "").partition(":")
        kind = jobs.KINDS.get(kind_name)
        if kind is None or not pk.isdigit():
            raise CommandError(f"请写明任务，如 request:12（种类：{'、'.join(jobs.KINDS)}）")
        if not kind.model.objects.filter(pk=int(pk)).exists():
            raise CommandError(f"没有任务 {name}")
        return kind, int(pk)

    def retry(self, kind: jobs.Kind, pk: int) -> None:
        if not kind.retryable:
            raise CommandError(f"{kind.label}不能从命令行重试：{kind.retry_refusal}")
        with transaction.atomic():
            if not kind.model.objects.filter(pk=pk, state=jobs.FAILED).update(
                state=jobs.QUEUED, attempts=0, message="", step="等待后台任务程序",
                finished_at=None, processed=0,
            ):  # fmt: skip
                raise CommandError("只能重试失败的任务")
            record(operator(), "tasks.retry", ref=(kind.model.__name__, pk))
            kind.requeue(pk)
        self.stdout.write(f"{kind.name}:{pk} 已重新排队")

    def cancel(self, kind: jobs.Kind, pk: int) -> None:
        with transaction.atomic():
            if not kind.model.objects.filter(pk=pk, state=jobs.QUEUED).update(
                state=jobs.FAILED, message=jobs.CANCELLED, step="已停止",
                finished_at=clock.now(),
            ):  # fmt: skip
                raise CommandError("只能取消排队中的任务（进行中的任务不能中途停止；工作程序"
                                   "中断的任务在租约到期后自动重试一次）")  # fmt: skip
            record(operator(), "tasks.cancel", ref=(kind.model.__name__, pk))
        self.stdout.write(f"{kind.name}:{pk} 已取消")


REAP_LABELS = {
    "done": "已办理完成",
    "retried": "已重新排队（重试一次）",
    "failed": "已停止（失败）",
}
