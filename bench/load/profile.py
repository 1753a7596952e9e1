"""The load benchmark's pages one at a time, without load: time, queries, and the slowest
queries of each, through Django's test client against a kept store (bench/load/driver.py
--keep). For finding out why a page is slow under load.

    DATABASE_URL=postgres://…/bench_load_100000_1000000 GONGXIN_HOME=bench/out/load/bench_load_… \\
        python bench/load/profile.py [--user bj-handler1] [--loads 10] [--explain]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--user", default="bj-handler1")
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest")
    parser.add_argument("--all", action="store_true", help="every query, not the slowest three")
    parser.add_argument("--only", default="", help="the pages whose label contains this")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from gongxin.inquiry.models import InquiryRequest
    from tests.factories import signed_in

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = get_user_model().objects.get(username=args.user)
    client = signed_in(Client(), user)
    req = InquiryRequest.objects.filter(unit=user.staff.unit).order_by("-pk").first()
    pages = [("page: dashboard", "/"), ("page: request list", "/requests/"),
             ("page: request detail", f"/requests/{req.pk}/"),
             ("api: request list", "/api/v1/requests/"),
             ("api: request detail", f"/api/v1/requests/{req.pk}/")]  # fmt: skip
    for label, url in pages:
        if args.only not in label:
            continue
        queries = []

        def timed(execute, sql, params, many, context, queries=queries):
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append(((time.perf_counter() - t0) * 1000, sql, params))

        assert client.get(url).status_code == 200, url
        with connection.execute_wrapper(timed):
            client.get(url)
        times = []
        for _ in range(args.loads):
            t0 = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        total = sum(ms for ms, *_ in queries)
        print(f"\n{label} {url}: p50 {statistics.median(times):.0f} ms, {len(queries)} "
              f"queries, {total:.0f} ms in the database")  # fmt: skip
        shown = queries if args.all else sorted(queries, key=lambda q: q[0], reverse=True)[:3]
        for ms, sql, params in shown:
            print(f"  {ms:7.1f} ms  {sql[: 160 if args.all else 300]}")
            if args.explain and connection.vendor == "postgresql" and sql.startswith("SELECT"):
                with connection.cursor() as cur:
                    cur.execute(f"EXPLAIN ANALYZE {sql}", params)
                    for (line,) in cur.fetchall()[:12]:
                        print(f"      {line}")


if __name__ == "__main__":
    main()
