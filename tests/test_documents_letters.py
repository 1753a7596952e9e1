"""Letters are numbered per unit per year without gaps, at signing, and say only the result."""

import datetime as dt
import io

import pytest
from docx import Document

from gongxin.core import clock
from gongxin.documents.models import Letter, LetterSequence
from gongxin.documents.sealed import file_bytes
from gongxin.inquiry import services
from gongxin.inquiry.letters import result_rows
from gongxin.platform.errors import WorkflowError
from tests.factories import LI, ZHANG, current_round, letter_of, matched_candidates

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def to_signoff(world, people):
    req = world.register(people=people)
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    for c in matched_candidates(req):
        for reviewer in (world.reviewer_a, world.reviewer_b):
            services.review(reviewer, c.pk, "confirm", "一致", today=TODAY)
    return req


def test_numbers_follow_each_other_and_a_failed_signing_uses_none(world, monkeypatch):
    first = to_signoff(world, [LI])
    second = to_signoff(world, [ZHANG, LI])
    third = to_signoff(world, [LI])
    services.sign_off(world.signer, first.pk, confirmed=True)
    with pytest.raises(WorkflowError):
        services.sign_off(world.handler, second.pk, confirmed=True)  # refused: not the signer
    from gongxin.inquiry.services import signing

    def broken_record(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(signing, "record", broken_record)
    with pytest.raises(RuntimeError):
        services.sign_off(world.signer, second.pk, confirmed=True)  # fails after taking a number
    monkeypatch.undo()
    services.sign_off(world.signer, second.pk, confirmed=True)
    services.sign_off(world.signer, third.pk, confirmed=True)
    year = clock.today().year
    numbers = list(Letter.objects.order_by("number").values_list("document_number", flat=True))
    assert numbers == [f"京信用函〔{year}〕{n}号" for n in (1, 2, 3)]
    assert LetterSequence.objects.get(unit=world.bj, year=year).last_number == 3
    assert [r.inquiry_round.request_id for r in Letter.objects.order_by("number")] == [
        first.pk, second.pk, third.pk]  # fmt: skip


def test_letter_of_a_signed_request_says_only_the_result(world):
    req = to_signoff(world, [ZHANG, LI])
    services.sign_off(world.signer, req.pk, confirmed=True)
    letter = letter_of(req)
    assert letter.digest == current_round(req).result_digest
    assert [row[1:] for row in result_rows(req)] == [
        ("张三", "110105********002X", "被依法列为失信联合惩戒对象"),
        ("李四", "440524********0014", "未发现被依法列为失信联合惩戒对象"),
    ]
    doc = Document(io.BytesIO(file_bytes(letter.files.get(kind="docx"))))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert letter.document_number in text and "北京市委组织部：" in text
    assert "北京市朝阳区人民法院" not in text and "失信被执行人" not in text
