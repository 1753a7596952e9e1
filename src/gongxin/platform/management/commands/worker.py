"""`gongxin worker`: the background-task worker, a service of its own.

django-tasks-db's db_worker with Gongxin's defaults: every queue, a look for new tasks every
half second (GONGXIN_WORKER_INTERVAL), and the task in hand finished or left to be taken up
again on SIGTERM. Run one or more per installation (each node may run one: a task is taken by
one worker only, the database's row lock decides)."""

from __future__ import annotations

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "后台任务程序：执行排队的任务（导入、签发、导出等），作为独立服务运行。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float,
                            default=float(os.environ.get("GONGXIN_WORKER_INTERVAL", "0.5")),
                            help="无任务时每隔多少秒查看一次（默认 0.5）")  # fmt: skip
        parser.add_argument("--batch", action="store_true", help="执行完已排队的任务即退出")

    def handle(self, interval, batch, **options):
        call_command("db_worker", queue_name="*", interval=interval, batch=batch, reload=False,
                     verbosity=options["verbosity"])  # fmt: skip
