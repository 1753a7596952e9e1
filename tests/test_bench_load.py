"""The load benchmark (bench/load/) at a tiny size: the driver builds its store, readies the
staff accounts (TOTP devices, a workstation, certificates), starts a node and a task worker,
and two locust users sign in with their codes and work for a few seconds without one error.
Not a timing test: the figures are printed, never compared."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_users_sign_in_and_work_against_one_node_without_errors(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGXIN_HOME")}
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, "bench/load/driver.py", "--requests", "100", "--entries", "2000",
         "--users", "2", "--spawn-rate", "2", "--duration", "6", "--nodes", "1", "--workers",
         "1", "--threads", "2", "--port", str(free_port()), "--workdir", str(tmp_path),
         "--json", str(figures)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "errors: 0;" in done.stdout
    run = json.loads(figures.read_text())["runs"]["1-node"]["rows"]
    # Each user signed in on the page with its TOTP code; the first (one in five) also took an
    # API token with the next code.
    assert run["sign-in"]["n"] == 2 and run["api token"]["n"] == 1
    assert run["overall"]["errors"] == 0 and run["overall"]["n"] > 4
    assert not list(tmp_path.glob("bench_load_*"))  # not kept: the home is gone
