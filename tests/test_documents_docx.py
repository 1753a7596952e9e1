"""The result letter as DOCX, opened and measured (GB/T 9704 函 format)."""

import datetime as dt
import io
import re
import zipfile

import pytest
from docx import Document
from docx.shared import Mm, Pt

from gongxin.core import idnumber
from gongxin.core.synthetic import Generator
from gongxin.documents.content import BODY_MAX, LetterContent
from gongxin.documents.docx_letter import build
from gongxin.inquiry.letters import compose

RESULTS = ("未发现被依法列为失信联合惩戒对象", "被依法列为失信联合惩戒对象")


def content(n: int, names=None) -> tuple[LetterContent, list[str]]:
    gen = Generator(seed=n)
    people = [(names[i] if names and i < len(names) else gen.name(), gen.id_number())
              for i in range(n)]  # fmt: skip
    rows = tuple((str(i + 1), name, idnumber.mask(number), RESULTS[i % 7 == 3])
                 for i, (name, number) in enumerate(people))  # fmt: skip
    letter = compose(
        "北京市公共信用信息中心",
        "北京市委组织部",
        "京组函〔2026〕15号",
        "recruitment",
        rows,
        document_number="京信用函〔2026〕12号",
        dated=dt.date(2026, 11, 27),
    )
    return letter, [number for _, number in people]


def within_1mm(length, mm):
    return abs(length - Mm(mm)) <= Mm(1)


def all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("n", [1, 27, 500])
def test_layout_fonts_number_date_and_no_full_id(n):
    letter, numbers = content(n, names=["买买提·艾力", "𠮷野"])
    data = build(letter)
    doc = Document(io.BytesIO(data))
    s = doc.sections[0]
    assert within_1mm(s.page_width, 210) and within_1mm(s.page_height, 297)
    assert within_1mm(s.top_margin, 37) and within_1mm(s.left_margin, 28)
    assert within_1mm(s.page_width - s.left_margin - s.right_margin, 156)
    assert within_1mm(s.page_height - s.top_margin - s.bottom_margin, 225)
    # Red issuer name, 30 mm from the top, on the first page only.
    issuer = s.first_page_header.paragraphs[0]
    assert issuer.text == "北京市公共信用信息中心"
    assert issuer.runs[0].font.color.rgb == (0xFF, 0, 0)
    assert within_1mm(s.header_distance, 30)
    assert "thickThinSmallGap" in issuer._p.xml and 'w:color="FF0000"' in issuer._p.xml
    assert "thinThickSmallGap" in s.first_page_footer.paragraphs[0]._p.xml
    # Page numbers: none on page 1, — N — on odd (right) and even (left) pages.
    assert s.different_first_page_header_footer
    assert "PAGE" not in s.first_page_footer._element.xml
    assert (
        s.footer.paragraphs[0].text.startswith("— ") and 'w:instr="PAGE"' in s.footer._element.xml
    )
    assert 'w:instr="PAGE"' in s.even_page_footer._element.xml
    title = next(p for p in doc.paragraphs if p.text.startswith("关于"))
    assert title.runs[0].font.size == Pt(22)
    assert 'w:eastAsia="方正小标宋简体"' in title.runs[0]._element.xml
    body = next(p for p in doc.paragraphs if p.text.startswith("你单位"))
    assert body.runs[0].font.size == Pt(16)
    assert 'w:eastAsia="仿宋_GB2312"' in body.runs[0]._element.xml
    texts = [p.text for p in doc.paragraphs]
    assert re.fullmatch(r"京信用函〔2026〕[1-9]\d*号", texts[0])
    assert "2026年11月27日" in texts
    text = all_text(doc)
    assert all(name in text for name in ["买买提·艾力", "𠮷野"][:n])
    assert text.count("被依法列为失信联合惩戒对象") == n  # each row says one of the two results
    # Only what the letter may say: no full number anywhere in the package.
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        package = b"".join(z.read(name) for name in z.namelist())
    assert not any(number.encode() in package for number in numbers)
    # Body table for a few, 附件 table for more.
    in_body = n <= BODY_MAX
    assert ("附件" in texts) is not in_body
    assert len(doc.tables) == 1 and len(doc.tables[0].rows) == n + 1
