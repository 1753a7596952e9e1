"""The period a statistics page counts: 本月, 上月, 本季度, 本年度, or two dates typed; a bad
date is refused beside its field, in Chinese, and nothing is counted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gongxin.core import clock
from gongxin.core.dates import InvalidDate, parse_date, zh_date
from gongxin.platform.errors import Problem

PRESETS = {"month": "本月", "last_month": "上月", "quarter": "本季度", "year": "本年度"}
DEFAULT = "year"
START, END = "起始日期", "截止日期"
LONGEST = dt.timedelta(days=366 * 10)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        return f"{zh_date(self.start)}至{zh_date(self.end)}"


def preset(name: str, today: dt.date) -> Period:
    month = today.replace(day=1)
    if name == "month":
        return Period(month, _month_end(month))
    if name == "last_month":
        last = (month - dt.timedelta(days=1)).replace(day=1)
        return Period(last, _month_end(last))
    if name == "quarter":
        first = month.replace(month=(today.month - 1) // 3 * 3 + 1)
        return Period(first, _month_end(first.replace(month=first.month + 2)))
    return Period(today.replace(month=1, day=1), today.replace(month=12, day=31))


def _month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


@dataclass
class Choice:
    """What the person chose: the period (None when refused), the problems, what to show in
    the fields, and the chosen preset."""

    period: Period | None
    problems: list[Problem] = field(default_factory=list)
    start: str = ""
    end: str = ""
    preset: str = ""

    def query(self) -> str:
        """The query string that chooses the same period (for the export link)."""
        if self.period is None:
            return ""
        return f"start={self.period.start.isoformat()}&end={self.period.end.isoformat()}"


def choose(params, today: dt.date | None = None) -> Choice:
    today = today or clock.today()
    start_text, end_text = params.get("start", "").strip(), params.get("end", "").strip()
    name = params.get("preset", "")
    if name in PRESETS or not (start_text or end_text):
        name = name if name in PRESETS else DEFAULT
        period = preset(name, today)
        return Choice(period, start=period.start.isoformat(), end=period.end.isoformat(),
                      preset=name)  # fmt: skip
    problems, days = [], {}
    for label, text in ((START, start_text), (END, end_text)):
        if not text:
            problems.append(Problem(label, f"请填写{label}"))
            continue
        try:
            days[label] = parse_date(text[:40])
        except InvalidDate as exc:
            problems.append(Problem(label, exc.reason))
    if not problems:
        start, end = days[START], days[END]
        if end < start:
            problems.append(Problem(END, "截止日期不能早于起始日期"))
        elif end - start > LONGEST:
            problems.append(Problem(END, "统计期间不能超过十年"))
    if problems:
        return Choice(None, problems, start_text[:40], end_text[:40])
    return Choice(Period(days[START], days[END]), start=start_text, end=end_text)
