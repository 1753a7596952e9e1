"""The working-day calendar in force: chinesecalendar plus the years a sysadmin entered."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongxin.core import clock
from gongxin.core.workdays import CalendarUnavailable, WorkCalendar, YearSchedule
from gongxin.platform.errors import WorkflowError
from gongxin.platform.models import CalendarDay, CalendarDayKind, CalendarYear
from gongxin.platform.rules import keeps_calendar
from gongxin.platform.trail import record


def work_calendar() -> WorkCalendar:
    entered: dict[int, dict[str, set]] = {}
    for year, day, kind in CalendarDay.objects.values_list("year__year", "day", "kind"):
        entered.setdefault(year, {"holiday": set(), "workday": set()})[kind].add(day)
    for year in CalendarYear.objects.values_list("year", flat=True):
        entered.setdefault(year, {"holiday": set(), "workday": set()})
    return WorkCalendar({
        year: YearSchedule(frozenset(days["holiday"]), frozenset(days["workday"]))
        for year, days in entered.items()
    })  # fmt: skip


def deadline_for(received_on: dt.date) -> tuple[dt.date | None, str]:
    """(deadline, problem): the problem is the Chinese message when it cannot be computed."""
    try:
        return work_calendar().add_workdays(received_on), ""
    except CalendarUnavailable as exc:
        return None, exc.message


def years_around(today: dt.date | None = None) -> list[tuple[int, bool]]:
    """Last year to three years ahead, each with whether its schedule is known."""
    today = today or clock.today()
    calendar = work_calendar()
    return [(y, calendar.covers(y)) for y in range(today.year - 1, today.year + 3)]


def enter_year(actor, year: int, holidays: list[dt.date], workdays: list[dt.date]) -> CalendarYear:
    """A sysadmin enters (or replaces) one year's schedule: days off and weekend days worked."""
    if reason := keeps_calendar(actor):
        raise WorkflowError("forbidden", reason)
    holidays, workdays = sorted(set(holidays)), sorted(set(workdays))  # a day typed twice
    days = [(d, CalendarDayKind.HOLIDAY) for d in holidays]
    days += [(d, CalendarDayKind.WORKDAY) for d in workdays]
    wrong = sorted({d for d, _ in days if d.year != year})
    if wrong:
        raise WorkflowError("invalid", f"日期 {wrong[0].isoformat()} 不在 {year} 年内")
    both = set(holidays) & set(workdays)
    if both:
        raise WorkflowError("invalid", f"{min(both).isoformat()} 不能既放假又上班")
    with transaction.atomic():
        entry, _ = CalendarYear.objects.update_or_create(
            year=year, defaults={"entered_by": actor.user.username, "entered_at": clock.now()}
        )
        entry.days.all().delete()
        CalendarDay.objects.bulk_create(CalendarDay(year=entry, day=d, kind=k) for d, k in days)
        record(actor, "calendar.enter", entry, year=year, holidays=len(holidays),
               workdays=len(workdays))  # fmt: skip
    return entry


# From this day of the year on, next year's schedule should be known (the State Council usually
# publishes it in November): the sysadmin's 工作台 warns until it is entered.
NEXT_YEAR_DUE = (12, 1)


def next_year_missing(today: dt.date | None = None) -> int | None:
    """Next year, when its holiday schedule is due (from 1 December) but neither known nor
    entered; else None."""
    today = today or clock.today()
    if (today.month, today.day) < NEXT_YEAR_DUE:
        return None
    year = today.year + 1
    return None if work_calendar().covers(year) else year
