"""The restore drill (issue 11), on a real SQLite file and on PostgreSQL: build a unit's world,
back it up while another process keeps writing, destroy the database, restore into an empty
one, verify the trail and screen the same people with the same answers; and every refusal,
each said in one Chinese line, each leaving the target as empty as it was.

Everything runs as an operator runs it: `gongxin` in processes of their own, each home under
tmp_path (tests/backup_drill.py builds the world and reads the answers).
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from pathlib import Path

import dj_database_url
import pytest

from gongxin.core.crypto import KeyRing

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = URL.startswith(("postgres://", "postgresql://"))
KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not ON_POSTGRES, reason="PostgreSQL: run with DATABASE_URL=postgres://…"))]  # fmt: skip


def _env(home: Path, database_url: str | None = None, key_file: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "GONGXIN_KEY_FILE", "DJANGO_SETTINGS_MODULE")}  # fmt: skip
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    env["GONGXIN_HOME"] = str(home)
    if database_url:
        env["DATABASE_URL"] = database_url
    if key_file:
        env["GONGXIN_KEY_FILE"] = str(key_file)
    return env


def gongxin(env: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gongxin.cli", *map(str, args)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)  # fmt: skip


def drill(env: dict, action: str) -> dict:
    command = [sys.executable, "-m", "tests.backup_drill", action, env["GONGXIN_HOME"]]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


class Postgres:
    """Databases of this test's own on the PostgreSQL server of DATABASE_URL (the test role has
    CREATEDB: scripts/postgres.sh)."""

    def __init__(self):
        self.made: list[str] = []

    def _admin(self):
        import psycopg

        db = dj_database_url.parse(URL)
        return psycopg.connect(
            host=db["HOST"],
            port=db["PORT"],
            user=db["USER"],
            password=db["PASSWORD"],
            dbname=db["NAME"],
            autocommit=True,
        )

    def create(self) -> str:
        name = f"gx_backup_{uuid.uuid4().hex[:10]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return URL.rsplit("/", 1)[0] + "/" + name

    def drop(self, url: str) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')

    def tables(self, url: str) -> int:
        import psycopg

        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                                ).fetchone()[0]  # fmt: skip

    def cleanup(self) -> None:
        for name in self.made:
            self.drop(f"/{name}")


def sqlite_tables(home: Path) -> int:
    path = home / "data" / "gongxin.sqlite3"
    if not path.exists():
        return 0
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    finally:
        db.close()


class Writer:
    """Another process writing audit events until stopped; the last place it reported."""

    def __init__(self, env: dict, stop: Path):
        self.stop, self.seqs = stop, []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.backup_drill", "write", env["GONGXIN_HOME"], str(stop)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.seqs.append(int(line))

    def wait_for(self, count: int) -> int:
        for _ in range(1200):
            if len(self.seqs) >= count:
                return self.seqs[-1]
            assert self.proc.poll() is None, self.proc.stderr.read()[-3000:]
            time.sleep(0.1)
        raise AssertionError("the writer did not start writing")

    def finish(self) -> int:
        self.stop.touch()
        try:
            self.proc.wait(timeout=120)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=10)
        assert self.proc.returncode == 0, self.proc.stderr.read()[-3000:]
        return self.seqs[-1]


@pytest.fixture(scope="module", params=KINDS)
def backed_up(request, tmp_path_factory):
    """A home with a unit's world, backed up while another process writes: (kind, its
    environment, the backup file, the manifest, the answers before, the writer's places)."""
    kind = request.param
    tmp = tmp_path_factory.mktemp(f"backup-{kind}")
    pg = Postgres() if kind == "postgresql" else None
    try:
        env = _env(tmp / "home", pg.create() if pg else None)
        before = drill(env, "build")
        writer = Writer(env, tmp / "stop")
        try:
            first = writer.wait_for(5)
            out = tmp / "backups" / "gongxin.backup"
            out.parent.mkdir()
            backup = gongxin(env, "backup", out)
            last = writer.wait_for(len(writer.seqs) + 3)  # it went on writing
        finally:
            writer.finish()
        assert backup.returncode == 0, backup.stderr
        assert "备份中不含密钥文件" in backup.stdout
        with tarfile.open(out) as tar:
            manifest = json.loads(tar.extractfile("manifest.json").read())
        yield kind, env, out, manifest, before, (first, last), pg
    finally:
        if pg:
            pg.cleanup()


def test_a_restore_into_an_empty_database_verifies_and_screens_the_same(backed_up, tmp_path):
    kind, env, out, manifest, before, (first, _), pg = backed_up
    home = Path(env["GONGXIN_HOME"])
    # The copy is of one moment while the writer wrote: the chain head it records is one the
    # writer had passed, and the data has everything up to it.
    assert manifest["database"] == kind
    assert first <= manifest["audit"]["seq"]
    with tarfile.open(out) as tar:
        assert tar.getnames() == ["manifest.json", manifest["payload"]["name"]]
    # The key file is never in the backup: no key's material is found in it.
    stored = out.read_bytes()
    for key in json.loads((home / "keys" / "keys.json").read_text())["keys"]:
        for part in (key["enc_key"], key["mac_key"]):
            assert part.encode() not in stored and base64.b64decode(part) not in stored

    # Destroy.
    if kind == "sqlite":
        shutil.rmtree(home / "data")
        target_env = env
    else:
        pg.drop(env["DATABASE_URL"])
        target_env = _env(home, pg.create())
    restored = gongxin(target_env, "restore", out)
    assert restored.returncode == 0, restored.stderr
    assert f"最后一条序号{manifest['audit']['seq']}" in restored.stdout
    assert "均已解密" in restored.stdout
    assert gongxin(target_env, "audit", "verify").returncode == 0
    assert drill(target_env, "answers") == before
    assert before["requests"][0]["state"] == "issued"
    assert before["people"] == ["exact", "none", "none"]

    # A second restore into the database, now not empty, is refused and changes nothing.
    again = gongxin(target_env, "restore", out)
    assert again.returncode == 1
    assert "不是空库" in again.stderr and "未做任何改动" in again.stderr
    assert drill(target_env, "answers") == before


def _rewritten(out: Path, to: Path, **changes) -> Path:
    """The backup with its manifest changed (the data as it was)."""
    with tarfile.open(out) as src, tarfile.open(to, "w") as dst:
        manifest = json.loads(src.extractfile("manifest.json").read())
        manifest.update(changes)
        body = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        dst.addfile(info, io.BytesIO(body))
        payload = src.getmember(manifest["payload"]["name"])
        dst.addfile(payload, src.extractfile(payload))
    return to


REFUSALS = {
    "a file that is not a backup": "不是公信的备份文件",
    "a file cut short": "不完整或已损坏",
    "a backup of a newer schema": "比本程序新",
    "a backup of the other kind of database": "请用同类数据库恢复",
    "no key file": "找不到密钥文件",
    "another installation's key file": "打不开这份备份",
}


def test_a_restore_that_cannot_be_done_is_refused_and_changes_nothing(backed_up, tmp_path):
    kind, env, out, manifest, *_, pg = backed_up
    key_file = Path(env["GONGXIN_HOME"]) / "keys" / "keys.json"
    other_kind = "postgresql" if kind == "sqlite" else "sqlite"
    for case, said in REFUSALS.items():
        home = tmp_path / f"home-{len(os.listdir(tmp_path))}"
        target = pg.create() if pg else None
        key, given = key_file, out
        if case == "a file that is not a backup":
            given = tmp_path / "list.csv"
            given.write_text("主体类型,姓名或名称\n", encoding="utf-8")
        elif case == "a file cut short":
            given = tmp_path / "short.backup"
            given.write_bytes(out.read_bytes()[: out.stat().st_size * 6 // 10])
        elif case == "a backup of a newer schema":
            given = _rewritten(
                out,
                tmp_path / "newer.backup",
                migrations=[*manifest["migrations"], "inquiry.9999_future"],
            )
        elif case == "a backup of the other kind of database":
            given = _rewritten(out, tmp_path / "other.backup", database=other_kind)
        elif case == "no key file":
            key = tmp_path / "nowhere" / "keys.json"
        else:
            key = tmp_path / "other-keys.json"
            KeyRing.create(key, "gm")
        done = gongxin(_env(home, target, key), "restore", given)
        assert done.returncode == 1, (case, done.stdout, done.stderr)
        assert said in done.stderr and "未做任何改动" in done.stderr, (case, done.stderr)
        assert "Traceback" not in done.stderr
        assert (pg.tables(target) if pg else sqlite_tables(home)) == 0, case


@pytest.mark.parametrize("backed_up", ["sqlite"], indirect=True)
def test_a_backup_is_never_written_beside_the_key_file(backed_up):
    _, env, out, *_ = backed_up
    keys = Path(env["GONGXIN_HOME"]) / "keys"
    refused = gongxin(env, "backup", keys / "gongxin.backup")
    assert refused.returncode == 1
    assert "密钥文件所在的目录" in refused.stderr and "Traceback" not in refused.stderr
    assert sorted(p.name for p in keys.iterdir()) == ["keys.json"]
    exists = gongxin(env, "backup", out)
    assert exists.returncode == 1 and "已存在" in exists.stderr
