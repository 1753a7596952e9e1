"""Dates as staff write them in files: ISO (2026-11-27) or Chinese (2026年11月27日)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_ZH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class InvalidDate(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@lru_cache(maxsize=65536)
def parse_date(raw: str) -> dt.date:
    """Parse a date cell; raise InvalidDate with a Chinese reason."""
    text = raw.strip()
    for pattern in (_ISO, _ZH, _COMPACT):
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise InvalidDate("日期不存在") from None
    # The reason never quotes the text: a cell of a shifted column may hold a name or an ID
    # number, and import problems are stored. Callers that may show the text add it.
    raise InvalidDate("日期格式不正确（应为2026-11-27或2026年11月27日）")


def coerce_date(value: object) -> dt.date | None:
    """A spreadsheet cell may already hold a date or datetime; empty means None."""
    if type(value) is str:
        return parse_date(value.strip()) if value.strip() else None
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    return parse_date(text)


def zh_date(day: dt.date) -> str:
    """2026年11月27日: Arabic numerals, no zero padding (GB/T 9704)."""
    return f"{day.year}年{day.month}月{day.day}日"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` calendar months on, clamped to the end of a shorter month
    (2024-02-29 + 24 months → 2026-02-28; 01-31 + 1 → 02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
