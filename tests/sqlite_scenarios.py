"""Two people at once on a real SQLite file database (WAL), as a unit's server runs it.

Run by tests/test_lock_free.py in a process of its own (`python -m tests.sqlite_scenarios
NAME HOME`): pytest-django's SQLite test database lives in memory, where neither WAL nor the
write lock behave as on a server. Each scenario holds a long operation open mid-way from a
thread, has a second person sign in and register a request from the main thread while it is
held, then releases it; it prints what it saw as one JSON line.

The busy timeout is lowered to 5 s: were the held operation to keep the write lock, the
sign-in would fail with "database is locked" instead of succeeding.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import traceback
from pathlib import Path

HELD = 120  # seconds a held operation waits for its release before giving up
ROOT = Path(__file__).resolve().parent.parent


def run_module(
    module: str, name: str, tmp_path: Path, *, database_url: str | None = None, timeout: int = 600
) -> dict:
    """Run ``python -m module name HOME`` in a process of its own, in a home under
    ``tmp_path`` (on a SQLite file, or ``database_url``); what it printed last, as JSON."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGXIN_KEY_FILE")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    if database_url:
        env["DATABASE_URL"] = database_url
    proc = subprocess.run(
        [sys.executable, "-m", module, name, str(tmp_path / "home")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_scenario(name: str, tmp_path: Path) -> dict:
    """Run a scenario in a process of its own, in a home under ``tmp_path``; what it saw."""
    return run_module("tests.sqlite_scenarios", name, tmp_path)


def setup(home: Path) -> None:
    os.environ["GONGXIN_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongxin.settings"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("GONGXIN_KEY_FILE", None)
    os.environ["GONGXIN_ALLOWED_HOSTS"] = "testserver"
    import django
    from django.conf import settings

    settings.DATABASES["default"]["OPTIONS"]["timeout"] = 5
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    django.setup()
    from django.core.management import call_command

    call_command("init", stdout=open(os.devnull, "w"))


def world(home: Path):
    from tests.factories import World

    return World(home.parent)


def sign_in_and_register(world, letter_number: str) -> dict:
    """The handler signs in through the sign-in page and registers a request by the form."""
    from django.test import Client

    from gongxin.core import clock
    from gongxin.inquiry.models import InquiryRequest
    from tests.factories import LI, sign_in

    client = Client()
    signed_in = sign_in(client, "handler")  # on the unit's workstation, password and TOTP code
    answer = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": letter_number,
        "received_on": clock.today().isoformat(), "kind": "recruitment",
        "candidates_text": f"{LI[0]},{LI[1]},科员",
    })  # fmt: skip
    return {
        "sign_in": signed_in.status_code,
        "sign_in_to": signed_in.get("Location", ""),
        "register": answer.status_code,
        "registered": InquiryRequest.objects.filter(letter_number=letter_number).exists(),
    }


def held(target, hold_at, when=lambda: True):
    """Run ``target(hook)`` in a thread; ``hook`` holds it at its first call where ``when()``
    is true, until released."""
    from django.db import connections

    holding, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def hook(*args, **kwargs):
        if not holding.is_set() and when():
            holding.set()
            release.wait(HELD)

    def run():
        try:
            outcome["result"] = target(hook)
        except BaseException as exc:  # reported to the parent
            outcome["error"] = "".join(traceback.format_exception_only(exc)).strip()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    if not holding.wait(HELD):
        raise SystemExit(f"the operation never reached {hold_at}")
    return thread, release, outcome


def big_import(home: Path) -> dict:
    """A 12,000-row list import held between two of its transactions, once rows are staged."""
    from gongxin.core.synthetic import Generator
    from gongxin.registry.demo import write_list
    from gongxin.registry.models import ListEntry, ListImport
    from gongxin.registry.services import import_list
    from tests.factories import match_of

    people = world(home)
    path = home.parent / "big-list.csv"
    sample = write_list(path, Generator(seed=8), 12_000, masked_share=0, org_share=0)
    person = (sample[-1].name, sample[-1].ident)

    def staged_rows() -> int:
        return ListEntry.objects.filter(created_by_import__status="staging").count()

    thread, release, outcome = held(
        lambda hook: import_list(path, source_code="sxbzxr", as_of=dt.date(2026, 11, 27),
                                 imported_by="test", progress=hook),
        "its first staged rows", staged_rows,
    )  # fmt: skip
    try:
        seen = {"while_held": sign_in_and_register(people, "京组函〔2026〕501号")}
        seen["import_still_held"] = thread.is_alive()
        seen["staged"] = list(ListImport.objects.values_list("status", flat=True).order_by("pk"))
        seen["staged_rows"] = staged_rows()
        seen["match_while_held"] = match_of([person], as_of="2026-11-27")
    finally:
        release.set()
        thread.join(HELD)
    seen["import_error"] = outcome.get("error")
    seen["match_after"] = match_of([person], as_of="2026-11-27")
    return seen


def big_sign_off(home: Path) -> dict:
    """A sign-off held while its letter is rendered (the slow part of signing)."""
    from gongxin.inquiry import services
    from gongxin.inquiry.services import signing
    from tests.factories import ZHANG

    today = dt.date(2026, 3, 2)
    world_ = world(home)
    req = world_.register(people=[ZHANG])
    services.screen_request(world_.handler, req.pk, today=today)
    services.submit(world_.handler, req.pk)
    zhang = req.candidates.get()
    for reviewer in (world_.reviewer_a, world_.reviewer_b):
        services.review(reviewer, zhang.pk, "confirm", "一致", today=today)
    signer = req.participants.get(role="signer").staff
    real_render = signing.render

    def sign(hook):
        def render(*args, **kwargs):
            hook()
            return real_render(*args, **kwargs)

        signing.render = render
        return services.sign_off(signer, req.pk, confirmed=True).state

    thread, release, outcome = held(sign, "the letter's rendering")
    try:
        seen = {"while_held": sign_in_and_register(world_, "京组函〔2026〕502号")}
        seen["sign_off_still_held"] = thread.is_alive()
    finally:
        release.set()
        thread.join(HELD)
    seen["sign_off_error"] = outcome.get("error")
    seen["signed"] = outcome.get("result")
    return seen


def raw_scan(home: Path) -> dict:
    """After `demo load`, a list import, a request with synthetic candidates taken from
    registration to issued (matches, reviews, sign-off) and a refused candidate upload: every
    byte of the database (with its -wal) and of every file in the home, searched for the
    names and ID numbers of everyone involved. Returns what was found where."""
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from gongxin.core import clock
    from gongxin.core.synthetic import Generator
    from gongxin.inquiry import services
    from gongxin.inquiry.models import Candidate
    from gongxin.inquiry.services.identity import candidate_identity
    from gongxin.registry.screening import CandidateInput
    from gongxin.registry.services import add_source, import_list
    from tests.factories import person_row, signed_in, write_csv

    call_command("demo", "load", stdout=open(os.devnull, "w"))
    gen = Generator(seed=4242)
    listed = [(gen.name(), gen.id_number()) for _ in range(40)]
    outside = home.parent / "files"  # what staff bring: not part of the home
    outside.mkdir()
    add_source("scan", "扫描用名单")
    import_list(write_csv(outside / "list.csv", [person_row(*p) for p in listed]),
                source_code="scan", imported_by="test", as_of=clock.today())  # fmt: skip
    people = listed[:3] + [(gen.name(), gen.id_number()) for _ in range(27)]
    from gongxin.accounts.models import RequestingAgency, Staff

    handler = Staff.objects.get(user__username="bj-handler1")
    agency = RequestingAgency.objects.get(name="北京市委组织部")
    reg = services.Registration(agency, "扫描组函〔2026〕1号", clock.today(), "recruitment",
                                [CandidateInput(i + 2, n, number, "科员")
                                 for i, (n, number) in enumerate(people)])  # fmt: skip
    req = services.register(handler, reg)
    services.screen_request(req.handler, req.pk)
    services.submit(req.handler, req.pk)
    for candidate in req.candidates.order_by("row")[:3]:
        for part in req.participants.filter(role="reviewer"):
            services.review(part.staff, candidate.pk, "confirm", "一致")
    services.sign_off(req.participants.get(role="signer").staff, req.pk, confirmed=True)
    services.issue(req.handler, req.pk)
    # A candidate table refused for its bad cells, through the page.
    typed = (gen.name(), gen.id_number()[:17] + "0")
    client = signed_in(Client(), handler)
    bad = write_csv(outside / "bad.csv", [{"姓名": typed[0], "公民身份号码": typed[1]}])
    with open(bad, "rb") as fh:
        refused = client.post("/requests/new/", {
            "agency": agency.pk, "letter_number": "扫描组函〔2026〕2号",
            "received_on": clock.today().isoformat(), "kind": "recruitment",
            "candidates_file": fh})  # fmt: skip
    assert refused.status_code == 200 and "校验码" in refused.content.decode()  # refused, named
    everyone = set(listed) | set(people) | {typed}
    everyone |= {candidate_identity(c) for c in Candidate.objects.all()}  # the demo's too
    # Staff names are stored as they are (they are not the people checked); a synthetic
    # candidate who shares a staff member's name cannot be told apart by a byte search.
    staff = set(Staff.objects.values_list("full_name", flat=True))
    needles = {("id", number) for _, number in everyone}
    needles |= {("name", name) for name, _ in everyone if name not in staff}
    # A letter file is compressed (PDF streams, DOCX zip), so names in it would not show:
    # its issued bytes themselves must not be in the database, only their ciphertext.
    from gongxin.documents.models import LetterFile
    from gongxin.documents.sealed import file_bytes

    stored = list(LetterFile.objects.all())
    needles |= {("letter", file_bytes(f)[:256].hex()) for f in stored}

    def scan() -> tuple[list, list]:
        found, files = [], sorted(p for p in home.rglob("*") if p.is_file())
        for path in files:
            data = path.read_bytes()
            found += [[str(path.relative_to(home)), what, needle] for what, needle in needles
                      if _bytes(what, needle) in data]  # fmt: skip
        return [str(p.relative_to(home)) for p in files], found

    open_files, found_open = scan()  # the database as it is in use: with its -wal
    connections.close_all()
    closed_files, found_closed = scan()  # and once everything is written back
    return {
        "files": sorted(set(open_files) | set(closed_files)),
        "names": sum(1 for what, _ in needles if what == "name"),
        "ids": sum(1 for what, _ in needles if what == "id"),
        "letter_files": len(stored),
        "letter_files_sealed": all(f.key_id for f in stored),
        "found": found_open + found_closed,
    }


def _bytes(what: str, needle: str) -> bytes:
    return bytes.fromhex(needle) if what == "letter" else needle.encode()


def worker(home: Path) -> dict:
    """A large request's screening enqueued on django-tasks' database backend, then run by the
    real worker (`gongxin db-worker --batch`) in a process of its own, as `gongxin serve` runs
    it: what the job and the request say before and after."""
    from django.conf import settings

    from gongxin.core.synthetic import Generator
    from gongxin.inquiry import tasks
    from gongxin.inquiry.models import InquiryRequest, RequestJob
    from tests.factories import ZHANG

    settings.GONGXIN_BACKGROUND_FROM = 5
    world_ = world(home)
    gen = Generator(seed=6)
    req = world_.register(people=[*[(gen.name(), gen.id_number()) for _ in range(5)], ZHANG])
    assert tasks.in_background(req, "screen")
    job = tasks.enqueue(world_.handler, req.pk, "screen")
    seen = {"queued": RequestJob.objects.get(pk=job.pk).state}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    subprocess.run([sys.executable, "-m", "gongxin.cli", "db-worker", "--batch"], cwd=ROOT,
                   env=env, check=True, timeout=HELD, capture_output=True)  # fmt: skip
    job = RequestJob.objects.get(pk=job.pk)
    seen["job"] = [job.state, job.processed, job.total]
    seen["state"] = InquiryRequest.objects.get(pk=req.pk).state
    seen["screenings"] = req.screenings.count()
    return seen


SCENARIOS = {"import": big_import, "sign_off": big_sign_off, "raw_scan": raw_scan, "worker": worker}


def main() -> None:
    name, home = sys.argv[1], Path(sys.argv[2])
    setup(home)
    print(json.dumps(SCENARIOS[name](home), ensure_ascii=False))


if __name__ == "__main__":
    main()
