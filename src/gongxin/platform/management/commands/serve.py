"""`gongxin serve`: the production web server (gunicorn, gongxin.platform.server).

The background-task worker is a service of its own (`gongxin worker`). Two conveniences start
one beside the server, as a child process stopped with it: ``--with-worker`` (what `make demo`
runs: one command, one Ctrl-C) and ``--dev`` (Django's runserver, restarted when the code
changes; with the autoreloader the worker is started once, by the watching process, not again
by each reloaded server)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from gongxin.platform import server

WORKER = [sys.executable, "-m", "gongxin.cli", "worker"]


def start_worker(stdout) -> subprocess.Popen:
    worker = subprocess.Popen(WORKER)  # noqa: S603 - our own command, fixed arguments
    stdout.write(f"后台任务程序已启动（进程 {worker.pid}）")
    return worker


def stop_worker(worker: subprocess.Popen | None) -> None:
    """SIGTERM: the worker finishes the task in hand, or leaves it to be taken up again."""
    if worker is None or worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


class Command(BaseCommand):
    help = (
        "启动网页服务（gunicorn，多进程多线程，静态文件由本服务提供）。后台任务程序是另一项服务"
        "（gongxin worker）；--with-worker 同时启动一个（演示用），--dev 为开发模式。"
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000",
                            help="监听地址和端口（默认 127.0.0.1:8000）")  # fmt: skip
        parser.add_argument("--with-worker", action="store_true",
                            help="同时启动后台任务程序，随网页服务一起停止")  # fmt: skip
        parser.add_argument("--dev", action="store_true",
                            help="开发模式：代码改动后自动重启，并启动后台任务程序")  # fmt: skip
        parser.add_argument("--noreload", action="store_true", help="开发模式下不自动重启")

    def handle(self, addrport, with_worker, dev, noreload, **options):
        if dev:
            return self._dev(addrport, noreload)
        if ":" not in addrport:
            addrport = f"127.0.0.1:{addrport}"
        self._cache_table()
        server.collect_static(self.stdout)
        worker = start_worker(self.stdout) if with_worker else None
        master = os.getpid()
        try:
            # gunicorn's master: SIGTERM stops it gracefully (requests in progress finish).
            server.run(addrport, on_exit=lambda: stop_worker(worker))
        finally:
            # A gunicorn worker (forked from here) leaves through this too: only the master
            # stops the task worker.
            if os.getpid() == master:
                stop_worker(worker)

    def _cache_table(self):
        """The shared cache's table (settings.CACHES), made by `gongxin init`; made here too
        for a database only migrated, or restored from an older dump."""
        try:
            call_command("createcachetable", verbosity=0)
        except DatabaseError as exc:  # no database yet, or another node made it meanwhile
            self.stderr.write(
                f"提示：未能检查缓存表（{type(exc).__name__}）；请确认已执行 gongxin init"
            )

    def _dev(self, addrport, noreload):
        worker = None
        # A supervisor's SIGTERM ends the worker too (through the finally below).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        if os.environ.get("RUN_MAIN") != "true":  # not a reloaded child: start the one worker
            self._cache_table()
            server.collect_static(self.stdout)
            worker = start_worker(self.stdout)
        try:
            call_command("runserver", addrport, use_reloader=not noreload)
        except KeyboardInterrupt:
            pass
        finally:
            stop_worker(worker)
