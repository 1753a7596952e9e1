"""No single user stops the service: while a big list import or a sign-off is held open
mid-way, another person signs in and registers a request without waiting for it.

Each scenario runs in a process of its own on a real SQLite file database in WAL mode (see
tests/sqlite_scenarios.py): the SQLite test database of pytest-django lives in memory, where
the write lock does not behave as on a server. Before imports were staged, the sign-in below
failed with "database is locked" after the busy timeout.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's write lock; the PostgreSQL pass has row locks"
)


def scenario(name: str, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGXIN_KEY_FILE")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    proc = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_scenarios", name, str(tmp_path / "home")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_while_a_big_import_is_held_mid_way_another_person_signs_in_and_registers(tmp_path):
    seen = scenario("import", tmp_path)
    assert seen["while_held"] == {
        "sign_in": 302, "sign_in_to": "/", "register": 302, "registered": True,
    }  # fmt: skip
    assert seen["import_still_held"]
    # The staged rows are not screened until the import is switched on, all at once.
    assert seen["staged"] == ["done", "staging"]
    assert seen["match_while_held"] == ["none"]
    assert seen["import_error"] is None
    assert seen["match_after"] == ["exact"]


def test_while_a_sign_off_is_held_mid_way_another_person_signs_in_and_registers(tmp_path):
    seen = scenario("sign_off", tmp_path)
    assert seen["while_held"] == {
        "sign_in": 302, "sign_in_to": "/", "register": 302, "registered": True,
    }  # fmt: skip
    assert seen["sign_off_still_held"]
    assert (seen["sign_off_error"], seen["signed"]) == (None, "signed")
