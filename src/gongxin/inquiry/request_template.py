"""The agency's request: a Word letter template (查询需求函) and an Excel candidate sheet.

The sheet is the same file the registration form accepts once filled in.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from gongxin.core import names
from gongxin.documents.docx_letter import (
    FANGSONG,
    HEITI,
    TITLE_PT,
    XIAOBIAOSONG,
    add_paragraph,
    set_font,
)
from gongxin.inquiry import wording
from gongxin.inquiry.models import Candidate
from gongxin.platform.limits import candidates_max

SHEET_HEADERS = ["姓名", "公民身份号码", "拟录用/调任职位", "备注"]
POSITION_MAX = Candidate._meta.get_field("position").max_length


def _texts(unit, agency_name: str, kind: str, count: str, overrides) -> dict:
    values = dict(unit=unit.name, agency=agency_name, letter_number="", count=count,
                  kind=wording.KIND_WORDS.get(kind, kind))  # fmt: skip
    keys = ("request.title", "request.salutation", "request.body", "request.contact",
            "request.attachment", "request.closing")  # fmt: skip
    return {k: wording.text(k, overrides, **values) for k in keys}


def build_request_docx(unit, agency_name: str, kind: str, overrides=None) -> bytes:
    t = _texts(unit, agency_name, kind, "  ", overrides)
    doc = Document()
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    add_paragraph(doc, agency_name, font=XIAOBIAOSONG, size=26, align=WD_ALIGN_PARAGRAPH.CENTER,
               exact=40)  # fmt: skip
    add_paragraph(doc, "×组函〔    〕  号", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=1)
    add_paragraph(doc)
    add_paragraph(doc, t["request.title"], font=XIAOBIAOSONG, size=TITLE_PT,
               align=WD_ALIGN_PARAGRAPH.CENTER, exact=35)  # fmt: skip
    add_paragraph(doc)
    add_paragraph(doc, t["request.salutation"])
    add_paragraph(doc, t["request.body"], indent_chars=2)
    add_paragraph(doc, t["request.contact"], indent_chars=2)
    add_paragraph(doc)
    add_paragraph(doc, t["request.attachment"], indent_chars=2)
    add_paragraph(doc)
    add_paragraph(doc, t["request.closing"], align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    add_paragraph(doc, "    年  月  日", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    doc.add_page_break()
    add_paragraph(doc, "附件", font=HEITI)
    add_paragraph(doc, f"拟{wording.KIND_WORDS.get(kind, kind)}人选名单", font=XIAOBIAOSONG,
               size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=35)  # fmt: skip
    table = doc.add_table(rows=11, cols=5)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, ["序号", *SHEET_HEADERS], strict=True):
        set_font(cell.paragraphs[0].add_run(title), HEITI, 14)
    for i, row in enumerate(table.rows[1:], start=1):
        set_font(row.cells[0].paragraphs[0].add_run(str(i)), FANGSONG, 14)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _rule(kind: str, cells: str, title: str, error: str, **formula) -> DataValidation:
    check = DataValidation(type=kind, allow_blank=True, showErrorMessage=True,
                           showInputMessage=True, errorTitle=title, error=error,
                           promptTitle=title, prompt=error, **formula)  # fmt: skip
    check.add(cells)
    return check


def build_candidate_xlsx(kind: str) -> bytes:
    """姓名, 公民身份号码, 拟录用/调任职位, 备注, with room for as many rows as one request may
    hold (platform.limits), each checked as it is typed: the ID column is text (no 1.1e17), 18
    characters with a digit or X last and not repeated; a name and a position have the lengths
    registration accepts. 类别 is the letter's, chosen when it is registered: the sheet has no
    column for it, so one sheet cannot mix 录用 and 调任."""
    book = Workbook()
    sheet = book.active
    sheet.title = "人选名单"
    sheet.append(SHEET_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for column, width in zip("ABCD", (16, 24, 24, 20), strict=True):
        sheet.column_dimensions[column].width = width
    last = candidates_max() + 1
    for row in range(2, last + 1):
        sheet[f"B{row}"].number_format = "@"
    id_number = (
        f"AND(LEN(B2)=18,ISNUMBER(--LEFT(B2,17)),OR(ISNUMBER(--RIGHT(B2,1)),"
        f'UPPER(RIGHT(B2,1))="X"),COUNTIF($B$2:$B${last},B2)=1)'
    )
    for check in (
        _rule("textLength", f"A2:A{last}", "姓名", f"请填写姓名，不超过{names.MAX_LENGTH}个字。",
              operator="between", formula1="1", formula2=str(names.MAX_LENGTH)),
        _rule("custom", f"B2:B{last}", "公民身份号码",
              "应为18位：前17位数字，末位为数字或X，且不与其他行重复；提交后系统将校验校验码。",
              formula1=id_number),
        _rule("textLength", f"C2:C{last}", "拟录用/调任职位", f"不超过{POSITION_MAX}个字。",
              operator="lessThanOrEqual", formula1=str(POSITION_MAX)),
    ):  # fmt: skip
        sheet.add_data_validation(check)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
