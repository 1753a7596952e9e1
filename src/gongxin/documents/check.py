"""结果核对: read the rendered letter back and compare it with the approved results.

Nothing here trusts the renderer: the DOCX table is read cell by cell, the PDF's text is
extracted and every masked number is paired with the next result phrase after it.
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

from gongxin.documents.docx_letter import LetterContent

_MASKED = r"\d{6}\*+[\dX]{4}"
_RESULTS = "未发现被依法列为失信联合惩戒对象|被依法列为失信联合惩戒对象"
_PAIR = re.compile(f"({_MASKED})|({_RESULTS})")
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


def pdf_pairs(data: bytes) -> tuple[list[tuple[str, str]], str]:
    """(masked number, result) in reading order, and the text without white space."""
    text = _SPACE.sub("", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    pairs, pending = [], None
    for masked, result in _PAIR.findall(text):
        if masked:
            pending = masked
        elif pending is not None:
            pairs.append((pending, result))
            pending = None
    return pairs, text


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


def missing_glyphs(content: LetterContent, stack: str) -> list[str]:
    """Rows whose name has a character no installed font of the stack can draw: on paper it
    would be an empty box, though the PDF's text layer would still read right."""
    drawable = covered(stack)
    problems = []
    for r in content.rows:
        absent = sorted({f"U+{ord(ch):04X}" for ch in r.name if ord(ch) not in drawable})
        if absent:
            problems.append(f"第{r.row}号人选姓名中的字符 {'、'.join(absent)} 没有可用字形（会印出"
                            "空框），请安装含该字的字体后再签发")  # fmt: skip
    return problems


def differences(content: LetterContent, docx: bytes, pdf: bytes) -> list[str]:
    """Chinese descriptions of every place the files disagree with the approved results."""
    expected = [(str(r.row), r.name, r.id_masked, r.result) for r in content.rows]
    problems = []
    got = docx_rows(docx)
    if len(got) != len(expected):
        problems.append(f"Word 文件列出 {len(got)} 名人选，应为 {len(expected)} 名")
    for want, have in zip(expected, got, strict=False):
        if want != have:
            problems.append(f"Word 文件第{want[0]}号人选与核准结果不一致")
    pairs, text = pdf_pairs(pdf)
    if len(pairs) != len(expected):
        problems.append(f"PDF 文件列出 {len(pairs)} 名人选的结果，应为 {len(expected)} 名")
    for want, have in zip(expected, pairs, strict=False):
        if (want[2], want[3]) != have:
            problems.append(f"PDF 文件第{want[0]}号人选与核准结果不一致")
    for row, name, _, _ in expected:
        if _SPACE.sub("", name) not in text:
            problems.append(f"PDF 文件中未找到第{row}号人选的姓名")
    if content.document_number not in text:
        problems.append("PDF 文件的发文字号与登记不一致")
    from gongxin.documents.pdf_letter import FONTS

    problems += missing_glyphs(content, FONTS["fangsong"])
    return problems
