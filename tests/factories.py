"""Shared builders for list files, candidate files and imports. All ID numbers are synthetic."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from gongxin.core import idnumber
from gongxin.registry.screening import CandidateInput, screen
from gongxin.registry.services import import_list

LIST_HEADERS = ["主体类型", "姓名或名称", "证件号码", "列入日期", "认定机关", "认定文书号", "案号"]
DELTA_HEADERS = [*LIST_HEADERS, "操作", "移出日期", "移出原因"]

# Synthetic people (valid check characters; the first two are the GB 11643 vectors).
ZHANG = ("张三", "11010519491231002X")
LI = ("李四", "440524188001010014")
WANG = ("王五", "440524198001010013")
MAIMAITI = ("买买提·艾力", "650102198507150012")


def make_id(region: str = "110105", born: str = "19900101", seq: int = 1) -> str:
    first17 = f"{region}{born}{seq:03d}"
    return first17 + idnumber.check_char(first17)


def person_row(
    name,
    number,
    listed_on="2025-03-01",
    *,
    authority="北京市朝阳区人民法院",
    document=None,
    case="（2025）京0105执1号",
    **extra,
) -> dict:
    row = {
        "主体类型": "自然人",
        "姓名或名称": name,
        "证件号码": number,
        "列入日期": listed_on,
        "认定机关": authority,
        "认定文书号": document or f"{case}失信决定书",
        "案号": case,
    }
    row.update(extra)
    return row


def org_row(name, code, listed_on="2025-03-01") -> dict:
    return {
        "主体类型": "法人和其他组织",
        "姓名或名称": name,
        "证件号码": code,
        "列入日期": listed_on,
        "认定机关": "国家税务总局北京市税务局第一稽查局",
        "认定文书号": "京税稽罚〔2025〕3号",
        "案号": "",
    }


def write_csv(path: Path, rows: list[dict], headers=None, encoding="utf-8") -> Path:
    headers = headers or (list(rows[0]) if rows else LIST_HEADERS)
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(h, "") for h in headers])
    return path


def write_xlsx(path: Path, rows: list[dict], headers=None) -> Path:
    headers = headers or list(rows[0])
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    book.save(path)
    return path


class Lists:
    """Imports list files into the test database, one numbered file per call."""

    def __init__(self, tmp_path: Path):
        self.dir = tmp_path
        self.count = 0

    def load(
        self, rows, *, source="sxbzxr", mode="snapshot", as_of="2026-01-10", headers=None, **kwargs
    ):
        self.count += 1
        if headers is None and mode == "delta":
            headers = DELTA_HEADERS
        path = write_csv(self.dir / f"list-{self.count}.csv", rows, headers or LIST_HEADERS)
        return import_list(
            path,
            source_code=source,
            mode=mode,
            as_of=dt.date.fromisoformat(as_of),
            imported_by="test",
            **kwargs,
        )


def screen_people(people, as_of="2026-02-01"):
    """Screen (name, id) pairs; returns the results in order."""
    candidates = [CandidateInput(i + 2, name, number) for i, (name, number) in enumerate(people)]
    return screen(candidates, dt.date.fromisoformat(as_of))


def match_of(people, as_of="2026-02-01") -> list[str]:
    return [str(r.match) for r in screen_people(people, as_of).results]
