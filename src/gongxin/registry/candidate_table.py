"""Which column of a candidate table holds what: one reading for the registration form's text
box (typed, or pasted straight from Excel), uploaded files and the screening command.

A header row (姓名, 公民身份号码 or 身份证号, 职位, 序号 …) names the columns and is skipped,
never read as a person. Rows without one are read by their content: the column that holds
ID numbers, the name beside it (a leading 序号 column of plain numbers is passed over), the
position after it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass

from gongxin.platform.errors import Problem

CANDIDATE_COLUMNS = {"姓名": "name", "公民身份号码": "id_number", "拟任职位": "position"}
# What agencies' sheets call the columns (the request template's own headers among them).
CANDIDATE_COLUMN_ALIASES = {
    "拟录用职位": "拟任职位",
    "拟调任职位": "拟任职位",
    "拟录用/调任职位": "拟任职位",
    "拟任职务": "拟任职位",
    "拟录用岗位": "拟任职位",
    "职位": "拟任职位",
    "岗位": "拟任职位",
    "身份证号码": "公民身份号码",
    "身份证号": "公民身份号码",
    "公民身份证号码": "公民身份号码",
    "公民身份证号": "公民身份号码",
    "证件号码": "公民身份号码",
    "人选姓名": "姓名",
}
DEFAULT_COLUMNS = {"name": 0, "id_number": 1, "position": 2}  # the form's own order
GUESS_ROWS = 50  # rows looked at to tell which column holds the ID numbers
_ID_LIKE = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")
_SERIAL_LIKE = re.compile(r"[0-9]{0,6}")  # a 序号 cell (or an empty one)


@dataclass
class CandidateInput:
    row: int
    name: str
    id_number: str
    position: str = ""


def header_name(cell) -> str:
    text = str(cell or "").strip().replace("\u3000", "").replace(" ", "")
    return CANDIDATE_COLUMN_ALIASES.get(text, text)


def header_columns(cells) -> dict[str, int]:
    """Field → column of the columns a header row names (姓名, 公民身份号码, 拟任职位)."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        field = CANDIDATE_COLUMNS.get(header_name(cell))
        if field is not None:
            found.setdefault(field, i)
    return found


def is_header(cells) -> bool:
    """Whether a row is the header row of a candidate table (姓名 and an ID number column)."""
    return {"name", "id_number"} <= set(header_columns(cells))


def _plain(cell) -> str:
    return unicodedata.normalize("NFKC", str(cell or "")).strip().replace(" ", "").upper()


def guess_columns(rows: list[list]) -> dict[str, int] | None:
    """Field → column read from the content of rows that have no header: the column most often
    holding something shaped like an ID number (None when none does), the name the nearest
    column before it that is not a 序号 of plain numbers (else the one after it), the
    position the next column after the ID number that is not the name."""
    counts: dict[int, int] = {}
    for cells in rows[:GUESS_ROWS]:
        for i, cell in enumerate(cells):
            if _ID_LIKE.fullmatch(_plain(cell)):
                counts[i] = counts.get(i, 0) + 1
    if not counts:
        return None
    id_col = max(counts, key=lambda i: (counts[i], -i))
    width = max(len(cells) for cells in rows[:GUESS_ROWS])

    def serial(i: int) -> bool:
        cells = [c[i] for c in rows[:GUESS_ROWS] if i < len(c)]
        return all(_SERIAL_LIKE.fullmatch(_plain(c)) for c in cells)

    before = [i for i in range(id_col - 1, -1, -1) if not serial(i)]
    name_col = before[0] if before else (id_col + 1 if id_col + 1 < width else id_col - 1)
    after = [i for i in range(id_col + 1, width) if i != name_col]
    columns = {"name": name_col, "id_number": id_col}
    if after:
        columns["position"] = after[0]
    return columns


def _cells(line: str) -> list[str] | None:
    """A line's cells: tab-separated (a paste from Excel) or comma-separated (full-width
    commas too); None when the quoting cannot be read."""
    if "\t" in line:
        return line.split("\t")
    try:
        return next(csv.reader([line.replace("，", ",")]), [])
    except csv.Error:
        return None


def inputs(numbered: list[tuple[int, list]], columns: dict[str, int]) -> list[CandidateInput]:
    """The candidates of (row number, cells) records, read by ``columns``."""

    def cell(cells, field):
        i = columns.get(field)
        return "" if i is None or i >= len(cells) else str(cells[i] or "")

    return [CandidateInput(number, cell(cells, "name"), cell(cells, "id_number"),
                           cell(cells, "position")) for number, cells in numbered]  # fmt: skip


def read_pasted(text: str) -> tuple[list[CandidateInput], list[Problem]]:
    """Rows typed or pasted into the form, numbered by line; a first line that is a header is
    skipped and names the columns, else the content does (see the module)."""
    numbered = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = _cells(line)
        if cells is None:
            return [], [
                Problem("人选", f"第{number}行无法识别，请每行填写：姓名,公民身份号码,拟任职位")
            ]
        numbered.append((number, cells))
    if numbered and is_header(numbered[0][1]):
        columns = header_columns(numbered[0][1])
        numbered = numbered[1:]
    else:
        columns = guess_columns([cells for _, cells in numbered]) or DEFAULT_COLUMNS
    return inputs(numbered, columns), []
