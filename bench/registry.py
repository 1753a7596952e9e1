"""Registry benchmark: list import throughput against its floor, and screening latency.

    make bench                         # 1M entries
    make bench ARGS="--entries 10000000"

Everything is measured in one run on a fresh SQLite home (gm suite):
- import: `gongxin lists import` of a generated list file (read, validate, normalise, encrypt,
  index, insert; staged in short transactions and switched on in one, decision 0009), and
  how long another writer, writing every 50 ms meanwhile, waited at most for it;
- floor: the same rows' encryption and blind indexing alone, plus a raw `sqlite3` executemany of
  the finished rows into a bare table; the ratio import/floor says how much the product adds;
- screening: 1,000 and 100,000 candidates (about 5% drawn from the list) against the list.
Generated files are cached in bench/out/ (they are synthetic).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def generate(entries: int, seed: int) -> tuple[Path, list]:
    from gongxin.core.synthetic import Generator
    from gongxin.registry.demo import write_list

    path = OUT / f"list-{entries}-{seed}.csv"
    gen = Generator(seed)
    if path.exists():
        sample = _sample_from(path)
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        sample = write_list(tmp, gen, entries)
        tmp.rename(path)
    return path, sample


def _sample_from(path: Path, size: int = 20000) -> list:
    from gongxin.core.synthetic import SyntheticEntry

    out = []
    with open(path, encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for i, row in enumerate(reader):
            if i % 50 == 0 and len(out) < size:
                kind, name, ident, listed, authority, basis, case = row
                out.append(
                    SyntheticEntry(
                        kind,
                        name,
                        ident,
                        ident,
                        dt.date.fromisoformat(listed),
                        authority,
                        basis,
                        case,
                    )
                )
    return [e for e in out if "*" not in e.ident]


def candidates(count: int, sample: list, seed: int):
    from gongxin.core.synthetic import Generator
    from gongxin.registry.screening import CandidateInput

    gen = Generator(seed)
    return [
        CandidateInput(i + 2, name, number, position)
        for i, (name, number, position) in enumerate(gen.candidates(count, sample, 0.05))
    ]


def floor(path: Path, workdir: Path) -> tuple[float, float, float]:
    """Crypto-only and raw-insert time for the file's rows (parsing not counted)."""
    from gongxin.platform.keys import keyring
    from gongxin.registry import keys
    from gongxin.registry.pipeline import masked_material, subject_plaintext

    with open(path, encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = list(reader)
    ring = keyring()
    k = ring.active
    t0 = time.perf_counter()
    finished = [
        (
            k.encrypt(subject_plaintext(name, ident), keys.ENTRY_SUBJECT),
            k.blind_index(name, keys.PERSON_NAME),
            k.blind_index(ident, keys.PERSON_ID),
            k.blind_index(masked_material(name, ident), keys.PERSON_MASKED)
            if "*" in ident
            else None,
            k.blind_index("|".join(r), keys.ENTRY_KEY),
            authority,
            basis,
            case,
            listed,
        )
        for r in rows
        for (kind, name, ident, listed, authority, basis, case) in (r,)
    ]
    crypto = time.perf_counter() - t0
    target = workdir / "floor.sqlite3"
    target.unlink(missing_ok=True)
    db = sqlite3.connect(target)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE bare (subject_cipher BLOB, name_index BLOB, id_index BLOB, "
        "masked_index BLOB, entry_key BLOB, authority TEXT, basis TEXT, case_number TEXT, "
        "listed_on TEXT)"
    )
    t0 = time.perf_counter()
    with db:
        db.executemany("INSERT INTO bare VALUES (?,?,?,?,?,?,?,?,?)", finished)
    insert = time.perf_counter() - t0
    db.close()
    return crypto + insert, crypto, insert


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


class ProbeWriter:
    """Another writer during the import: a tiny transaction of its own every 50 ms, on its
    own connection to the same database file. How long it waited for the write lock is how
    long anyone else waited for the import (a sign-in, a registration); its commits are timed
    apart (a commit may also checkpoint the WAL, after the lock is released)."""

    def __init__(self, database: str):
        import threading

        self.database, self.waits, self.commits = database, [], []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def run(self):
        db = sqlite3.connect(self.database, timeout=600, isolation_level=None)
        db.execute("CREATE TABLE IF NOT EXISTS bench_probe (t REAL)")
        while not self.stop.wait(0.05):
            t0 = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")  # waits here while the import holds the lock
            self.waits.append(time.perf_counter() - t0)
            db.execute("INSERT INTO bench_probe VALUES (?)", (t0,))
            db.execute("COMMIT")
            self.commits.append(time.perf_counter() - t0 - self.waits[-1])
        db.close()


def fresh_database(workdir: Path, n: int) -> None:
    """Point the default connection at a new, migrated SQLite file."""
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = str(workdir / f"import-{n}.sqlite3")
    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="import and floor runs, alternating; the best of each is reported",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="gongxin-bench-"))
    os.environ["GONGXIN_HOME"] = str(workdir / "home")
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongxin.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from gongxin.registry.screening import screen
    from gongxin.registry.services import import_list

    call_command("init", verbosity=0, stdout=open(os.devnull, "w"))
    t0 = time.perf_counter()
    path, sample = generate(args.entries, args.seed)
    gen_s = time.perf_counter() - t0
    n = args.entries

    imports, floors, waits, commits = [], [], [], []
    for run in range(args.repeat):
        fresh_database(workdir, run)
        from django.db import connection

        with ProbeWriter(str(connection.settings_dict["NAME"])) as probe:
            t0 = time.perf_counter()
            result = import_list(path, source_code="sxbzxr", imported_by="bench",
                                 as_of=dt.date(2026, 11, 27))  # fmt: skip
            imports.append(time.perf_counter() - t0)
        waits.extend(probe.waits)
        commits.extend(probe.commits)
        assert result.list_import.added == n, result.summary
        floors.append(floor(path, workdir))
    import_s = min(imports)
    floor_s, crypto_s, insert_s = min(floors)

    as_of = dt.date(2026, 11, 27)
    small = candidates(1_000, sample, 11)
    large = candidates(100_000, sample, 12)
    screen(small, as_of)  # warm the caches once
    small_s = timed(lambda: screen(small, as_of), 5)
    large_s = timed(lambda: screen(large, as_of), 3)
    hits = sum(1 for r in screen(large, as_of).results if r.entries)

    print(f"\nGongxin registry benchmark — {n:,} entries, SQLite (WAL), gm suite, "
          f"{os.cpu_count()} cores; list file generated in {gen_s:.1f} s; "
          f"best of {args.repeat} alternating import/floor runs "
          f"(imports: {', '.join(f'{t:.1f}' for t in imports)} s)\n")  # fmt: skip
    rows = [
        ("import (validate, normalise, encrypt, index, insert)", f"{import_s:.2f} s",
         f"{n / import_s:,.0f} rows/s"),
        ("floor: encryption + blind indexes only", f"{crypto_s:.2f} s",
         f"{n / crypto_s:,.0f} rows/s"),
        ("floor: raw sqlite3 executemany, bare table", f"{insert_s:.2f} s",
         f"{n / insert_s:,.0f} rows/s"),
        ("floor total", f"{floor_s:.2f} s", f"{n / floor_s:,.0f} rows/s"),
        ("import / floor", f"{import_s / floor_s:.2f}×", "goal ≤ 2×, ≥ 50,000 rows/s"),
        (f"another writer during the import ({len(waits):,} writes): longest wait for the lock",
         f"{max(waits) * 1000:.0f} ms", "goal well under 1 s"),
        ("  … median wait for the lock", f"{statistics.median(waits) * 1000:.0f} ms", ""),
        ("  … its longest commit", f"{max(commits) * 1000:.0f} ms", "checkpoints included"),
        ("screen 1,000 candidates (median of 5)", f"{small_s * 1000:.1f} ms", "goal < 50 ms"),
        (f"screen 100,000 candidates (median of 3; {hits:,} with matches)", f"{large_s:.2f} s",
         "goal < 3 s"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    for label, value, note in rows:
        print(f"  {label:<{width}}  {value:>10}  {note}")
    print()


if __name__ == "__main__":
    main()
