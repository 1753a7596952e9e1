import datetime as dt

import pytest

from gongxin.core.workdays import CalendarUnavailable, WorkCalendar, YearSchedule

D = dt.date


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (D(2026, 2, 13), D(2026, 2, 25)),  # before 春节: 2/14 (Sat) is worked, 2/15–23 off
        (D(2026, 4, 30), D(2026, 5, 8)),  # before 劳动节
        (D(2026, 12, 28), D(2026, 12, 31)),
        (D(2026, 9, 30), D(2026, 10, 10)),  # before 国庆: 10/1–7 off, 10/10 (Sat) worked
        (D(2026, 10, 3), D(2026, 10, 10)),  # received on a holiday: count from the next day
        (D(2026, 2, 15), D(2026, 2, 26)),  # received on the first day of 春节
    ],
)
def test_design_deadline_vectors(received, deadline):
    assert WorkCalendar().add_workdays(received) == deadline


def test_unconfigured_year_is_an_error_never_a_guess():
    with pytest.raises(CalendarUnavailable) as exc:
        WorkCalendar().add_workdays(D(2026, 12, 30))
    assert exc.value.message == "截止日期无法计算：2027 年节假日安排未配置"
    assert not WorkCalendar().covers(2027)


def test_entered_year_is_used():
    schedule = YearSchedule(
        holidays=frozenset({D(2027, 1, 1)}), workdays=frozenset({D(2027, 1, 2)})
    )
    calendar = WorkCalendar({2027: schedule})
    # 12/30 (Wed) → 12/31 (1), 1/1 off, 1/2 (Sat, worked) (2), 1/4 (Mon) (3)
    assert calendar.add_workdays(D(2026, 12, 30)) == D(2027, 1, 4)
    assert calendar.covers(2027)
    assert calendar.workdays_between(D(2026, 12, 30), D(2027, 1, 4)) == 3
