"""`gongxin serve`: the web server and the background-task worker, as one command.

The worker (django-tasks' database backend, `gongxin db-worker`) runs as a child process; both
stop on Ctrl-C. With the autoreloader the worker is started once, by the watching process, not
again by each reloaded server. Production runs the two as separate services."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

WORKER = [sys.executable, "-m", "gongxin.cli", "db-worker", "--interval", "0.5"]


class Command(BaseCommand):
    help = "启动网页服务和后台任务程序（演示和开发用；生产环境分别作为两项服务运行）。"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--noreload", action="store_true", help="代码改动后不自动重启")

    def handle(self, addrport, noreload, **options):
        worker = None
        # A supervisor's SIGTERM ends the worker too (through the finally below).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        if os.environ.get("RUN_MAIN") != "true":  # not a reloaded child: start the one worker
            worker = subprocess.Popen(WORKER)  # noqa: S603 - our own command, fixed arguments
            self.stdout.write(f"后台任务程序已启动（进程 {worker.pid}）")
        try:
            call_command("runserver", addrport, use_reloader=not noreload)
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
