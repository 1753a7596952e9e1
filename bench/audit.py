"""Audit trail benchmark: what chaining every event (SM3, one chain head) costs a writer.

    make bench                                   (SQLite, a throwaway home)
    DATABASE_URL=postgres://… python bench/audit.py   (PostgreSQL, a throwaway test database)

Each event is written in its own transaction, as actions write them. The baseline is the same
insert with the chain's columns filled but no chain head locked and no digest computed, measured
in the same run. On PostgreSQL it also runs writers in threads at once: the chain head is the one
row they all lock, so this shows how much of their time they queue for it (decision record 0006).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVENTS = 3000
THREADS = 4


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.db import connection, connections, transaction

    from gongxin.audit.integrity import verify
    from gongxin.audit.models import AuditEvent
    from gongxin.audit.services import record
    from gongxin.core import clock

    vendor = connection.vendor
    if vendor == "sqlite":  # a file, as in production: an in-memory database flatters writers
        connection.settings_dict["TEST"]["NAME"] = str(Path(tempfile.mkdtemp()) / "audit.sqlite3")
    test_db = connection.creation.create_test_db(verbosity=0, keepdb=False)

    def baseline(n: int, offset: int) -> float:
        t0 = time.perf_counter()
        for i in range(n):
            with transaction.atomic():
                AuditEvent(seq=offset + i, digest="0" * 64, at=clock.now(), actor="bench",
                           action="request.view", object_type="InquiryRequest",
                           object_id=str(i), detail={"n": i}).save(force_insert=True)  # fmt: skip
        return time.perf_counter() - t0

    def chained(n: int) -> float:
        t0 = time.perf_counter()
        for i in range(n):
            with transaction.atomic():
                record("bench", "request.view", ref=("InquiryRequest", i), n=i)
        return time.perf_counter() - t0

    chained_s = chained(EVENTS)
    t0 = time.perf_counter()
    verdict = verify()
    verify_s = time.perf_counter() - t0
    assert verdict.ok, verdict.describe()
    base_s = baseline(EVENTS, 10_000_000)  # seqs far beyond the chain's: the chain is not read

    print(f"\nGongxin audit benchmark — {EVENTS:,} events, one transaction each, "
          f"{vendor}, {os.cpu_count()} cores\n")  # fmt: skip
    rows = [
        ("insert, no chain (baseline)", EVENTS / base_s, base_s),
        ("record(): lock head, SM3 link, insert", EVENTS / chained_s, chained_s),
    ]
    lines = [(label, f"{rate:,.0f} events/s", f"{s * 1e3 / EVENTS:.2f} ms each")
             for label, rate, s in rows]  # fmt: skip
    lines += [
        ("chained / baseline", f"{chained_s / base_s:.2f}×", ""),
        ("verify the whole chain", f"{EVENTS / verify_s:,.0f} events/s", f"{verify_s:.2f} s"),
    ]  # fmt: skip
    if vendor == "postgresql":
        failures: list[Exception] = []
        barrier = threading.Barrier(THREADS)

        def writer():
            try:
                barrier.wait()
                chained(EVENTS // THREADS)
            except Exception as exc:
                failures.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=writer) for _ in range(THREADS)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        together_s = time.perf_counter() - t0
        assert not failures, failures
        lines.append((f"{THREADS} writers at once", f"{EVENTS / together_s:,.0f} events/s",
                     f"{together_s:.2f} s for {EVENTS:,}"))  # fmt: skip
    for label, figure, extra in lines:
        print(f"  {label:<42}{figure:>20}  {extra}")
    connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
