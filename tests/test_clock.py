"""One clock: nothing in the product reads the wall clock except gongxin.core.clock, so a test
can pin the time (make test runs the PostgreSQL pass at 31 December 23:30 in Shanghai, when the
UTC date and the business day differ from what a careless date.today() would say)."""

import ast
import datetime as dt
from pathlib import Path

from gongxin.core import clock

SRC = Path(__file__).resolve().parent.parent / "src" / "gongxin"
WALL_CLOCK = {
    ("timezone", "now"), ("timezone", "localdate"), ("timezone", "localtime"),
    ("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
    ("time", "time"),
}  # fmt: skip
# Real time on purpose, each for its reason (in the line's comment, "wall clock:").
ALLOWED_MARK = "wall clock:"


def calls_of_the_wall_clock(path: Path) -> list[str]:
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        # A model field stamping the wall clock itself: auto_now, auto_now_add, default=….now.
        if isinstance(node, ast.keyword) and ALLOWED_MARK not in lines[node.value.lineno - 1]:
            stamps = node.arg in ("auto_now", "auto_now_add") and getattr(
                node.value, "value", False) is True  # fmt: skip
            passes = node.arg == "default" and isinstance(node.value, ast.Attribute) and (
                getattr(node.value.value, "id", ""), node.value.attr) in WALL_CLOCK  # fmt: skip
            if stamps or passes:
                found.append(f"{path.relative_to(SRC)}:{node.value.lineno}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (name, node.func.attr) in WALL_CLOCK and ALLOWED_MARK not in lines[node.lineno - 1]:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_only_the_clock_reads_the_wall_clock():
    offenders = [
        where
        for path in SRC.rglob("*.py")
        if path != SRC / "core" / "clock.py" and "migrations" not in path.parts
        for where in calls_of_the_wall_clock(path)
    ]
    assert offenders == []


def test_the_business_day_is_shanghai_s_whatever_the_machine_s_zone():
    with clock.pinned(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)):
        assert clock.today() == dt.date(2027, 1, 1)  # 00:30 in Shanghai
    with clock.pinned(dt.datetime(2026, 12, 31, 23, 30, tzinfo=clock.ZONE)):
        assert clock.today() == dt.date(2026, 12, 31)
        first = clock.now()
        assert clock.now() >= first  # a pinned clock still ticks
