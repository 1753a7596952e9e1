"""The statistics' tables as one XLSX workbook, a sheet a table (gongxin.supervision.tables):
counts as numbers, shares as percentages, text made safe from formula injection."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from gongxin.core.text import spreadsheet_cell
from gongxin.supervision.tables import Days, Rate, Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if isinstance(value, Rate | Days):
        return value.value
    return spreadsheet_cell(value)


def build(tables: list[Table], heading: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([heading])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(list(table.headers))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=True):
                if isinstance(value, Rate):
                    cell.number_format = "0.0%"
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        for n, _ in enumerate(table.headers):
            sheet.column_dimensions[chr(ord("A") + n)].width = 26 if n < 2 else 14
        sheet.freeze_panes = "A4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
