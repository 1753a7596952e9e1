"""A letter as DOCX, in the 函 format of GB/T 9704-2012 (DESIGN §3).

Editable, for the unit's own seal process; fonts are named as agencies' machines have them
(仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312). The embedded-font PDF is the faithful copy.
The paragraph helpers here also serve products' own documents (request templates).
"""

from __future__ import annotations

import io
from copy import deepcopy

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from gongxin.core.dates import zh_date
from gongxin.documents.content import LetterContent, Table

FANGSONG, XIAOBIAOSONG, HEITI, KAITI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"
RED = RGBColor(0xFF, 0x00, 0x00)
BODY_PT, TITLE_PT, ISSUER_PT, PAGE_NO_PT, TABLE_PT = 16, 22, 26, 14, 12
LINE_PITCH_PT = 28.95  # 225 mm / 22 lines
CHAR_PT = 156 / 28 / 25.4 * 72  # 28 characters across 156 mm


def set_font(run, east_asia: str, size: float, *, bold=False, color=None) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    if color is not None:
        run.font.color.rgb = color


def add_paragraph(container, text="", *, font=FANGSONG, size=BODY_PT, align=None, indent_chars=0,
               right_chars=0, bold=False, color=None, exact=LINE_PITCH_PT):  # fmt: skip
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact)
    if align is not None:
        p.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(CHAR_PT * indent_chars)
    if right_chars:
        fmt.right_indent = Pt(CHAR_PT * right_chars)
    if text:
        set_font(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _red_rule(paragraph, style: str) -> None:
    """A red double rule 170 mm long (7 mm past each side of the text block)."""
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(-7)
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement("w:bottom" if style == "thickThinSmallGap" else "w:top")
    for key, value in (("val", style), ("sz", "24"), ("space", "1"), ("color", "FF0000")):
        edge.set(qn(f"w:{key}"), value)
    borders.append(edge)
    paragraph._p.get_or_add_pPr().append(borders)


def _page_number(footer, align) -> None:
    """— N —, 4号, one character in from the edge (odd pages right, even pages left)."""
    p = footer.paragraphs[0]
    p.alignment = align
    fmt = p.paragraph_format
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(CHAR_PT)
    else:
        fmt.left_indent = Pt(CHAR_PT)
    set_font(p.add_run("— "), "宋体", PAGE_NO_PT)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    p._p.append(field)
    set_font(p.add_run(" —"), "宋体", PAGE_NO_PT)


def _grid(section) -> None:
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))
    grid.set(qn("w:charSpace"), str(round((CHAR_PT - BODY_PT) * 4096)))
    section._sectPr.append(grid)


def add_table(doc, spec: Table) -> None:
    """Header, then one formatted row copied per table row: building 2,000 cells through
    python-docx's API took most of a 500-candidate letter's time."""
    table = doc.add_table(rows=2, cols=len(spec.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = tuple(Mm(w) for w in spec.widths_mm)
    header, template = table.rows
    for cell, title, width in zip(header.cells, spec.headers, widths, strict=True):
        cell.width = width
        set_font(cell.paragraphs[0].add_run(title), HEITI, TABLE_PT)
    for cell, width in zip(template.cells, widths, strict=True):
        cell.width = width
        cell.paragraphs[0].paragraph_format.line_spacing = 1.0
        set_font(cell.paragraphs[0].add_run("-"), FANGSONG, TABLE_PT)
    row_xml = template._tr
    row_xml.getparent().remove(row_xml)
    body = table._tbl
    for cells in spec.rows:
        copy = deepcopy(row_xml)
        for text, value in zip(copy.iter(qn("w:t")), cells, strict=True):
            text.text = value
        body.append(copy)


def start(content) -> Document:
    """A new document in the 函 frame up to and including the 主送 line: the page, the red
    header and rules of page 1, page numbers, the 发文字号 and the title. ``content`` is a
    LetterContent or a ReportContent."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(30), Mm(20)
    section.different_first_page_header_footer = True
    doc.settings.odd_and_even_pages_header_footer = True
    _grid(section)

    # First page: the issuer name in red 30 mm from the top, the red rules; no page number.
    issuer = section.first_page_header.paragraphs[0]
    issuer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(issuer.add_run(content.issuer), XIAOBIAOSONG, ISSUER_PT, color=RED)
    issuer.paragraph_format.space_after = Mm(4)
    _red_rule(issuer, "thickThinSmallGap")
    _red_rule(section.first_page_footer.paragraphs[0], "thinThickSmallGap")
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)

    add_paragraph(doc, content.document_number, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=1)
    add_paragraph(doc)
    add_paragraph(doc, content.title, font=XIAOBIAOSONG, size=TITLE_PT,
               align=WD_ALIGN_PARAGRAPH.CENTER, exact=35)  # fmt: skip
    add_paragraph(doc)
    add_paragraph(doc, content.salutation)
    return doc


def sign(doc, content) -> None:
    """The end of the frame: one blank line, the issuer and the date, the 附注, the
    verification line."""
    add_paragraph(doc)  # one blank line before the signature (GB/T 9704 §7.3.5)
    add_paragraph(doc, content.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    add_paragraph(doc, zh_date(content.dated), align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    if content.note:
        add_paragraph(doc, content.note_line, indent_chars=2)  # 附注 (GB/T 9704 §7.3.7)
    if content.verification_code:
        add_paragraph(doc, content.verification_line, size=10, exact=None)


def save(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def build(content: LetterContent) -> bytes:
    doc = start(content)
    add_paragraph(doc, content.opening, indent_chars=2)
    if content.table is not None and not content.in_attachment:
        add_table(doc, content.table)
    add_paragraph(doc, content.closing, indent_chars=2)
    if content.in_attachment:
        add_paragraph(doc)
        add_paragraph(doc, content.attachment_note, indent_chars=2)
    sign(doc, content)

    if content.in_attachment:
        add_paragraph(doc).add_run().add_break(WD_BREAK.PAGE)
        add_paragraph(doc, "附件", font=HEITI)
        add_paragraph(doc)
        add_paragraph(doc, content.attachment_title, font=XIAOBIAOSONG, size=TITLE_PT,
                   align=WD_ALIGN_PARAGRAPH.CENTER, exact=35)  # fmt: skip
        add_paragraph(doc)
        add_table(doc, content.table)
    return save(doc)
