"""A report (通报, 报告) as DOCX: the letter's frame (docx_letter.start / sign) around numbered
sections — headings 一、二、… in 黑体 (GB/T 9704 §7.3.3), paragraphs in 仿宋 indented two
characters, tables with their titles, and a figure as an inline picture."""

from __future__ import annotations

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from gongxin.documents.content import ReportContent
from gongxin.documents.docx_letter import (
    HEITI,
    RED,
    TABLE_PT,
    add_paragraph,
    add_table,
    save,
    set_font,
    sign,
    start,
)

DRAFT_MARK = "草稿·未签发（签发前核对用，不得对外发出）"


def build(content: ReportContent, *, draft: bool = False) -> bytes:
    """The report as DOCX; ``draft``: a red 「草稿·未签发」 line above the 发文字号."""
    doc = start(content)
    if draft:
        mark = doc.paragraphs[0].insert_paragraph_before()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(mark.add_run(DRAFT_MARK), HEITI, TABLE_PT, color=RED)
    add_paragraph(doc, content.preface, indent_chars=2)
    for heading, section in zip(content.headings(), content.sections, strict=True):
        add_paragraph(doc, heading, font=HEITI, indent_chars=2)
        for text in section.paragraphs:
            add_paragraph(doc, text, indent_chars=2)
        for grid in section.tables:
            add_paragraph(doc, grid.title, font=HEITI, size=TABLE_PT + 2,
                          align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
            add_table(doc, grid)
        if section.figure is not None:
            picture = add_paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None)
            picture.add_run().add_picture(io.BytesIO(section.figure.png),
                                          width=Mm(section.figure.width_mm))  # fmt: skip
            add_paragraph(doc, section.figure.caption, size=TABLE_PT + 2,
                          align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
    add_paragraph(doc, content.closing, indent_chars=2)
    sign(doc, content)
    return save(doc)
