"""kill -9 of the task worker in the middle of a large request's 签发 (decision 0017), on a
SQLite file or, when the suite runs on PostgreSQL, on a database of its own there.

The worker is the real one in a process of its own; it is killed with SIGKILL at a pause
point (tests/crash_worker.py), then a plain worker is started. Whatever the point, the
request ends signed with its letter or unsigned without one, the unit's letter numbers have
no gap, the sign-off is taken once, the job is retried at most once, the audit chain
verifies, and django-tasks-db keeps no row RUNNING for ever.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager

import pytest

from gongxin.platform.jobs import LOST, SETTLED
from tests.crash_scenarios import run_crash

pytestmark = pytest.mark.slow


@contextmanager
def database():
    """None (a SQLite file in the home) or, on PostgreSQL, the URL of a fresh database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield None
        return
    import psycopg

    name = f"crash_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def crash(points: str, tmp_path) -> dict:
    with database() as url:
        return run_crash(points, tmp_path, url)


def assert_consistent(seen: dict) -> None:
    assert seen["audit_ok"], seen["audit"]
    assert seen["letters"] == list(range(1, len(seen["letters"]) + 1))  # no number skipped
    assert "RUNNING" not in seen["task_rows"] and "READY" not in seen["task_rows"]
    assert all(state == "running" for state in seen["killed_at"])


@pytest.mark.parametrize("point", ["render", "inside"])
def test_a_sign_off_killed_before_it_commits_is_retried_once_and_signs_one_letter(point, tmp_path):
    seen = crash(point, tmp_path)
    assert_consistent(seen)
    assert seen["job"]["state"] == "done" and seen["job"]["attempts"] == 2
    assert seen["request"] == "signed" and seen["letter"] == 2
    assert seen["letters"] == [1, 2, 3]  # before, this one, the next after the crash
    assert seen["sign_offs"] == ["ok"]


def test_a_sign_off_killed_after_it_committed_is_not_taken_again(tmp_path):
    seen = crash("after", tmp_path)
    assert_consistent(seen)
    assert seen["job"]["state"] == "done" and seen["job"]["attempts"] == 1
    assert seen["job"]["message"] == SETTLED
    assert seen["request"] == "signed" and seen["letter"] == 2
    assert seen["letters"] == [1, 2, 3] and seen["sign_offs"] == ["ok"]


def test_a_sign_off_whose_worker_dies_twice_fails_with_a_reason_and_signs_nothing(tmp_path):
    seen = crash("render,render", tmp_path)
    assert_consistent(seen)
    assert seen["job"]["state"] == "failed" and seen["job"]["attempts"] == 2
    assert seen["job"]["message"] == LOST and seen["page_says"]
    assert seen["request"] == "awaiting_signoff" and seen["letter"] is None
    assert seen["letters"] == [1, 2] and seen["sign_offs"] == []
