"""`gongxin db-worker`: django-tasks-db's worker with the leases of decision 0017.

At start the worker settles the jobs a dead worker left running (gongxin.platform.jobs.reap);
while it runs, a keeper thread renews the leases of the jobs it runs and reaps every half
lease, so a job whose worker was killed is retried once by whichever worker is alive.
Everything else (options, claiming with SKIP LOCKED, signals) is django-tasks-db's."""

from __future__ import annotations

from django_tasks_db.management.commands import db_worker

from gongxin.platform import jobs


class Worker(db_worker.Worker):
    def run(self) -> None:
        jobs.reap()
        jobs.keep()
        try:
            super().run()
        finally:
            jobs.stop_keeping()


class Command(db_worker.Command):
    help = "运行后台任务程序（租约到期的任务在启动时和运行中重试一次，见决策记录 0017）。"

    def handle(self, *args, **options):
        # django-tasks-db builds its Worker by name inside handle: give it ours.
        original = db_worker.Worker
        db_worker.Worker = Worker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
