"""The 工作台 panel of those who may see the unit's statistics (the same rule as the page):
this month's headline figures and the way to the statistics."""

from __future__ import annotations

from gongxin.core import clock
from gongxin.platform.panels import Panel
from gongxin.platform.permissions import allowed
from gongxin.supervision import periods, tables
from gongxin.supervision.figures import national
from gongxin.supervision.permissions import UNIT_OVERSIGHT


def statistics_panel(staff) -> list[Panel]:
    if staff is None or not allowed(staff, UNIT_OVERSIGHT):
        return []
    period = periods.preset("month", clock.today())
    _, each = national([staff.unit], period)
    fig = each[staff.unit.code]
    return [Panel("supervision/statistics_panel.html", {
        "figures": fig, "on_time": tables.Rate(fig.turnaround.on_time_share),
        "median": tables.Days(fig.turnaround.median),
    })]  # fmt: skip
