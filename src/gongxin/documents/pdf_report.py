"""A report (通报, 报告) as PDF: the letter's frame (documents/_frame_*.html, pdf_letter.write)
around numbered sections, tables and a figure inlined as PNG."""

from __future__ import annotations

import base64

from gongxin.documents.content import ReportContent
from gongxin.documents.pdf_letter import shares, write


def build(content: ReportContent, *, draft: bool = False) -> bytes:
    """The report as PDF; ``draft``: marked 「草稿·未签发」 on every page, as a letter's draft."""
    sections = [
        {
            "heading": heading,
            "paragraphs": section.paragraphs,
            "tables": [(grid, shares(grid.widths_mm)) for grid in section.tables],
            "figure": section.figure,
            "png": "data:image/png;base64," + base64.b64encode(section.figure.png).decode()
            if section.figure is not None else "",
        }
        for heading, section in zip(content.headings(), content.sections, strict=True)
    ]  # fmt: skip
    return write("documents/report.html", content, draft=draft, sections=sections)
