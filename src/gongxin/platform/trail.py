"""The audit hook for code below the audit layer (the calendar, accounts), and the workstation
every event of a request is recorded with.

The audit app connects its writer at start-up; recording without one raises, so an action is
never taken unrecorded. Call inside the business transaction, as with the audit app's own
``record``: if the write fails, the action is rolled back.

The workstation (专机) is found by the accounts app from the request's device credential; it
is handed to the trail through a context variable, so that no layer below the request has to
pass it along and the audit writer, which sits above accounts, need not import it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_writer: Callable | None = None
# The workstation's label and its unit's code: an event with no unit of its own (a refused
# sign-in, a browser enrolling) belongs to the unit whose workstation it came from.
_workstation: ContextVar[tuple[str, str]] = ContextVar("gongxin_workstation", default=("", ""))


def connect(writer: Callable) -> None:
    global _writer
    _writer = writer


def record(actor, action: str, obj=None, **kwargs):
    if _writer is None:
        raise RuntimeError("no audit trail is connected (is gongxin.audit installed?)")
    return _writer(actor, action, obj, **kwargs)


def workstation() -> str:
    """The workstation the current request comes from, as the trail names it ("" if none)."""
    return _workstation.get()[0]


def workstation_unit() -> str:
    """The code of the unit the current request's workstation belongs to ("" if none)."""
    return _workstation.get()[1]


@contextmanager
def at_workstation(label: str, unit_code: str = "") -> Iterator[None]:
    """Record events made inside the block as made at the workstation ``label`` of the unit
    ``unit_code``."""
    token = _workstation.set((label, unit_code))
    try:
        yield
    finally:
        _workstation.reset(token)


def set_workstation(label: str, unit_code: str = ""):
    """For code that cannot wrap a block (an API authentication class): set the workstation
    until the surrounding ``at_workstation`` block ends."""
    _workstation.set((label, unit_code))
