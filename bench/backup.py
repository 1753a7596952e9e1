"""Backup benchmark: how long `gongxin backup` and `gongxin restore` take, and how large the
backup is, for a store of N list entries (docs/backup.md, docs/performance.md).

    python bench/backup.py                       # 100k entries, SQLite
    python bench/backup.py --entries 1000000
    DATABASE_URL=postgres://… python bench/backup.py --database postgresql
                                                 # two throwaway databases on that server

Everything runs as an operator runs it, as `gongxin` commands in a throwaway home: init, import
a generated list (cached in bench/out/, as bench/registry.py does), back up, destroy the
database, restore into an empty one (restore includes its checks: the audit chain walked, a
sample of every sealed table decrypted, the rows counted). Times are wall-clock, including the
command's start (shown apart: `gongxin help`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))


def gongxin(env: dict, *args) -> float:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "gongxin.cli", *map(str, args)], env=env,  # noqa: S603
                          capture_output=True, text=True)  # fmt: skip
    took = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"gongxin {' '.join(map(str, args))} failed:\n{done.stderr[-2000:]}")
    return took


def _admin(url: str):
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    return psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"],
                           password=db["PASSWORD"], dbname=db["NAME"], autocommit=True)  # fmt: skip


def run(kind: str, entries: int, list_file: Path, work: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGXIN_KEY_FILE")}
    env["PYTHONPATH"] = str(ROOT / "src")
    env["GONGXIN_HOME"] = str(work / f"home-{kind}")
    url = os.environ.get("DATABASE_URL", "")
    names = [f"gx_bench_backup_{uuid.uuid4().hex[:8]}_{n}" for n in ("a", "b")]
    if kind == "postgresql":
        with _admin(url) as conn:
            for name in names:
                conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + names[0]
    try:
        gongxin(env, "init")
        start = gongxin(env, "help", "backup")
        t_import = gongxin(env, "lists", "import", list_file, "--source", "sxbzxr",
                           "--as-of", "2026-11-27")  # fmt: skip
        out = work / f"{kind}.backup"
        if kind == "sqlite":
            data = Path(env["GONGXIN_HOME"]) / "data" / "gongxin.sqlite3"
            wal = Path(f"{data}-wal")
            stored = data.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        else:
            with _admin(env["DATABASE_URL"]) as conn:
                stored = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        t_backup = gongxin(env, "backup", out)
        if kind == "sqlite":
            shutil.rmtree(Path(env["GONGXIN_HOME"]) / "data")
        else:
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + names[1]
        t_restore = gongxin(env, "restore", out)
        return {"kind": kind, "import": t_import, "backup": t_backup, "restore": t_restore,
                "start": start, "stored": stored, "size": out.stat().st_size}  # fmt: skip
    finally:
        if kind == "postgresql":
            with _admin(url) as conn:
                for name in names:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in kinds and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("PostgreSQL: set DATABASE_URL=postgres://… (scripts/postgres.sh start)")
    from registry import generate

    list_file, _ = generate(args.entries, 7)
    work = Path(tempfile.mkdtemp(prefix="gongxin-bench-backup-"))
    try:
        results = [run(kind, args.entries, list_file, work) for kind in kinds]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nGongxin backup benchmark — {args.entries:,} list entries, gm suite, "
          f"{os.cpu_count()} cores\n")  # fmt: skip
    print("| database | stored | backup file | backup | restore (with checks) | command start |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['kind']} | {r['stored'] / 1e6:.0f} MB | {r['size'] / 1e6:.0f} MB "
              f"| {r['backup']:.1f} s | {r['restore']:.1f} s | {r['start']:.1f} s |")  # fmt: skip
    imports = ", ".join(f"{r['kind']} {r['import']:.0f} s" for r in results)
    print(f"(the list import took {imports})")


if __name__ == "__main__":
    main()
