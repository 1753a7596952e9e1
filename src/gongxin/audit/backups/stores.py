"""What a backup does differently on each database: SQLite through its online backup API,
PostgreSQL through pg_dump and pg_restore. Both read the data and the manifest's facts from one
snapshot, so the manifest describes exactly the data beside it, while the server keeps working.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction

from gongxin.audit.backups import BackupRefused

SNAPSHOT = "gongxin_backup_snapshot"  # the database alias of the backup's own connection
KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def kind() -> str:
    """'sqlite' or 'postgresql': the configured database."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupRefused([f"不支持备份该类数据库（{engine}）"])


def sqlite_path() -> Path:
    name = str(settings.DATABASES["default"]["NAME"] or "")
    if not name or name.startswith((":memory:", "file:")) or "mode=memory" in name:
        raise BackupRefused(["当前数据库在内存中，没有可以备份或恢复的数据库文件"])
    return Path(name).resolve()


@contextlib.contextmanager
def snapshot_connection() -> Iterator[str]:
    """A connection of the backup's own (alias SNAPSHOT) inside a read-only transaction: the
    manifest's facts read through it and the copy of the data come from the same snapshot."""
    options = {"timeout": 30} if kind() == "sqlite" else settings.DATABASES["default"]["OPTIONS"]
    # SQLite: a deferred transaction (not the IMMEDIATE of the server's connections), which only
    # reads: in WAL mode the writers go on while the copy is made.
    connections.settings[SNAPSHOT] = {**connections.settings["default"], "OPTIONS": dict(options),
                                      "CONN_MAX_AGE": 0}  # fmt: skip
    try:
        with transaction.atomic(using=SNAPSHOT):
            if kind() == "postgresql":
                with connections[SNAPSHOT].cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield SNAPSHOT
    finally:
        connections[SNAPSHOT].close()
        del connections[SNAPSHOT]
        connections.settings.pop(SNAPSHOT, None)


# --- SQLite ----------------------------------------------------------------------------------


def sqlite_copy(alias: str, into: Path) -> None:
    """Copy the database, as the snapshot's open read transaction sees it, into ``into`` (one
    self-contained file: rollback journal, not WAL). The whole copy is one backup step, so
    writes made meanwhile by other connections do not restart it."""
    source = connections[alias].connection  # the sqlite3 connection, inside the transaction
    target = sqlite3.connect(into)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def sqlite_tables(path: Path) -> int:
    """How many tables the SQLite file at ``path`` holds (0 for no file or an empty one)."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    except sqlite3.DatabaseError:
        return -1  # not a database at all: not empty either
    finally:
        db.close()


def sqlite_check(path: Path) -> str | None:
    """Why the SQLite file at ``path`` is not a sound database, or None."""
    db = sqlite3.connect(path)
    try:
        answer = db.execute("PRAGMA quick_check").fetchone()[0]
        db.execute("PRAGMA journal_mode=WAL")  # as the server keeps it (settings.py)
    except sqlite3.DatabaseError as exc:
        return f"备份中的数据库文件已损坏（{exc}）"
    finally:
        db.close()
    return None if answer == "ok" else "备份中的数据库文件已损坏（完整性检查未通过）"


def sqlite_put_in_place(restored: Path, target: Path) -> None:
    """Move the restored file to the database's place; the empty target's -wal and -shm files
    (they belong to the empty file) go first, so the restored file is read alone."""
    connections.close_all()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    restored.chmod(0o600)
    os.replace(restored, target)


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_server_version(alias: str = "default") -> int:
    """The server's version number (e.g. 150014 for 15.14)."""
    return connections[alias].cursor().connection.info.server_version


def pg_major(version: int) -> int:
    return version // 10000


def pg_tables() -> int:
    """How many tables, views and sequences (all counted as tables) the configured PostgreSQL
    database holds outside the system schemas."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
            " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'"
        )
        return cursor.fetchone()[0]


def _tool_version(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True,  # noqa: S603
                             timeout=30, check=True).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\)\s+(\d+)", out)
    return int(found.group(1)) if found else None


def pg_tool(name: str, server_major: int) -> str:
    """The pg_dump or pg_restore to use against a server of major version ``server_major``: the
    one of the same version (as scripts/postgres.sh finds them), else the nearest newer one
    (a newer pg_dump reads an older server, never the reverse); GONGXIN_PG_BIN names the
    directory when the tools live elsewhere."""
    dirs = [os.environ["GONGXIN_PG_BIN"]] if os.environ.get("GONGXIN_PG_BIN") else []
    dirs += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_dir_version)
    candidates = [str(Path(d) / name) for d in dirs if (Path(d) / name).exists()]
    if on_path := shutil.which(name):
        candidates.append(on_path)
    versions = [(v, path) for path in candidates if (v := _tool_version(path)) is not None]
    for wanted in (lambda v: v == server_major, lambda v: v > server_major):
        fitting = sorted((v, p) for v, p in versions if wanted(v))
        if fitting:
            return fitting[0][1]
    found = "、".join(f"{p}（{v}）" for v, p in versions) or "没有找到"
    raise BackupRefused(
        [
            f"找不到与 PostgreSQL {server_major} 相配的 {name}（已找到：{found}）："
            f"请安装 postgresql-client-{server_major}，或用 GONGXIN_PG_BIN 指明其目录"
        ]
    )


def _dir_version(path: str) -> int:
    found = re.search(r"/(\d+)/bin$", path)
    return int(found.group(1)) if found else 0


def _pg_command(tool: str, *args: str) -> tuple[list[str], dict]:
    """The tool's command line and environment for the configured database: the password goes
    through PGPASSWORD, never on the command line (where `ps` shows it)."""
    db = settings.DATABASES["default"]
    command = [tool, "--no-password"]
    if db.get("HOST"):
        command += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        command += ["--port", str(db["PORT"])]
    if db.get("USER"):
        command += ["--username", str(db["USER"])]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return [*command, *args, "--dbname", str(db["NAME"])], env


def _run(command: list[str], env: dict, what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if "error" in line.lower()]
        said = (lines or done.stderr.splitlines() or ["（无输出）"])[0][:300]
        raise BackupRefused([f"{what}失败：{said}"])


def pg_dump(alias: str, into: Path) -> None:
    """pg_dump (custom format) of the snapshot the ``alias`` connection's transaction holds."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    tool = pg_tool("pg_dump", pg_major(pg_server_version(alias)))
    command, env = _pg_command(tool, "--format=custom", f"--snapshot={snapshot}",
                               f"--file={into}")  # fmt: skip
    _run(command, env, "pg_dump 导出")


def pg_restore(dump: Path) -> None:
    """pg_restore of ``dump`` into the configured (empty) database, all in one transaction: a
    failure leaves the database as empty as it was."""
    tool = pg_tool("pg_restore", pg_major(pg_server_version()))
    connections.close_all()
    command, env = _pg_command(tool, "--single-transaction", "--exit-on-error", "--no-owner",
                               "--no-privileges")  # fmt: skip
    _run([*command, str(dump)], env, "pg_restore 导入")


def describe_target() -> str:
    db = settings.DATABASES["default"]
    if kind() == "sqlite":
        return str(sqlite_path())
    return f"PostgreSQL {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
