"""Sign-off benchmark: a whole 签发 through the service, and how long it holds the locks.

    make bench     (runs this after the letter benchmark)

Before issue 7 a 5,000-candidate letter was rendered for about 36 s inside the locked signing
transaction, and every other writer waited. Now the letter is rendered and read back before the
transaction; inside it the state and results are checked again and the prepared files stored.
This prints, for 500 and 5,000 candidates: the whole sign-off, the time inside the transaction
(the request row and the unit's letter numbers locked; on SQLite the database's write lock),
and their ratio. One run each (a 5,000-candidate render takes tens of seconds on 2 cores).
Runs on a throwaway SQLite home (the test settings), migrated here.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gongxin.core.synthetic import Generator
    from gongxin.inquiry import services
    from gongxin.inquiry.services import signing
    from gongxin.registry.screening import CandidateInput
    from tests.factories import World

    locked: list[float] = []
    real_accept = signing._accept

    def timed_accept(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real_accept(*args, **kwargs)
        finally:
            locked.append(time.perf_counter() - t0)

    signing._accept = timed_accept
    from contextlib import contextmanager

    from gongxin.inquiry.services import screening

    screen_locked: list[float] = []
    real_act = screening.act

    @contextmanager
    def timed_act(*args, **kwargs):  # the screening's transaction: the request locked
        t0 = time.perf_counter()
        try:
            with real_act(*args, **kwargs) as req:
                yield req
        finally:
            screen_locked.append(time.perf_counter() - t0)

    screening.act = timed_act
    world = World(Path(tempfile.mkdtemp(prefix="gongxin-bench-")))
    print(f"\nGongxin sign-off benchmark — one run each, {os.cpu_count()} cores, SQLite\n")
    print(f"  {'candidates':>10}  {'sign-off':>10}  {'in the lock':>12}  {'lock/total':>10}"
          f"  {'screening':>10}  {'in the lock':>12}  {'before':>8}  {'submit':>8}")  # fmt: skip
    for n in (500, 5000):
        gen = Generator(seed=n)
        people = [CandidateInput(i + 1, gen.name(), gen.id_number(), "科员") for i in range(n)]
        reg = services.Registration(world.agency, f"京组函〔2026〕{n}号", dt.date(2026, 3, 2),
                                    "recruitment", people)  # fmt: skip
        req = services.register(world.handler, reg, today=dt.date(2026, 3, 2))
        # Baseline in the same run: the same people matched inside the lock, as before.
        again = services.register(world.handler, services.Registration(
            world.agency, f"京组函〔2026〕{n}-1号", dt.date(2026, 3, 2), "recruitment", people),
            today=dt.date(2026, 3, 2))  # fmt: skip
        real_fits, screening._Matched.fits = screening._Matched.fits, lambda *a: False
        services.screen_request(world.handler, again.pk, today=dt.date(2026, 3, 2))
        before = screen_locked[-1]
        screening._Matched.fits = real_fits
        t0 = time.perf_counter()
        services.screen_request(world.handler, req.pk, today=dt.date(2026, 3, 2))
        screened = time.perf_counter() - t0
        screen_in_lock = screen_locked[-1]
        services.submit(world.handler, req.pk)
        submit_in_lock = screen_locked[
            -1
        ]  # 提交 locks the request through the same act()  # nobody matches: straight to sign-off
        signer = req.participants.get(role="signer").staff
        locked.clear()
        t0 = time.perf_counter()
        services.sign_off(signer, req.pk, confirmed=True)
        total = time.perf_counter() - t0
        inside = sum(locked)
        print(f"  {n:>10,}  {total:>9.1f}s  {inside * 1000:>10.0f}ms  {inside / total:>10.1%}"
              f"  {screened * 1000:>8.0f}ms  {screen_in_lock * 1000:>10.0f}ms"
              f"  {before * 1000:>6.0f}ms  {submit_in_lock * 1000:>6.0f}ms")  # fmt: skip
    print("  before issue 7: the whole render (about 36 s for 5,000) was inside the lock;")
    print("  screening 'before': the same people matched inside the lock (this run);")
    print("  submit: the time 提交 holds the request locked\n")


if __name__ == "__main__":
    main()
