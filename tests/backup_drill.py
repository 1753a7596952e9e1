"""The restore drill's world, in a process of its own on a real database (tests/test_backup.py).

    python -m tests.backup_drill build HOME    init; a unit's people, a list, an issued letter
    python -m tests.backup_drill answers HOME  what screening answers now (one JSON line)
    python -m tests.backup_drill write HOME STOP   audit events (each one's place printed)
                                                   until the file STOP exists

GONGXIN_HOME is HOME; DATABASE_URL (kept from the environment) chooses PostgreSQL. pytest-django's
SQLite test database lives in memory, where neither a file backup nor WAL can be shown.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

# Screened before the backup and after the restore: listed (exact), not listed, and a name
# with a middle dot.
PEOPLE = [("张三", "11010519491231002X"), ("李四", "440524188001010014"),
          ("买买提·艾力", "650102198507150012")]  # fmt: skip


def setup(home: Path) -> None:
    os.environ["GONGXIN_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongxin.settings"
    import django
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    django.setup()


def build(home: Path) -> dict:
    """A registration, a list import, screening, review and an issued letter
    (tests.factories.issued), on a home made by `gongxin init`."""
    from django.core.management import call_command

    from tests.factories import World, issued

    call_command("init", stdout=open(os.devnull, "w"))
    world = World(home)
    issued(world)
    return answers()


def answers() -> dict:
    """What a person would see: each issued request's candidates screened again today (their
    names and numbers decrypted from the database), the fixed people screened, the letters."""
    from gongxin.core import clock
    from gongxin.inquiry.models import Candidate, InquiryRequest
    from gongxin.inquiry.services.identity import candidate_identity
    from tests.factories import screen_people

    today = clock.today().isoformat()
    requests = []
    for req in InquiryRequest.objects.order_by("pk"):
        people = [candidate_identity(c) for c in Candidate.objects.current(req).order_by("row")]
        requests.append({
            "state": req.state,
            "letter": _letter(req),
            "candidates": len(people),
            "screened": [str(r.match) for r in screen_people(people, today).results],
        })  # fmt: skip
    return {
        "requests": requests,
        "people": [str(r.match) for r in screen_people(PEOPLE, today).results],
    }


def _letter(req) -> list[str] | None:
    from tests.factories import letter_of

    if req.state != "issued":
        return None
    letter = letter_of(req)
    return [letter.document_number, letter.digest, letter.verification_code]


def write(stop: Path) -> None:
    """Audit events, each in its own transaction, as a busy server writes them."""
    from django.db import transaction

    from gongxin.audit.services import record

    while not stop.exists():
        with transaction.atomic():
            event = record("system", "audit.verify", outcome="ok", checkpoint=False,
                           broken_at=None)  # fmt: skip
        print(event.seq, flush=True)
        time.sleep(0.01)  # busy, not greedy: the machine is shared


def main() -> None:
    action, home = sys.argv[1], Path(sys.argv[2])
    setup(home)
    if action == "write":
        write(Path(sys.argv[3]))
        return
    print(json.dumps(build(home) if action == "build" else answers(), ensure_ascii=False))


if __name__ == "__main__":
    main()
