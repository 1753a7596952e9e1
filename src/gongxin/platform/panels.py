"""Dashboard panels a higher layer adds to the 工作台 without the dashboard importing it.

The 工作台 belongs to the inquiry product; supervision (a layer above it) registers providers
in its AppConfig.ready(). A provider takes the signed-in staff member and returns the panels
that person should see (none when the role does not fit): each a template and its context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    template: str  # rendered with ``panel`` in its context
    data: dict = field(default_factory=dict)
    alert: bool = False  # something to act on: shown above the person's own queues


_PROVIDERS: list[Callable] = []


def provider(fn: Callable) -> Callable:
    """Register ``fn(staff) -> list[Panel]``."""
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)
    return fn


def panels_for(staff) -> list[Panel]:
    return [panel for fn in _PROVIDERS for panel in fn(staff)]
