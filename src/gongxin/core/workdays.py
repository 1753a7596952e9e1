"""Working days and the 3-working-day deadline (DESIGN §3).

The State Council's schedule comes from the ``chinesecalendar`` package (2004–2026 in 1.11.0);
years it does not cover come from the schedules a sysadmin enters. A year that neither covers is
an error with a message for staff — a deadline is never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import chinese_calendar

DEADLINE_WORKDAYS = 3


class CalendarUnavailable(Exception):
    """No schedule for ``year``: the message is what staff see."""

    def __init__(self, year: int):
        self.year = year
        self.message = f"截止日期无法计算：{year} 年节假日安排未配置"
        super().__init__(self.message)


@dataclass(frozen=True)
class YearSchedule:
    """One year as the State Council announced it: days off, and weekend days worked (调休)."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


class WorkCalendar:
    """Entered schedules take precedence over the package: the sysadmin's word is the record."""

    def __init__(self, entered: Mapping[int, YearSchedule] | None = None):
        self.entered = dict(entered or {})

    def is_workday(self, day: dt.date) -> bool:
        schedule = self.entered.get(day.year)
        if schedule is not None:
            return schedule.is_workday(day)
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise CalendarUnavailable(day.year) from None

    def covers(self, year: int) -> bool:
        if year in self.entered:
            return True
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    def add_workdays(self, start: dt.date, days: int = DEADLINE_WORKDAYS) -> dt.date:
        """The day on which ``days`` working days have passed, counting from the day after
        ``start`` (whether or not ``start`` is itself a working day)."""
        day, counted = start, 0
        while counted < days:
            try:
                day += dt.timedelta(days=1)
            except OverflowError:  # past 9999-12-31: no schedule, certainly
                raise CalendarUnavailable(day.year + 1) from None
            if self.is_workday(day):
                counted += 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(
            1 for n in range(1, (end - start).days + 1)
            if self.is_workday(start + dt.timedelta(days=n))
        )  # fmt: skip
