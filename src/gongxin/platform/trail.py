"""The audit hook for code below the audit layer (the calendar, accounts).

The audit app connects its writer at start-up; recording without one raises, so an action is
never taken unrecorded. Call inside the business transaction, as with the audit app's own
``record``: if the write fails, the action is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable

_writer: Callable | None = None


def connect(writer: Callable) -> None:
    global _writer
    _writer = writer


def record(actor, action: str, obj=None, **kwargs):
    if _writer is None:
        raise RuntimeError("no audit trail is connected (is gongxin.audit installed?)")
    return _writer(actor, action, obj, **kwargs)
