"""结果核对: a letter whose content differs from the approved results cannot be signed."""

import dataclasses
import datetime as dt
import io

import pytest
from docx import Document

from gongxin.documents import docx_letter, pdf_letter
from gongxin.documents.check import differences
from gongxin.documents.models import Letter, LetterFile
from gongxin.inquiry import services
from gongxin.platform.errors import WorkflowError
from tests.factories import LI, ZHANG, World
from tests.test_documents_docx import content

FLIP = {"被依法列为失信联合惩戒对象": "未发现被依法列为失信联合惩戒对象",
        "未发现被依法列为失信联合惩戒对象": "被依法列为失信联合惩戒对象"}  # fmt: skip


def altered(letter, row_index=0):
    rows = list(letter.table.rows)
    row, name, masked, result = rows[row_index]
    rows[row_index] = (row, name, masked, FLIP[result])
    return dataclasses.replace(letter, table=dataclasses.replace(letter.table, rows=tuple(rows)))


@pytest.mark.parametrize("n", [2, 27])
def test_faithful_files_pass(n):
    letter, _ = content(n, names=["买买提·艾力", "𠮷野"])
    assert differences(letter, docx_letter.build(letter), pdf_letter.build(letter)) == []


def test_an_altered_docx_cell_is_found():
    letter, _ = content(2)
    data = docx_letter.build(letter)
    doc = Document(io.BytesIO(data))
    cell = doc.tables[-1].rows[2].cells[3]
    cell.paragraphs[0].runs[0].text = FLIP[cell.text]
    edited = io.BytesIO()
    doc.save(edited)
    assert differences(letter, edited.getvalue(), pdf_letter.build(letter)) == [
        "Word 文件第2号人选与核准结果不一致"]  # fmt: skip


def test_an_altered_pdf_is_found():
    letter, _ = content(27)
    pdf = pdf_letter.build(altered(letter, 3))
    assert differences(letter, docx_letter.build(letter), pdf) == [
        "PDF 文件第4号人选与核准结果不一致"
    ]


def test_a_character_no_font_has_blocks_signing():
    """A private-use character (as some registries use for rare name characters) that no
    installed font covers would print as an empty box: the check refuses the letter."""
    letter, _ = content(2, names=["张\ue000", "李四"])
    problems = differences(letter, docx_letter.build(letter), pdf_letter.build(letter))
    assert problems == [
        "第1号人选姓名中的字符 U+E000 没有可用字形（会印出空框），请安装含该字的字体后再签发"
    ]


@pytest.mark.django_db
def test_signing_is_blocked_and_no_number_is_used(tmp_path, monkeypatch):
    world = World(tmp_path)
    req = world.register(people=[ZHANG, LI])
    services.screen_request(world.handler, req.pk, today=dt.date(2026, 3, 2))
    services.submit(world.handler, req.pk)
    zhang = req.candidates.get(row=1)
    for reviewer in (world.reviewer_a, world.reviewer_b):
        services.review(reviewer, zhang.pk, "confirm", "一致", today=dt.date(2026, 3, 2))
    real_build = pdf_letter.build
    monkeypatch.setattr(pdf_letter, "build", lambda c: real_build(altered(c, 0)))
    with pytest.raises(WorkflowError) as exc:
        services.sign_off(world.signer, req.pk, confirmed=True)
    assert exc.value.message == "结果核对不一致，不能签发：PDF 文件第1号人选与核准结果不一致"
    req.refresh_from_db()
    assert (req.state, req.current.signed_at, Letter.objects.count()) == ("awaiting_signoff",
                                                                          None, 0)  # fmt: skip
    monkeypatch.undo()
    services.sign_off(world.signer, req.pk, confirmed=True)
    letter = Letter.objects.get()
    assert letter.number == 1  # the failed attempt used no number
    assert sorted(letter.files.values_list("kind", flat=True)) == ["docx", "pdf"]
    assert all(len(f.sha256) == 64 for f in LetterFile.objects.all())
