"""The load benchmark's store and plan: a national store of requests (bench/supervision_data.py),
a list of ``entries`` imported the ordinary way (bench/registry.py's list files), and what the
locust users need to work as staff: accounts with TOTP devices, a registered workstation per
unit, the units' signing certificates, and a pool of candidates (about 5% of them on the list).

Runs inside Django (the product's own settings, GONGXIN_HOME and DATABASE_URL set by the
driver). ``build`` fills an empty database; ``plan`` writes the JSON the locustfile reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import time
from pathlib import Path

PASSWORD = "gongxin-bench-2026"  # noqa: S105 - the store's staff (bench/supervision_data.py)
LIST_SOURCE = "zdsswf"  # the big list; the store's 20 matched entries are on sxbzxr
# Per unit, the staff the load signs in as: the store's four handlers, four reviewers and two
# signers (bench/supervision_data.STAFF) — ten users a unit.
ROLES = (("handler", 4), ("reviewer", 4), ("signer", 2))
PER_UNIT = sum(n for _, n in ROLES)
POOL = 5000  # candidates a registration picks its 50 from


def totp_key(username: str) -> str:
    """The TOTP device secret of a bench account (hex, as django-otp keeps it): derived from the
    name, so the locust users compute the codes an authenticator would show."""
    return hashlib.sha256(f"gongxin-bench-load-{username}".encode()).hexdigest()[:40]


def credential(unit_code: str) -> str:
    """The device credential of the unit's bench workstation (the cookie its browser holds)."""
    return f"gongxin-bench-load-workstation-{unit_code}"


def build(requests: int, candidates: int, entries: int, list_path: Path, *, seed: int = 1,
          progress=print) -> dict:  # fmt: skip
    """Write the store into the migrated, empty database: the requests, then the list."""
    from bench.supervision_data import TODAY, generate
    from gongxin.core import clock
    from gongxin.registry.services import import_list

    seconds = {}
    t0 = time.perf_counter()
    with clock.pinned(dt.datetime.combine(TODAY, dt.time(10), clock.ZONE)):
        shape = generate(requests, candidates, seed=seed, progress=progress)
    seconds["store"] = time.perf_counter() - t0
    progress(f"  store: {sum(shape.rows.values()):,} rows in {seconds['store']:.1f} s")
    t0 = time.perf_counter()
    result = import_list(list_path, source_code=LIST_SOURCE, imported_by="bench",
                         as_of=TODAY - dt.timedelta(days=3))  # fmt: skip
    seconds["list"] = time.perf_counter() - t0
    added = result.list_import.added
    progress(f"  list: {added:,} entries imported in {seconds['list']:.1f} s "
             f"({added / seconds['list']:,.0f} rows/s)")  # fmt: skip
    return {"requests": requests, "candidates": candidates, "entries": added,
            "seconds": seconds}  # fmt: skip


def plan(users: int, list_path: Path, *, seed: int = 1) -> dict:
    """Ready ``users`` staff accounts to sign in (a confirmed TOTP device each, a workstation
    per unit, the units' certificates) and say who they are, with a pool of candidates."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.registry import _sample_from
    from bench.supervision_data import PROVINCES
    from gongxin.accounts.models import PlatformUnit, RequestingAgency, Staff, Workstation
    from gongxin.core import clock
    from gongxin.core.synthetic import Generator
    from gongxin.documents.signing import ensure_demo_certificates

    codes = [code for code, *_ in PROVINCES][: math.ceil(users / PER_UNIT)]
    units = {u.code: u for u in PlatformUnit.objects.filter(code__in=codes)}
    people = []
    for code in codes:
        unit = units[code]
        Workstation.objects.get_or_create(
            unit=unit, name="压测专机",
            defaults={"credential_digest": Workstation.digest_of(credential(code)),
                      "registered_by": "bench", "enrolled_at": clock.now()},
        )  # fmt: skip
        agencies = list(RequestingAgency.objects.filter(unit=unit).values_list("pk", "name"))
        for role, count in ROLES:
            for i in range(count):
                if len(people) < users:
                    people.append({"username": f"{code}-{role}{i + 1}", "role": role,
                                   "unit": code, "agencies": agencies})  # fmt: skip
    user_model = get_user_model()
    for person in people:
        user = user_model.objects.get(username=person["username"])
        TOTPDevice.objects.update_or_create(
            user=user, name="压测", defaults={"key": totp_key(user.username), "confirmed": True},
        )  # fmt: skip
        # A password the store set long ago would have to be changed first: set it now.
        Staff.objects.filter(user=user).update(password_changed_at=clock.now(),
                                               must_change_password=False)  # fmt: skip
        person["totp_key"] = totp_key(user.username)
        person["credential"] = credential(person["unit"])
    ensure_demo_certificates(list(units.values()))
    sample = _sample_from(list_path)
    gen = Generator(seed)
    pool = list(gen.candidates(POOL, sample, 0.05))
    random.Random(seed).shuffle(pool)
    return {"password": PASSWORD, "people": people, "candidates": pool}


def write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
