"""kill -9 of the task worker in the middle of a large request's 签发 (decision 0017).

Run by tests/test_crash_tasks.py in a process of its own (`python -m tests.crash_scenarios
POINTS HOME`), against a SQLite file in HOME or the PostgreSQL database of DATABASE_URL: it
registers and prepares a large request, queues its sign-off, starts the real worker with a
pause point (tests/crash_worker.py), waits until the worker is there, kills it with SIGKILL,
and repeats for each pause point in POINTS (comma-separated); then a plain worker
(`python -m gongxin.cli db-worker`) runs until the job ends. It prints what it saw as one
JSON line: the job, the request, the unit's letter numbers, the audit chain's verdict and
django-tasks-db's rows.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAIT = 180  # seconds a worker may take to reach its pause point or finish the job
LEASE = "2"  # seconds: a dead worker's job is found quickly


def run_crash(points: str, tmp_path: Path, database_url: str | None = None) -> dict:
    """Run the scenario in a process of its own (a SQLite file, or ``database_url``)."""
    from tests.sqlite_scenarios import run_module

    return run_module("tests.crash_scenarios", points, tmp_path, database_url=database_url,
                      timeout=900)  # fmt: skip


def setup(home: Path) -> dict:
    os.environ.update({
        "GONGXIN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "gongxin.settings",
        "GONGXIN_ALLOWED_HOSTS": "testserver", "GONGXIN_TASK_LEASE": LEASE,
        "GONGXIN_BACKGROUND_FROM": "5",
    })  # fmt: skip
    os.environ.pop("GONGXIN_KEY_FILE", None)
    import django
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    django.setup()
    from django.core.management import call_command

    call_command("init", stdout=open(os.devnull, "w"))
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", *command], cwd=ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)  # fmt: skip


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(30)


def wait_for(what: str, ready, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while not ready():
        if proc.poll() is not None:
            raise SystemExit(f"the worker ended before {what}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise SystemExit(f"no {what} within {WAIT} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def prepared_request(world, people: int):
    """A request of ``people`` candidates (ZHANG listed, confirmed by two reviewers), ready
    for 签发."""
    import datetime as dt

    from gongxin.core.synthetic import Generator
    from gongxin.inquiry import services
    from tests.factories import ZHANG, matched_candidates

    today = dt.date(2026, 3, 2)
    gen = Generator(seed=17)
    req = world.register(people=[*[(gen.name(), gen.id_number()) for _ in range(people)], ZHANG])
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    for zhang in matched_candidates(req):
        for reviewer in (world.reviewer_a, world.reviewer_b):
            services.review(reviewer, zhang.pk, "confirm", "一致", today=today)
    return req, req.participants.get(role="signer").staff


def scenario(points: list[str], home: Path) -> dict:
    env = setup(home)
    from django.db import connections
    from django.test import Client

    from gongxin.audit.integrity import verify
    from gongxin.documents.models import Letter
    from gongxin.inquiry import services, tasks
    from gongxin.inquiry.models import InquiryRequest, RequestJob
    from tests.factories import World, sign_in

    world = World(home.parent)
    before, signer = prepared_request(world, 2)  # small: signed at once, letter 1
    services.sign_off(signer, before.pk, confirmed=True)
    req, signer = prepared_request(world, 8)
    assert tasks.in_background(req, "sign_off")
    job = tasks.enqueue(signer, req.pk, "sign_off", confirmed=True)
    log = home / "worker.log"
    worker_options = ["--interval", "0.2", "--no-startup-delay", "--no-reload"]
    seen: dict = {"killed_at": []}
    for n, point in enumerate(points):
        marker = home / f"paused-{n}"
        proc = start(["tests.crash_worker", point, str(marker), *worker_options], env, log)
        try:
            wait_for(f"the pause at {point}", marker.exists, proc, log)
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            stop(proc)
        connections.close_all()
        seen["killed_at"].append(RequestJob.objects.values_list("state", flat=True).get(pk=job.pk))
    killed = time.monotonic()
    proc = start(["gongxin.cli", "db_worker", *worker_options], env, log)
    try:
        wait_for("the job's end", lambda: not RequestJob.objects.get(pk=job.pk).active, proc, log)
        seen["seconds_to_settle"] = round(time.monotonic() - killed, 1)  # reported, not asserted
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        finally:
            stop(proc)
    after, signer = prepared_request(world, 2)  # the next letter after the crash
    services.sign_off(signer, after.pk, confirmed=True)
    from django_tasks_db.models import DBTaskResult

    job = RequestJob.objects.get(pk=job.pk)
    req = InquiryRequest.objects.get(pk=req.pk)
    client = Client()
    sign_in(client, signer.user.username)
    page = client.get(f"/requests/{req.pk}/progress/").content.decode()
    letters = Letter.objects.filter(unit=world.bj).order_by("number")
    verdict = verify()
    return {
        **seen,
        "job": {"state": job.state, "attempts": job.attempts, "message": job.message,
                "processed": job.processed, "total": job.total},
        "request": req.state,
        "letter": getattr(req.current.letter, "number", None),
        "letters": list(letters.values_list("number", flat=True)),
        "sign_offs": world_events(req, "request.sign_off"),
        "audit_ok": verdict.ok, "audit": verdict.describe(),
        "page_says": job.message in page if job.message else None,
        "task_rows": sorted(DBTaskResult.objects.values_list("status", flat=True)),
    }  # fmt: skip


def world_events(req, action: str) -> list[str]:
    from gongxin.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action, object_id=str(req.pk))
                .order_by("seq").values_list("outcome", flat=True))  # fmt: skip


def main() -> None:
    points, home = sys.argv[1].split(","), Path(sys.argv[2])
    home.mkdir(parents=True, exist_ok=True)
    print(json.dumps(scenario(points, home), ensure_ascii=False))


if __name__ == "__main__":
    main()
