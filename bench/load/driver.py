"""Load benchmark: staff work by concurrent users (locust) against two application nodes on one
database, then against one node.

    DATABASE_URL=$(scripts/postgres.sh start) python bench/load/driver.py          (quick)
    DATABASE_URL=… python bench/load/driver.py --full --keep       (issue 11's size, kept)
    make bench LOAD_ARGS="--full --keep"

The store (bench/load/store.py): ``--requests`` requests with ten candidates each on average
(bench/supervision_data.py, bulk inserts) and a list of ``--entries`` entries imported the
ordinary way (bench/registry.py's cached list files in bench/out/). ``--full``: 100,000 requests
and 1,000,000 entries; the quick default 10,000 and 100,000. ``--keep`` keeps the database and
its GONGXIN_HOME (the key file that opens it) and uses them again: building the full store takes
minutes. Without DATABASE_URL the database is SQLite in that home (one node only makes sense).

Then for each node count of ``--nodes`` (default 2, then 1): that many application processes
(``start_node``) and one task worker, ``--users`` locust users (bench/load/locustfile.py) spread
over the nodes for ``--duration`` seconds, then everything stopped. Printed: per kind of request
p50 / p95 / p99 in ms, the count and the errors; overall and without sign-off (the goal excepts
signing); requests per second. The bench environment raises the API token endpoint's throttle
(GONGXIN_TOKEN_RATE; every user asks from 127.0.0.1); the sign-in lockout stays as configured
(no attempt fails, so it never counts).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
GOAL_MS = 150
SIGNING = "api: sign-off"
SIGNING_IN = frozenset({"sign-in page", "sign-in", "api token", "sign-out"})
# gunicorn per node (gthread workers, decision of issue 11); the driver's --workers/--threads.
WORKERS, THREADS = 2, 4


def start_node(port: int, env: dict) -> subprocess.Popen:
    """One application node on 127.0.0.1:``port`` (the one place a node is started): the
    product's own server, `gongxin serve`, as an operator runs it."""
    log = open(Path(env["GONGXIN_HOME"]) / f"node-{port}.log", "ab")
    env = {**env, "GONGXIN_WORKERS": str(WORKERS), "GONGXIN_THREADS": str(THREADS),
           "GONGXIN_KEEPALIVE": "30"}  # fmt: skip
    return subprocess.Popen(  # noqa: S603 - our own interpreter, our arguments
        [sys.executable, "-m", "gongxin.cli", "serve", f"127.0.0.1:{port}"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def start_worker(env: dict) -> subprocess.Popen:
    log = open(Path(env["GONGXIN_HOME"]) / "worker.log", "ab")
    return subprocess.Popen([sys.executable, "-m", "gongxin.cli", "worker"], env=env,
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip


def wait_ready(proc: subprocess.Popen, url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the node exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - http://127.0.0.1
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url}: not ready after {timeout:.0f} s")


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the database and its home ------------------------------------------------------------------


def postgres_database(server_url: str, name: str, fresh: bool) -> str:
    """The URL of database ``name`` on the server of ``server_url``, created (dropped first
    when ``fresh``)."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or fresh:
            conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_postgres_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- figures ------------------------------------------------------------------------------------


def rank(ranked: list[float], p: float) -> float:
    return ranked[max(0, math.ceil(p * len(ranked)) - 1)]


def summary(recorded: dict) -> dict:
    """Per kind and overall: count, errors, p50 / p95 / p99 (ms, nearest rank); throughput.
    Once every user has started (steady work), except sign-in and the token, which happen
    mostly while users start (every user signs in first): those over the whole run."""
    steady = recorded["all_started"]
    times = [t for t in recorded["times"] if t[0] in SIGNING_IN or t[3] >= steady]
    kinds: dict[str, list] = {}
    for name, ms, failed, _ in times:
        kinds.setdefault(name, []).append((ms, failed))
    rows = {}

    def row(entries):
        ranked = sorted(ms for ms, _ in entries)
        return {"n": len(ranked), "errors": sum(f for _, f in entries),
                "p50": statistics.median(ranked), "p95": rank(ranked, 0.95),
                "p99": rank(ranked, 0.99)}  # fmt: skip

    for name in sorted(kinds):
        rows[name] = row(kinds[name])
    everything = [e for v in kinds.values() for e in v]
    rows["overall"] = row(everything)
    rows["overall, signing excepted"] = row(
        [e for k, v in kinds.items() if k != SIGNING for e in v]
    )
    rows["work (sign-in, signing excepted)"] = row(
        [e for k, v in kinds.items() if k != SIGNING and k not in SIGNING_IN for e in v]
    )
    stamps = [t for *_, t in times if t >= steady]
    span = max(stamps) - min(stamps) if len(stamps) > 1 else 1.0
    return {"rows": rows, "throughput": len(stamps) / span, "seconds": span}


def print_table(title: str, result: dict) -> None:
    load = result.get("load_average", (0, 0))
    print(
        f"\n  {title}: {result['throughput']:.1f} requests/s over {result['seconds']:.0f} s "
        f"(the machine's load average {load[0]:.1f} before, {load[1]:.1f} after)"
    )
    print(f"  {'kind':<34}{'n':>7}{'errors':>8}{'p50':>9}{'p95':>9}{'p99':>9}")
    for name, r in result["rows"].items():
        mark = "" if name == SIGNING or r["p95"] < GOAL_MS else "  > goal"
        print(f"  {name:<34}{r['n']:>7}{r['errors']:>8}{r['p50']:>7.0f}ms{r['p95']:>7.0f}ms"
              f"{r['p99']:>7.0f}ms{mark}")  # fmt: skip


def run_locust(args, hosts: list[str], env: dict, plan_path: Path, label: str) -> dict:
    out = Path(env["GONGXIN_HOME"]) / f"times-{label}.json"
    out.unlink(missing_ok=True)
    locust_env = {**env, "LOAD_PLAN": str(plan_path), "LOAD_HOSTS": ",".join(hosts),
                  "LOAD_OUT": str(out), "LOAD_WAIT": args.wait,
                  "LOAD_RUN": f"{int(time.time()) % 100000}{label[0]}"}  # fmt: skip
    log = Path(env["GONGXIN_HOME"]) / f"locust-{label}.log"
    with open(log, "wb") as fh:
        subprocess.run(  # noqa: S603 - our own interpreter, our arguments
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
             "--stop-timeout", "90", "--only-summary", "--loglevel", "WARNING",
             "--host", hosts[0]],
            env=locust_env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, check=False,
        )  # fmt: skip
    if not out.exists():
        raise RuntimeError(f"locust wrote no times (see {log})")
    return summary(json.loads(out.read_text()))


def password_floor(password: str) -> float:
    """Checking one password with the product's hasher (Argon2), ms (median of 5): the floor
    of a sign-in, which checks it once."""
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password(password)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        check_password(password, encoded)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv=None) -> int:
    global WORKERS, THREADS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="100,000 requests, 1,000,000 entries")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=1, help="users started a second")
    parser.add_argument("--duration", type=int, default=120, help="seconds per run")
    parser.add_argument("--wait", default="3,10", help="think time between steps, s (min,max)")
    parser.add_argument("--nodes", default="2,1", help="node counts to run, in order")
    parser.add_argument("--port", type=int, default=8115, help="the first node's port")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--workdir", type=Path, default=OUT / "load")
    parser.add_argument("--keep", action="store_true", help="keep the database, reuse it")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    if args.full:
        args.requests, args.entries = 100_000, 1_000_000
    WORKERS, THREADS = args.workers, args.threads
    candidates = args.requests * 10

    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    from bench.registry import generate as list_file

    list_path, _ = list_file(args.entries, 7)
    name = f"bench_load_{args.requests}_{args.entries}"
    home = (args.workdir / name).resolve()
    marker = home / "store.json"
    reuse = args.keep and marker.exists()
    if not reuse and home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    server = os.environ.get("DATABASE_URL", "")
    env = {**os.environ, "GONGXIN_HOME": str(home), "DJANGO_SETTINGS_MODULE": "gongxin.settings",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
           "GONGXIN_TOKEN_RATE": "100000/min", "GONGXIN_LOG_LEVEL": "ERROR"}  # fmt: skip
    env.pop("GONGXIN_KEY_FILE", None)
    if server:
        env["DATABASE_URL"] = postgres_database(server, name, fresh=not reuse)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.load import store

    call_command("init", verbosity=0, stdout=open(os.devnull, "w"))
    vendor = connection.vendor
    print(f"\nGongxin load benchmark — {args.requests:,} requests, {args.entries:,} list entries, "
          f"{vendor}, {os.cpu_count()} cores; {args.users} users for {args.duration} s, "
          f"think time {args.wait.replace(',', '–')} s; "
          f"gunicorn gthread {WORKERS}×{THREADS} per node\n")  # fmt: skip
    if reuse:
        built = json.loads(marker.read_text())
        print(f"  using the kept store ({home})")
    else:
        print("  building the store (seconds since start):")
        built = store.build(args.requests, candidates, args.entries, list_path)
        marker.write_text(json.dumps(built))
    plan_path = home / "plan.json"
    store.write(plan_path, store.plan(args.users, list_path))
    floor = password_floor(store.PASSWORD)
    print(f"  one password check (Argon2, the sign-in's floor): {floor:.0f} ms")
    connection.close()

    results = {}
    try:
        for count in [int(n) for n in args.nodes.split(",") if n]:
            ports = [args.port + i for i in range(count)]
            hosts = [f"http://127.0.0.1:{p}" for p in ports]
            procs = []
            try:
                procs = [start_node(p, env) for p in ports]
                for proc, host in zip(procs, hosts, strict=True):
                    wait_ready(proc, f"{host}/login/")
                procs.append(start_worker(env))
                label = f"{count}-node" + ("s" if count > 1 else "")
                before = os.getloadavg()[0]
                results[label] = run_locust(args, hosts, env, plan_path, label)
                results[label]["load_average"] = (before, os.getloadavg()[0])
            finally:
                stop(procs)
            print_table(f"{label} ({', '.join(str(p) for p in ports)})", results[label])
    finally:
        if not args.keep:
            if server:
                drop_postgres_database(server, name)
            shutil.rmtree(home, ignore_errors=True)
    if not results:
        return 0
    errors = sum(r["rows"]["overall"]["errors"] for r in results.values())
    slow = [f"{label}: {kind}" for label, r in results.items()
            for kind, row in r["rows"].items()
            if kind not in (SIGNING, "overall") and row["p95"] >= GOAL_MS]  # fmt: skip
    print(f"\n  errors: {errors}; p95 under {GOAL_MS} ms (signing excepted): "
          + ("yes" if not slow else "NO — " + "; ".join(slow)) + "\n")  # fmt: skip
    if args.json:
        figures = {"store": built, "password_ms": floor, "runs": results}
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
