"""The one clock of the product: what time it is, and which day it is in China.

Everything that needs "now" or "today" asks this module, never the wall clock, so that a test can
pin it (to 31 December 23:30 in Shanghai, say) and a day's work is dated the same everywhere. The
business day is the day in Asia/Shanghai (DESIGN §4), whatever zone the machine itself runs in.

A pinned clock keeps ticking from the pinned instant, so events recorded one after the other are
still in order.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")

_pinned: tuple[dt.datetime, float] | None = None  # (instant, monotonic reading when pinned)


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    if _pinned is None:
        return dt.datetime.now(dt.UTC)
    instant, started = _pinned
    return instant + dt.timedelta(seconds=time.monotonic() - started)


def today() -> dt.date:
    """The business day: today's date in Asia/Shanghai."""
    return now().astimezone(ZONE).date()


def local(instant: dt.datetime) -> dt.datetime:
    """An instant as a wall-clock time in Asia/Shanghai."""
    return instant.astimezone(ZONE)


def start_of(day: dt.date) -> dt.datetime:
    """The instant a business day begins (midnight in Asia/Shanghai)."""
    return dt.datetime.combine(day, dt.time(), ZONE)


def pin(instant: dt.datetime) -> None:
    """Make the clock read ``instant`` now (then tick on). Tests and replays only."""
    global _pinned
    if instant.tzinfo is None:
        raise ValueError("pin the clock to an aware datetime (with its zone)")
    _pinned = (instant.astimezone(dt.UTC), time.monotonic())


def release() -> None:
    """Back to the wall clock."""
    global _pinned
    _pinned = None


@contextmanager
def pinned(instant: dt.datetime) -> Iterator[None]:
    previous = _pinned
    pin(instant)
    try:
        yield
    finally:
        globals()["_pinned"] = previous
