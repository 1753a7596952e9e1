"""Supervision's XLSX files: the statistics' tables as one styled workbook, a sheet a table
(gongxin.supervision.tables: counts as numbers, shares as percentages), plain sheets for the
registers and lists, and the download that carries either. Text is made safe from formula
injection in both."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header
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


def plain(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """A workbook of (title, header, rows) sheets."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([spreadsheet_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(body: bytes, filename: str) -> HttpResponse:
    """The workbook as an attachment named ``filename``, never cached."""
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response
