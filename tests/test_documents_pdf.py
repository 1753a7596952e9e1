"""The result letter as PDF, opened with pypdf: A4, embedded fonts, page numbers, content."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from gongxin.documents import pdf_letter
from tests.test_documents_docx import content

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
A4 = (595.28, 841.89)


def fonts_of(reader):
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                yield font, descendant.get_object()


@pytest.mark.parametrize("n", [1, 27, 500])
def test_pdf_letter(n):
    letter, numbers = content(n, names=["买买提·艾力", "𠮷野"])
    data = pdf_letter.build(letter)
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 2.9 and abs(height - A4[1]) < 2.9  # ±1 mm
    # Every font is embedded (a subset), so the letter looks the same everywhere.
    for font, descendant in fonts_of(reader):
        descriptor = descendant["/FontDescriptor"]
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert "京信用函〔2026〕12号" in pages[0] and "2026年11月27日" in text
    assert "北京市公共信用信息中心" in pages[0]
    assert all(name in text for name in ["买买提·艾力", "𠮷野"][:n])
    assert not any(number in text for number in numbers)
    assert not any(number.encode() in data for number in numbers)
    assert "— 1 —" not in pages[0]  # no page number on page 1
    for number, page in enumerate(pages[1:], start=2):
        assert f"— {number} —" in page
    assert (len(pages) > 1) is (n > 3)  # 3 rows fit page 1; more go to the 附件
    # The red issuer name and rules: red is painted on page 1.
    assert re.search(rb"\b1 0 0 (rg|RG)\b", reader.pages[0].get_contents().get_data())


@pytest.mark.parametrize(("name", "utf16"), [("𠮷野", b"D842DFB7"), ("𪚥明", b"D869DEA5")])
def test_characters_outside_the_bmp_have_real_glyphs(name, utf16):
    """𪚥 (U+2A6A5) is not in Noto CJK: it must come from the HanaMin fallback, not .notdef."""
    letter, _ = content(2, names=[name, "买买提·艾力"])
    reader = PdfReader(io.BytesIO(pdf_letter.build(letter)))
    cmaps = b"".join(
        font["/ToUnicode"].get_object().get_data()
        for font, _ in fonts_of(reader) if "/ToUnicode" in font
    )  # fmt: skip
    # The character as UTF-16, mapped from a glyph other than .notdef (<0000>).
    mapped = re.findall(rb"<([0-9A-Fa-f]{4})>\s*<" + utf16 + rb">", cmaps, re.IGNORECASE)
    assert mapped and all(cid != b"0000" for cid in mapped)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_first_page_rendered_to_png_for_a_person_to_look_at():
    letter, _ = content(27, names=["买买提·艾力", "𠮷野"])
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "letter-27.pdf"
    pdf.write_bytes(pdf_letter.build(letter))
    pdftoppm = shutil.which("pdftoppm")
    subprocess.run([pdftoppm, "-r", "100", "-png", "-f", "1", "-l", "2", str(pdf),
                    str(ARTIFACTS / "letter-27")], check=True)  # fmt: skip
    assert (ARTIFACTS / "letter-27-1.png").stat().st_size > 10_000


def test_three_candidates_with_code_and_qr_fit_on_the_first_page():
    import dataclasses

    letter, _ = content(3, names=["阿依古丽·吐尔逊", "买买提·艾力", "𠮷野"])
    code = "ABCD-EFGH-JKLM-NPQR"
    url = f"http://127.0.0.1:8000/verify/{code}/"
    letter = dataclasses.replace(letter, verification_code=code, verification_url=url)
    reader = PdfReader(io.BytesIO(pdf_letter.build(letter)))
    assert len(reader.pages) == 1
    assert "ABCD-EFGH-JKLM-NPQR" in reader.pages[0].extract_text()
