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
import sys
import threading
import traceback
from pathlib import Path

HELD = 120  # seconds a held operation waits for its release before giving up


def setup(home: Path):
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
    from tests.factories import World

    return World(home.parent)


def sign_in_and_register(world, letter_number: str) -> dict:
    """The handler signs in through the sign-in page and registers a request by the form."""
    from django.test import Client

    from gongxin.core import clock
    from gongxin.inquiry.models import InquiryRequest
    from tests.factories import LI

    client = Client()
    signed_in = client.post("/login/", {"username": "handler", "password": "x" * 16})
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


def held(target, hold_at):
    """Run ``target(hook)`` in a thread; ``hook`` holds it at its first call until released."""
    from django.db import connections

    holding, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def hook(*args, **kwargs):
        if not holding.is_set():
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


def big_import(world, home: Path) -> dict:
    """A 12,000-row list import held after its first staged batch."""
    from gongxin.core.synthetic import Generator
    from gongxin.registry.demo import write_list
    from gongxin.registry.models import ListImport
    from gongxin.registry.services import import_list
    from tests.factories import match_of

    path = home.parent / "big-list.csv"
    sample = write_list(path, Generator(seed=8), 12_000, masked_share=0, org_share=0)
    person = (sample[-1].name, sample[-1].ident)
    thread, release, outcome = held(
        lambda hook: import_list(path, source_code="sxbzxr", as_of=dt.date(2026, 11, 27),
                                 imported_by="test", progress=hook),
        "its first batch",
    )  # fmt: skip
    try:
        seen = {"while_held": sign_in_and_register(world, "京组函〔2026〕501号")}
        seen["import_still_held"] = thread.is_alive()
        seen["staged"] = list(ListImport.objects.values_list("status", flat=True).order_by("pk"))
        seen["match_while_held"] = match_of([person], as_of="2026-11-27")
    finally:
        release.set()
        thread.join(HELD)
    seen["import_error"] = outcome.get("error")
    seen["match_after"] = match_of([person], as_of="2026-11-27")
    return seen


def big_sign_off(world, home: Path) -> dict:
    """A sign-off held while its letter is rendered (the slow part of signing)."""
    from gongxin.inquiry import services
    from gongxin.inquiry.services import signing
    from tests.factories import ZHANG

    today = dt.date(2026, 3, 2)
    req = world.register(people=[ZHANG])
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    zhang = req.candidates.get()
    for reviewer in (world.reviewer_a, world.reviewer_b):
        services.review(reviewer, zhang.pk, "confirm", "一致", today=today)
    signer = req.participants.get(role="signer").staff
    real_render = signing.render

    def sign(hook):
        def render(*args, **kwargs):
            hook()
            return real_render(*args, **kwargs)

        signing.render = render
        return services.sign_off(signer, req.pk).state

    thread, release, outcome = held(sign, "the letter's rendering")
    try:
        seen = {"while_held": sign_in_and_register(world, "京组函〔2026〕502号")}
        seen["sign_off_still_held"] = thread.is_alive()
    finally:
        release.set()
        thread.join(HELD)
    seen["sign_off_error"] = outcome.get("error")
    seen["signed"] = outcome.get("result")
    return seen


SCENARIOS = {"import": big_import, "sign_off": big_sign_off}


def main() -> None:
    name, home = sys.argv[1], Path(sys.argv[2])
    world = setup(home)
    print(json.dumps(SCENARIOS[name](world, home), ensure_ascii=False))


if __name__ == "__main__":
    main()
