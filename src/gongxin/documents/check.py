"""结果核对: read the rendered letter back and compare it with what it must say.

Nothing here trusts the renderer: the DOCX table is read cell by cell from the XML, the PDF's
text is extracted and each key cell (a masked number, say) is paired with the next value cell
(a result phrase) after it, as the content's Table describes.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from functools import lru_cache

from lxml import etree
from pypdf import PdfReader

from gongxin.documents.content import LetterContent, Table

_SPACE = re.compile(r"\s+")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_rows(data: bytes) -> list[tuple[str, ...]]:
    """The cells of the last table in word/document.xml, read straight from the XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    table = root.findall(f".//{W}tbl")[-1]
    return [
        tuple("".join(t.text or "" for t in cell.iter(f"{W}t")).strip()
              for cell in row.findall(f"{W}tc"))
        for row in table.findall(f"{W}tr")[1:]
    ]  # fmt: skip


def pdf_text(data: bytes) -> str:
    """The PDF's text in reading order, without white space."""
    return _SPACE.sub("", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def pairs(text: str, table: Table) -> list[tuple[str, str]]:
    """(key cell, value cell) in reading order: each key with the next value after it."""
    found, pending = [], None
    for key, value in re.findall(f"({table.key_pattern})|({table.value_pattern})", text):
        if key:
            pending = key
        elif pending is not None:
            found.append((pending, value))
            pending = None
    return found


def _families(stack: str) -> tuple[str, ...]:
    return tuple(f.strip().strip('"') for f in stack.split(","))


@lru_cache(maxsize=8)
def covered(stack: str) -> frozenset[int]:
    """Code points some installed font of a CSS font stack can draw (fontconfig + fontTools),
    loaded once per process."""
    from fontTools.ttLib import TTFont

    fc_list = shutil.which("fc-list")
    points: set[int] = set()
    for family in _families(stack):
        listing = subprocess.run([fc_list, family, "file", "index"], capture_output=True,  # noqa: S603
                                 text=True, check=False).stdout  # fmt: skip
        for line in listing.splitlines():
            path, _, index = line.partition(": :index=")
            font = TTFont(path, fontNumber=int(index or 0), lazy=True)
            points.update(font.getBestCmap() or ())
    return frozenset(points)


def missing_glyphs(table: Table, stack: str) -> list[str]:
    """Rows whose name has a character no installed font of the stack can draw: on paper it
    would be an empty box, though the PDF's text layer would still read right."""
    drawable = covered(stack)
    problems = []
    for number, cells in enumerate(table.rows, start=1):
        name = cells[table.name_column]
        absent = sorted({f"U+{ord(ch):04X}" for ch in name if ord(ch) not in drawable})
        if absent:
            problems.append(f"{table.label(number)}姓名中的字符 {'、'.join(absent)} 没有可用字形"
                            "（会印出空框），请安装含该字的字体后再签发")  # fmt: skip
    return problems


def differences(content: LetterContent, docx: bytes, pdf: bytes) -> list[str]:
    """Chinese descriptions of every place the files disagree with what the letter must say,
    row by row (numbered as in the table)."""
    table = content.table
    if table is None:  # a letter without a table: its number and its text must read back
        return _untabled(content, docx, pdf)
    expected = [tuple(cells) for cells in table.rows]
    problems = []
    got = docx_rows(docx)
    if len(got) != len(expected):
        problems.append(f"Word 文件的表格有 {len(got)} 行，应为 {len(expected)} 行")
    for number, (want, have) in enumerate(zip(expected, got, strict=False), start=1):
        if want != have:
            problems.append(f"Word 文件{table.label(number)}与核准结果不一致")
    text = pdf_text(pdf)
    read = pairs(text, table)
    if len(read) != len(expected):
        problems.append(f"PDF 文件的表格读出 {len(read)} 行，应为 {len(expected)} 行")
    wanted = [(cells[table.key_column], cells[table.value_column]) for cells in expected]
    for number, (want, have) in enumerate(zip(wanted, read, strict=False), start=1):
        if want != have:
            problems.append(f"PDF 文件{table.label(number)}与核准结果不一致")
    for number, cells in enumerate(expected, start=1):
        if _SPACE.sub("", cells[table.name_column]) not in text:
            problems.append(f"PDF 文件中未找到{table.label(number)}的姓名")
    if content.document_number not in text:
        problems.append("PDF 文件的发文字号与登记不一致")
    from gongxin.documents.pdf_letter import FONTS

    problems += missing_glyphs(table, FONTS["fangsong"])
    return problems


def _untabled(content: LetterContent, docx: bytes, pdf: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    words = _SPACE.sub("", "".join(t.text or "" for t in root.iter(f"{W}t")))
    problems = []
    if content.document_number not in words or _SPACE.sub("", content.opening) not in words:
        problems.append("Word 文件的发文字号或正文与应有内容不一致")
    text = pdf_text(pdf)
    if content.document_number not in text:
        problems.append("PDF 文件的发文字号与登记不一致")
    if _SPACE.sub("", content.opening) not in text:
        problems.append("PDF 文件的正文与应有内容不一致")
    return problems


# --- reports ---------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"—\s*\d+\s*—\s*$")


def docx_text(data: bytes) -> str:
    """The body's text (word/document.xml), without white space."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    return _SPACE.sub("", "".join(t.text or "" for t in root.iter(f"{W}t")))


def docx_pictures(data: bytes) -> int:
    """How many pictures the body draws (w:drawing elements)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    return len(root.findall(f".//{W}drawing"))


def report_pdf_text(data: bytes) -> str:
    """The PDF's text without white space and without the page numbers (— 2 —) a page ends
    with, so that a sentence running on to the next page reads whole."""
    pages = (
        _PAGE_NUMBER.sub("", p.extract_text().strip()) for p in PdfReader(io.BytesIO(data)).pages
    )
    return _SPACE.sub("", "".join(pages))


def pdf_images(data: bytes) -> int:
    """How many raster images (image XObjects) the PDF's pages draw."""
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


def report_differences(content, docx: bytes, pdf: bytes) -> list[str]:
    """What a report's files fail to say: its number, title, 主送, headings, every fact and
    every table cell must read back from both; each figure must be drawn in both."""
    wanted = [content.document_number, content.title, content.salutation, *content.headings(),
              *content.facts]  # fmt: skip
    for grid in content.grids():
        wanted += [grid.title, *(cell for cells in grid.rows for cell in cells)]
    problems = []
    for label, text in (("Word 文件", docx_text(docx)), ("PDF 文件", report_pdf_text(pdf))):
        absent = [item for item in dict.fromkeys(wanted) if _SPACE.sub("", item) not in text]
        problems += [f"{label}中未找到「{item}」" for item in absent]
    figures = len(content.figures())
    if docx_pictures(docx) < figures:
        problems.append(f"Word 文件中的图少于 {figures} 幅")
    if pdf_images(pdf) < figures:
        problems.append(f"PDF 文件中的图少于 {figures} 幅")
    return problems
