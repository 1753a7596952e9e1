"""Demo supervision records on top of the inquiry demo (``gongxin demo load``): a history of
issued requests to count, spot checks, risk points, plans and drills, consultations.

Each area adds a loader to LOADERS: ``fn(today) -> str`` (a line for the console), safe to run
twice (it changes nothing the second time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from gongxin.supervision import rotation_demo

LOADERS: list[Callable[[dt.date], str]] = []
LOADERS.append(rotation_demo.load)


def load(today: dt.date) -> list[str]:
    return [line for fn in LOADERS if (line := fn(today))]
