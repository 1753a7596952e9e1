"""Supervision benchmark: the statistics pages over a national store of requests.

    make bench                                              (SQLite, 100,000 / 1,000,000)
    python bench/bench_supervision.py --requests 10000 --candidates 100000     (a quick run)
    DATABASE_URL=$(scripts/postgres.sh start) python bench/bench_supervision.py   (PostgreSQL)

Issue 10: with 100,000 requests and 1,000,000 candidates stored, the unit statistics page and
the national page answer in under 300 ms (p50 and p95). The store (bench/supervision_data.py:
the national center and 32 provincial units, two years of requests in every state) is written
with bulk inserts into a throwaway database (the test settings), and its generation is timed.
Then, with the product's clock pinned to the store's last day and for a one-year period:
- the baseline: a plain COUNT(*) of the requests received in the period (all units, and the
  largest province's), the cheapest query that reads the period at all;
- ``unit_figures`` for that province and ``per_unit`` for all units, called directly;
- through Django's test client (no network), signed in as that province's supervisor: the unit
  statistics page; as a national center supervisor: its own statistics page and the national
  page — after a warm-up, ``--loads`` times each: p50, p95, the queries one load makes, and
  p50 against the baseline's.
A route or function not there yet (or raising NotImplementedError) is reported, not fatal.
``--keep`` keeps the database (named by its sizes) and uses it again next time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GOAL_MS = 300


def percentiles(times: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds (p95: the nearest rank)."""
    ranked = sorted(times)
    p95 = ranked[max(0, math.ceil(0.95 * len(ranked)) - 1)]
    return statistics.median(ranked) * 1000, p95 * 1000


class Timings:
    """Rows of the printed table: what, p50, p95, queries (or why there is no figure)."""

    def __init__(self, loads: int, warmup: int):
        self.loads, self.warmup = loads, warmup
        self.rows: list[tuple[str, tuple[float, float] | None, int | None, str]] = []

    def measure(self, label: str, fn, *, check=None) -> tuple[float, float] | None:
        from django.db import connection

        queries = 0

        def count(execute, *args):  # survives the reset a request start does to the log
            nonlocal queries
            queries += 1
            return execute(*args)

        try:
            for _ in range(self.warmup):
                check_result(fn(), check)
            with connection.execute_wrapper(count):
                check_result(fn(), check)
            times = []
            for _ in range(self.loads):
                t0 = time.perf_counter()
                result = fn()
                times.append(time.perf_counter() - t0)
                check_result(result, check)
        except Unavailable as exc:
            self.rows.append((label, None, None, str(exc)))
            return None
        except NotImplementedError:
            self.rows.append((label, None, None, "not available (not implemented yet)"))
            return None
        figures = percentiles(times)
        self.rows.append((label, figures, queries, ""))
        return figures

    def print(self, baseline: tuple[float, float] | None) -> None:
        print(f"  {'':<54}{'p50':>9}{'p95':>9}{'queries':>9}{'p50/base':>10}")
        for label, figures, queries, why in self.rows:
            if figures is None:
                print(f"  {label:<54}{why}")
                continue
            p50, p95 = figures
            ratio = f"{p50 / baseline[0]:>9.1f}×" if baseline else ""
            print(f"  {label:<54}{p50:>7.1f}ms{p95:>7.1f}ms{queries:>9}{ratio}")


class Unavailable(Exception):
    """A page that is not there (no route) or does not answer 200: said, not timed."""


def check_result(result, check) -> None:
    if check is not None:
        check(result)


def page(client, route: str, period) -> callable:
    """A function loading the page of ``route`` for ``period`` (Unavailable without a route)."""
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(route)
    except NoReverseMatch:
        raise Unavailable(f"not available (no route {route!r} yet)") from None
    query = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    return lambda: client.get(url, query)


def answered(response) -> None:
    if response.status_code != 200:
        raise Unavailable(f"not available (answered {response.status_code})")


def database(vendor: str, requests: int, candidates: int, keep: bool):
    """The throwaway database, named by its sizes (kept and used again with ``--keep``)."""
    from django.db import connection

    name = f"bench_supervision_{requests}_{candidates}"
    if vendor == "sqlite":  # a file, as in production: an in-memory database flatters
        folder = OUT if keep else Path(tempfile.mkdtemp(prefix="gongxin-bench-"))
        folder.mkdir(parents=True, exist_ok=True)
        name = str(folder / f"{name}.sqlite3")
    connection.settings_dict["TEST"]["NAME"] = name
    # Not kept: a database of that name left by an interrupted run is dropped without asking.
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--loads", type=int, default=30, help="timed loads of each page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database, reuse it")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # Django's test client
    from bench.supervision_data import TODAY, generate
    from gongxin.core import clock

    vendor = connection.vendor
    test_db = database(vendor, args.requests, args.candidates, args.keep)
    clock.pin(dt.datetime.combine(TODAY, dt.time(10), clock.ZONE))
    from gongxin.inquiry.models import InquiryRequest

    stored = InquiryRequest.objects.count()
    print(f"\nGongxin supervision benchmark — {args.requests:,} requests, "
          f"{args.candidates:,} candidates, {vendor}, {os.cpu_count()} cores\n")  # fmt: skip
    if stored == 0:
        print("  generating the store (bulk inserts), seconds since start:")
        shape = generate(args.requests, args.candidates, seed=args.seed)
        total = shape.seconds["total"]
        rows = sum(shape.rows.values())
        print(f"\n  {rows:,} rows in {total:.1f} s ({rows / total:,.0f} rows/s): "
              + ", ".join(f"{k} {v:,}" for k, v in shape.rows.items()))  # fmt: skip
        print("  states: " + ", ".join(f"{k} {v:,}" for k, v in shape.states.most_common()))
        print(f"  returned {shape.returned:,} (sent again {shape.followed:,}), extended "
              f"{shape.extended:,}, overdue notes {shape.overdue_notes:,}, corrected "
              f"{shape.corrected:,}; received {shape.first} to {shape.last}\n")  # fmt: skip
    else:
        print(f"  using the kept store ({stored:,} requests)\n")
    try:
        timed(args)
    finally:
        clock.release()
        if not args.keep:
            connection.creation.destroy_test_db(test_db, verbosity=0)


def timed(args) -> None:
    from django.db.models import Count
    from django.test import Client

    from bench.supervision_data import TODAY
    from gongxin.accounts.models import PlatformUnit, Staff
    from gongxin.inquiry.models import InquiryRequest
    from gongxin.supervision import figures
    from tests.factories import signed_in

    period = figures.Period(TODAY.replace(year=TODAY.year - 1) + dt.timedelta(days=1), TODAY)
    cohort = InquiryRequest.objects.filter(received_on__range=(period.start, period.end))
    busiest = (cohort.exclude(unit__code="national").values("unit").annotate(n=Count("id"))
               .order_by("-n").first())  # fmt: skip
    province = PlatformUnit.objects.get(pk=busiest["unit"])
    units = list(PlatformUnit.objects.all())
    print(f"  period {period.label}: {cohort.count():,} requests received; the busiest "
          f"province, {province.name}: {busiest['n']:,}\n")  # fmt: skip

    # The first load counts every closed request once and keeps the counts (RequestTally);
    # the timed loads after it read them. What that first load costs is said on its own.
    from gongxin.supervision.models import RequestTally

    start = time.perf_counter()
    RequestTally.objects.all().delete()
    figures.per_unit(units, period)
    first = time.perf_counter() - start
    print(f"  first load, {RequestTally.objects.count():,} closed requests counted and kept: "
          f"{first:.1f} s\n")  # fmt: skip

    t = Timings(args.loads, args.warmup)
    baseline = t.measure("COUNT(*) requests in the period (baseline)", cohort.count)
    t.measure(f"COUNT(*) requests of {province.code} in the period",
              cohort.filter(unit=province).count)  # fmt: skip
    t.measure(f"unit_figures([{province.code}], period)",
              lambda: figures.unit_figures([province], period))  # fmt: skip
    t.measure(f"per_unit({len(units)} units, period)", lambda: figures.per_unit(units, period))

    def supervisor(unit):
        staff = Staff.objects.filter(unit=unit, role_grants__role="supervisor").first()
        return signed_in(Client(), staff.user)

    for label, client, route in (
        (f"statistics page, {province.code} supervisor", supervisor(province),
         "supervision_statistics"),
        ("statistics page, national supervisor", None, "supervision_statistics"),
        ("national page, national supervisor", None, "supervision_national"),
    ):  # fmt: skip
        client = client or supervisor(PlatformUnit.objects.get(code="national"))
        try:
            load = page(client, route, period)
        except Unavailable as exc:
            t.rows.append((label, None, None, str(exc)))
            continue
        t.measure(label, load, check=answered)
    t.print(baseline)
    slow = [label for label, figs, *_ in t.rows if figs and "page" in label
            and max(figs) >= GOAL_MS]  # fmt: skip
    timed_pages = [row for row in t.rows if row[1] and "page" in row[0]]
    verdict = "NO: " + "; ".join(slow) if slow else ("yes" if timed_pages else "no page yet")
    print(f"\n  pages under {GOAL_MS} ms (p50 and p95): {verdict}\n")


if __name__ == "__main__":
    main()
