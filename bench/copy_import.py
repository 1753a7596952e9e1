"""List import through COPY on PostgreSQL, beside a raw COPY; screening at scale on both databases.

    make bench COPY_ARGS="--entries 10000000"     # default 200,000 (quick)
    PYTHONPATH=src python bench/copy_import.py --entries 1000000 --db postgres

PostgreSQL (a database of its own, made and dropped on the server of BENCH_DATABASE_URL or
DATABASE_URL; skipped when neither is set):
- import: the real `import_list` of a generated list file (validate, normalise, encrypt, index,
  staged in short transactions written with COPY, switched on in one — decisions 0009, 0018);
- raw COPY: the same rows, as the import stored them (exported once with COPY TO), copied into a
  plain table without indexes, and into a table with the entry table's indexes and foreign
  keys; the ratio
  import / raw COPY says what the product adds, the second row what the indexes cost;
- screening: 1,000 candidates (about 5% drawn from the list), p50/p95 of 20 runs after one warm-up.
SQLite: the same import into a file database, then the same screening (GONGXIN_HOME temporary).
Each database runs in a process of its own; the list file is cached in bench/out/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 27)
SCREEN_RUNS = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument(
        "--insert-too", action="store_true",
        help="also time the PostgreSQL import with executemany INSERTs (the path before COPY)",
    )  # fmt: skip
    parser.add_argument("--writer", default="copy", help=argparse.SUPPRESS)
    parser.add_argument("--one", choices=["postgres", "sqlite"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.entries, args.seed, args.writer)))
        return
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    wanted = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    if "postgres" in wanted and not url.startswith("postgres"):
        print("PostgreSQL skipped: set BENCH_DATABASE_URL (or DATABASE_URL) to a postgres:// URL")
        wanted.remove("postgres")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]
    from registry import OUT, generate

    t0 = time.perf_counter()
    if not (OUT / f"list-{args.entries}-{args.seed}.csv").exists():
        generate(args.entries, args.seed)  # once, before the timed runs
    print(f"list file ready in {time.perf_counter() - t0:.1f} s")
    runs = [(db, "copy") for db in wanted]
    if args.insert_too and "postgres" in wanted:
        runs.append(("postgres", "insert"))
    results = {}
    for db, writer in runs:
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        if db == "postgres":
            env["DATABASE_URL"] = url
        out = subprocess.run(  # noqa: S603 - this script, with its own arguments
            [sys.executable, __file__, "--one", db, "--entries", str(args.entries),
             "--seed", str(args.seed), "--writer", writer],
            env=env, check=True, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        results[db if writer == "copy" else "insert"] = json.loads(out.stdout.splitlines()[-1])
        print(db, writer, results[db if writer == "copy" else "insert"], flush=True)
    report(args.entries, results)


def report(n: int, results: dict) -> None:
    print(f"\nGongxin COPY import benchmark — {n:,} entries, {os.cpu_count()} cores\n")
    rows = []
    if pg := results.get("postgres"):
        rows += [
            ("PostgreSQL import (validate, encrypt, index, COPY staged)",
             f"{pg['import_s']:.1f} s", f"{n / pg['import_s']:,.0f} rows/s"),
            ("  raw COPY of the same rows, plain table (no indexes)",
             f"{pg['raw_s']:.1f} s", f"{n / pg['raw_s']:,.0f} rows/s"),
            ("  raw COPY of the same rows, with the table's indexes and FKs",
             f"{pg['indexed_s']:.1f} s", f"{n / pg['indexed_s']:,.0f} rows/s"),
            ("  import / raw COPY (plain; indexed)",
             f"{pg['import_s'] / pg['raw_s']:.1f}×", f"{pg['import_s'] / pg['indexed_s']:.1f}×"),
            ("PostgreSQL screen 1,000 candidates p50 / p95",
             f"{pg['p50_ms']:.1f} ms", f"{pg['p95_ms']:.1f} ms (goal < 50 ms)"),
        ]  # fmt: skip
    if ins := results.get("insert"):
        rows.append(("PostgreSQL import with executemany INSERTs instead of COPY",
                     f"{ins['import_s']:.1f} s", f"{n / ins['import_s']:,.0f} rows/s"))  # fmt: skip
    if lite := results.get("sqlite"):
        rows += [
            ("SQLite import (same pipeline, executemany)", f"{lite['import_s']:.1f} s",
             f"{n / lite['import_s']:,.0f} rows/s"),
            ("SQLite screen 1,000 candidates p50 / p95", f"{lite['p50_ms']:.1f} ms",
             f"{lite['p95_ms']:.1f} ms (goal < 50 ms)"),
        ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    for label, value, note in rows:
        print(f"  {label:<{width}}  {value:>10}  {note}")
    print()


def run_one(db: str, entries: int, seed: int, writer: str) -> dict:
    """One database's figures, in this process (Django set up for it here)."""
    workdir = Path(tempfile.mkdtemp(prefix="gongxin-copy-bench-"))
    os.environ["GONGXIN_HOME"] = str(workdir / "home")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongxin.settings"
    # The default limit of one list file is 5,000,000 rows: an operator raises it for more.
    os.environ["GONGXIN_LIST_ROWS_MAX"] = str(max(entries, 5_000_000))
    sys.path.insert(0, str(ROOT / "bench"))
    if db == "postgres":
        admin_url = os.environ["DATABASE_URL"]
        name = f"gongxin_copybench_{os.getpid()}"
        _admin(admin_url, f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + name
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        return _measure(db, entries, seed, workdir, writer)
    finally:
        if db == "postgres":
            from django.db import connections

            connections.close_all()
            _admin(admin_url, f"DROP DATABASE IF EXISTS {name}")


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _measure(db: str, entries: int, seed: int, workdir: Path, writer: str) -> dict:
    import django

    django.setup()
    from gongxin.registry import bulk

    if writer == "insert":
        bulk.uses_copy = lambda: False
    from django.core.management import call_command
    from registry import OUT, candidates, generate

    from gongxin.registry.screening import screen
    from gongxin.registry.services import import_list

    call_command("init", verbosity=0, stdout=open(os.devnull, "w"))
    path = OUT / f"list-{entries}-{seed}.csv"  # made by main()
    t0 = time.perf_counter()
    result = import_list(path, source_code="sxbzxr", imported_by="bench", as_of=AS_OF)
    import_s = time.perf_counter() - t0
    assert result.list_import.added == entries, result.summary
    figures = {"import_s": import_s}
    _partial(db, figures)
    if writer == "insert":
        return figures
    _, sample = generate(entries, seed)  # an even sample of the file's entries
    small = candidates(1_000, sample, 11)
    screen(small, AS_OF)  # warm the caches once
    runs = []
    for _ in range(SCREEN_RUNS):
        t0 = time.perf_counter()
        screen(small, AS_OF)
        runs.append((time.perf_counter() - t0) * 1000)
    figures["p50_ms"] = statistics.median(runs)
    figures["p95_ms"] = statistics.quantiles(runs, n=20)[-1]
    figures["hits"] = sum(1 for r in screen(small, AS_OF).results if r.entries)
    _partial(db, figures)
    if db == "postgres":
        figures.update(_raw_copy(workdir, lambda f: _partial(db, {**figures, **f})))
    return figures


def _partial(db: str, figures: dict) -> None:
    """Figures so far, on stderr as they come (a long run's log keeps them)."""
    print(db, {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()},
          file=sys.stderr, flush=True)  # fmt: skip


def _raw_copy(workdir: Path, partial=lambda figures: None) -> dict:
    """The import's rows, exported with COPY TO, copied back with COPY FROM into a plain
    table and into one with the entry table's indexes (same columns, same bytes)."""
    from django.db import connection

    from gongxin.registry.models import ListEntry, ListImport, ListSource
    from gongxin.registry.pipeline import INSERT_COLUMNS

    table = ListEntry._meta.db_table
    columns = ", ".join(INSERT_COLUMNS)
    dump = workdir / "rows.copy"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with (
            open(dump, "wb") as fh,
            raw.copy(f"COPY (SELECT {columns} FROM {table}) TO STDOUT (FORMAT BINARY)") as copy,
        ):
            for block in copy:
                fh.write(block)
        cursor.execute(f"CREATE TABLE bench_plain AS SELECT {columns} FROM {table} LIMIT 0")
        cursor.execute(f"CREATE TABLE bench_indexed (LIKE {table} INCLUDING ALL)")
        for column, parent in (("source_id", ListSource), ("created_by_import_id", ListImport)):
            cursor.execute(
                f"ALTER TABLE bench_indexed ADD FOREIGN KEY ({column}) "
                f"REFERENCES {parent._meta.db_table} (id) DEFERRABLE INITIALLY DEFERRED"
            )
        figures = {}
        for target, key in (("bench_plain", "raw_s"), ("bench_indexed", "indexed_s")):
            t0 = time.perf_counter()
            with (
                open(dump, "rb") as fh,
                raw.copy(f"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
            ):
                while block := fh.read(1 << 20):
                    copy.write(block)
            figures[key] = time.perf_counter() - t0
            partial(figures)
        cursor.execute("DROP TABLE bench_plain, bench_indexed")
    dump.unlink()
    return figures


if __name__ == "__main__":
    main()
