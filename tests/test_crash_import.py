"""A list import killed with SIGKILL mid-way (decisions 0009, 0018): a real `gongxin lists
import` process, on the database the suite runs on (its own SQLite file, or a database of its
own on the PostgreSQL server of DATABASE_URL, written with COPY there).

While the import is staged and after it is killed, screening answers exactly as the old list
version did; the next import clears what the dead one left and, once done, screening answers
as the new version; the audit chain verifies throughout.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gongxin.core.synthetic import CANDIDATE_HEADERS, LIST_HEADERS, Generator

SRC = Path(__file__).resolve().parent.parent / "src"
OLD_AS_OF, NEW_AS_OF = "2026-11-20", "2026-11-27"
ENTRIES = 20_000  # the new list: long enough that a kill lands while rows are being staged
DEADLINE = 300  # seconds for any one step (a loaded machine), never an assertion of speed


class Scene:
    """An operator's home and database, and the `gongxin` command run against them."""

    def __init__(self, tmp_path: Path, database_url: str | None):
        self.home = tmp_path / "home"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "GONGXIN_IMPORT_STALE_MINUTES")
        }
        self.env.update(GONGXIN_HOME=str(self.home), PYTHONPATH=str(SRC))
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.database_url = database_url

    def command(self, *args) -> list[str]:
        return [sys.executable, "-m", "gongxin.cli", *map(str, args)]

    def run(self, *args, expect=0, **env) -> subprocess.CompletedProcess:
        proc = subprocess.run(self.command(*args), env={**self.env, **env}, capture_output=True,
                              text=True, timeout=DEADLINE)  # fmt: skip
        assert proc.returncode == expect, proc.stdout + proc.stderr
        return proc

    def staged_progress(self) -> int | None:
        """Rows the staged import has written so far, as its record says (None: none staged)."""
        sql = "SELECT added FROM registry_listimport WHERE status = 'staging'"
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as conn:
                row = conn.execute(sql).fetchone()
        else:
            path = self.home / "data" / "gongxin.sqlite3"
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
            try:
                row = conn.execute(sql).fetchone()
            finally:
                conn.close()
        return None if row is None else row[0]

    def screened(self, candidates: Path) -> list[tuple[int, str]]:
        out = self.run("screen", candidates, "--as-of", NEW_AS_OF, "--format", "json").stdout
        return [(row["row"], row["match"]) for row in json.loads(out)]


@pytest.fixture
def scene(tmp_path):
    """A fresh home; on PostgreSQL also a fresh database, dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield Scene(tmp_path, None)
        return
    import psycopg

    name = f"gongxin_crash_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield Scene(tmp_path, url.rsplit("/", 1)[0] + "/" + name)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def write_lists(tmp_path: Path):
    """Old list: groups A and B. New list: B and C (A removed, C added). Candidates: people of
    A, B and C with their full numbers, and people on no list."""
    gen = Generator(20261127, today=dt.date(2026, 11, 1))  # listed before both lists
    entries = list(gen.entries(ENTRIES + 1000, masked_share=0.1, org_share=0.05))
    a, b, c = entries[:500], entries[500:1000], entries[1000:]
    old = _write(tmp_path / "old.csv", LIST_HEADERS, [e.row() for e in a + b])
    new = _write(tmp_path / "new.csv", LIST_HEADERS, [e.row() for e in b + c])
    people = {"A": _people(a), "B": _people(b), "C": _people(c[:2000])}
    rows, groups = [], []
    for group, chosen in people.items():
        for e in chosen:
            rows.append([e.name, e.true_ident, "科员"])
            groups.append(group)
    for _ in range(50):
        rows.append([gen.name(), gen.id_number(), "科员"])
        groups.append("none")
    candidates = _write(tmp_path / "candidates.csv", CANDIDATE_HEADERS, rows)
    return old, new, candidates, groups


def _people(entries, most=60):
    return [e for e in entries if e.kind == "自然人" and e.ident == e.true_ident][:most]


def _write(path: Path, headers, rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def expected(groups: list[str], listed: set[str]) -> list[tuple[int, str]]:
    return [(i + 2, "exact" if g in listed else "none") for i, g in enumerate(groups)]


def kill_when_staging(scene: Scene, args) -> int:
    """Start the import, SIGKILL it (and its workers) once its record shows staged rows;
    return how many rows it had staged."""
    proc = subprocess.Popen(scene.command(*args), env=scene.env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline and proc.poll() is None:
            if staged := scene.staged_progress():
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=60)
                return staged
            time.sleep(0.005)
        out, err = proc.communicate(timeout=60)
        pytest.fail(f"the import ended before it was seen staging: {out!r} {err!r}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        else:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # any worker process left behind
            except ProcessLookupError:
                pass


def test_an_import_killed_mid_way_leaves_the_old_version_and_the_next_one_clears_it(
    scene, tmp_path
):
    old, new, candidates, groups = write_lists(tmp_path)
    scene.run("init")
    source = ("--source", "sxbzxr")
    scene.run("lists", "import", old, *source, "--as-of", OLD_AS_OF)
    before = scene.screened(candidates)
    assert before == expected(groups, {"A", "B"})

    staged = kill_when_staging(scene, ("lists", "import", new, *source, "--as-of", NEW_AS_OF))
    assert 0 < staged < ENTRIES
    assert scene.staged_progress() == staged  # the dead import's rows are still there
    assert scene.screened(candidates) == before  # … and count for nobody
    shown = scene.run("lists", "show", *source, "--as-of", NEW_AS_OF).stdout
    assert "名单版本 1" in shown and "现行记录：1000" in shown
    # While the dead import could still be alive, the source is busy: refused, nothing changed.
    busy = scene.run("lists", "import", new, *source, "--as-of", NEW_AS_OF, expect=1)
    assert "该名单来源正在导入另一个文件" in busy.stderr
    scene.run("audit", "verify")

    done = scene.run("lists", "import", new, *source, "--as-of", NEW_AS_OF, "--progress",
                     GONGXIN_IMPORT_STALE_MINUTES="0")  # fmt: skip
    assert re.search(r"已开始导入（批次 #\d+，尚未生效）", done.stderr)  # --progress lines
    assert f"新增 {ENTRIES}" in done.stdout and "移出 500" in done.stdout
    assert "名单版本 2" in done.stdout
    assert scene.staged_progress() is None
    assert scene.screened(candidates) == expected(groups, {"B", "C"})
    shown = scene.run("lists", "show", *source, "--as-of", NEW_AS_OF).stdout
    assert f"现行记录：{ENTRIES + 500}" in shown
    assert "导入中断" in shown or "失败" in shown  # the dead import's record says how it ended
    scene.run("audit", "verify")
