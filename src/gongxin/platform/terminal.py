"""Helpers for the `gongxin` commands: error reports, date arguments and progress bars."""

from __future__ import annotations

import csv
import sys
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from gongxin.core.dates import InvalidDate, parse_date
from gongxin.core.text import spreadsheet_cell
from gongxin.platform.errors import Problem

SHOWN_ERRORS = 50


def report_errors(stream, errors: list[Problem], errors_csv: str | None = None) -> None:
    """Print the first errors; write all of them to a CSV file when asked."""
    for error in errors[:SHOWN_ERRORS]:
        stream.write(f"  {error}")
    if len(errors) > SHOWN_ERRORS:
        stream.write(
            f"  ……另有 {len(errors) - SHOWN_ERRORS} 处错误"
            + ("" if errors_csv else "（使用 --errors-csv 文件 导出完整清单）")
        )
    if errors_csv:
        with open(Path(errors_csv), "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["行号", "列", "原因"])
            writer.writerows((e.row, e.field, spreadsheet_cell(e.reason)) for e in errors)
        stream.write(f"  完整错误清单已写入 {errors_csv}")


def date_argument(text: str):
    """argparse type for --as-of: ISO or Chinese dates, a Chinese message when invalid."""
    try:
        return parse_date(text)
    except InvalidDate as exc:
        raise SystemExit(f"日期无效：{exc.reason}") from None


@contextmanager
def progress_bar(description: str, total: int | None = None):
    """A progress bar on a terminal, nothing when output is redirected."""
    if not sys.stderr.isatty():
        yield None
        return
    bar = tqdm(total=total, desc=description, unit="行", unit_scale=True, leave=False)
    try:
        yield bar.update
    finally:
        bar.close()
