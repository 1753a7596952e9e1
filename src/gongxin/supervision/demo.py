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


def _registers(today: dt.date) -> str:
    from gongxin.supervision.demo_registers import load as load_registers

    return load_registers(today)


LOADERS.append(_registers)  # 风险台账、应急预案、电话咨询


def _history(today: dt.date) -> str:
    from gongxin.supervision.demo_history import load_history

    return load_history(today)


LOADERS.append(_history)  # 服务统计: months of issued work for the statistics pages


def load(today: dt.date) -> list[str]:
    return [line for fn in LOADERS if (line := fn(today))]


def _spot_checks(today: dt.date) -> str:
    from gongxin.supervision.demo_spotchecks import load_spot_checks

    return load_spot_checks(today)


LOADERS.append(_spot_checks)
