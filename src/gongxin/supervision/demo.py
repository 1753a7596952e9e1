"""Demo supervision records on top of the inquiry demo (``gongxin demo load``): a history of
issued requests to count, spot checks, risk points, plans and drills, consultations.

Each area adds a loader to LOADERS: ``fn(today) -> str`` (a line for the console), safe to run
twice (it changes nothing the second time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

LOADERS: list[Callable[[dt.date], str]] = []


def _history(today: dt.date) -> str:
    from gongxin.supervision.demo_history import load_history

    return load_history(today)


LOADERS.append(_history)  # 服务统计: months of issued work for the statistics pages


def load(today: dt.date) -> list[str]:
    return [line for fn in LOADERS if (line := fn(today))]
