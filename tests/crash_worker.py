"""The real task worker (`gongxin db-worker`) with a pause point, for the kill -9 tests.

`python -m tests.crash_worker POINT MARKER [db-worker options…]` runs the same command as
`python -m gongxin.cli db-worker`, except that a sign-off stops at POINT: it writes MARKER (so
the test knows the worker is there) and sleeps until it is killed. The pause makes the crash
land at a known step without any timing guess; no product code knows about it.

- ``render``: while the letter is rendered, before the signing transaction;
- ``inside``: inside the signing transaction, after the letter's number was taken;
- ``after``: after the signing transaction committed, before the job is marked done.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path


def pause(marker: Path) -> None:
    marker.write_text(str(os.getpid()))
    while True:  # until kill -9
        time.sleep(60)


def install(point: str, marker: Path) -> None:
    from gongxin.inquiry import tasks
    from gongxin.inquiry.services import signing

    if point == "render":
        real_render = signing.render

        def render(*args, **kwargs):
            pause(marker)
            return real_render(*args, **kwargs)

        signing.render = render
    elif point == "inside":
        real_allocate = signing.allocate

        def allocate(*args, **kwargs):
            letter = real_allocate(*args, **kwargs)
            pause(marker)
            return letter

        signing.allocate = allocate
    elif point == "after":
        real_sign_off = tasks.SERVICES["sign_off"]

        def sign_off(*args, **kwargs):
            req = real_sign_off(*args, **kwargs)
            pause(marker)
            return req

        tasks.SERVICES["sign_off"] = functools.update_wrapper(sign_off, signing.sign_off)
    else:
        raise SystemExit(f"unknown pause point {point}")


def main() -> None:
    point, marker, *options = sys.argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongxin.settings")
    import django

    django.setup()
    install(point, Path(marker))
    from gongxin.cli import main as gongxin

    gongxin(["db_worker", *options])


if __name__ == "__main__":
    main()
