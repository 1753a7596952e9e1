"""Signed letters: the signature verifies, a changed byte fails, the public page tells the
truth about a code and shows no personal data."""

import io
import re

import pytest
from pypdf import PdfReader

from gongxin.core import clock
from gongxin.documents.models import Letter
from gongxin.documents.sealed import file_bytes
from gongxin.documents.verification import verify_file
from gongxin.inquiry import services
from gongxin.platform.errors import WorkflowError
from tests.factories import LI, ZHANG, World, letter_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(tmp_path):
    world = World(tmp_path)
    today = clock.today()
    req = world.register(people=[ZHANG, LI], received_on=today, today=today)
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    zhang = req.candidates.get(row=1)
    for reviewer in (world.reviewer_a, world.reviewer_b):
        services.review(reviewer, zhang.pk, "confirm", "一致", today=today)
    services.sign_off(world.signer, req.pk, confirmed=True)
    letter = letter_of(req)
    return world, letter, file_bytes(letter.files.get(kind="pdf"))


def test_signed_letter_verifies_and_a_changed_byte_fails(signed):
    _, letter, pdf = signed
    verdict = verify_file(pdf)
    assert verdict.ok and verdict.letter == letter
    assert verdict.reasons[0] == "签名有效，文件自签发后未被改动"
    middle = len(pdf) // 2
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 1]) + pdf[middle + 1 :]
    bad = verify_file(tampered)
    assert not bad.ok
    assert bad.reasons[0] in (
        "签名与文件内容不符，文件已被改动", "签名无法验证，文件可能已被改动", "文件已损坏，无法读取"
    )  # fmt: skip
    assert verify_file(pdf + b"%extra\n").reasons == ["签名后文件又被追加或改动"]


def test_letter_carries_its_code_and_the_qr(signed):
    _, letter, pdf = signed
    page = PdfReader(io.BytesIO(pdf)).pages[-1]  # the code stands under the date
    text = page.extract_text()
    assert letter.verification_code in text
    assert f"/verify/{letter.verification_code}/" in text
    # The QR code is an SVG painted as vector paths: hundreds of closed module squares.
    closed = re.findall(rb"\bh\b", page.get_contents().get_data())
    assert len(closed) > 200, "no QR drawn"


def test_public_page_for_a_real_an_unknown_and_no_code(client, signed):
    _, letter, pdf = signed
    page = client.get(f"/verify/{letter.verification_code}/").content.decode()
    assert "验证码有效" in page and letter.document_number in page
    assert "北京市公共信用信息中心" in page and "<dd>2</dd>" in page
    import hashlib

    assert hashlib.sha256(pdf).hexdigest() in page
    assert "张三" not in page and "110105" not in page  # no personal data
    typed = client.get("/verify/", {"code": letter.verification_code.replace("-", "").lower()},
                       follow=True)  # fmt: skip
    assert "验证码有效" in typed.content.decode()
    unknown = client.get("/verify/AAAA-BBBB-CCCC-DDDD/")
    assert unknown.status_code == 404 and "未找到验证码" in unknown.content.decode()


def test_superseded_letter_says_so(client, signed):
    _, letter, _ = signed
    newer = Letter.objects.create(
        unit=letter.unit, year=letter.year, number=letter.number + 1,
        document_number=f"京信用函〔{letter.year}〕{letter.number + 1}号", dated=letter.dated,
        digest=letter.digest, verification_code="ABCD-EFGH-JKLM-NPQR", supersedes=letter,
    )  # fmt: skip
    page = client.get(f"/verify/{letter.verification_code}/").content.decode()
    assert f"本复函已被{newer.document_number}取代" in page


def test_cli_verify_and_export(signed, tmp_path, capsys):
    from django.core.management import call_command

    _, letter, pdf = signed
    good = tmp_path / "good.pdf"
    good.write_bytes(pdf)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(pdf.replace(b"/Reason", b"/Reasoq", 1))
    with pytest.raises(SystemExit) as ok:
        call_command("letters", "verify", str(good))
    assert ok.value.code == 0 and "有效" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        call_command("letters", "verify", str(bad))
    assert refused.value.code == 1 and "无效" in capsys.readouterr().out
    call_command("letters", "export", "--out", str(tmp_path / "archive"))
    exported = sorted(p.name for p in (tmp_path / "archive").rglob("*.*"))
    assert exported == [f"{letter.document_number}.docx", f"{letter.document_number}.pdf"]


def test_correction_after_issue_makes_a_new_letter_that_supersedes_the_old(client, signed):
    world, first, first_pdf = signed
    req = first.inquiry_round.request
    services.issue(world.handler, req.pk)
    today = clock.today()
    with pytest.raises(WorkflowError) as blank:
        services.correct(world.handler, req.pk, " ")
    assert blank.value.explanation == "「更正原因」：请填写更正原因"
    services.correct(world.handler, req.pk, "复核发现名单记录已于签发前移出")
    req.refresh_from_db()
    assert (req.state, req.round, req.current.signed_at) == ("assigned", 2, None)
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    zhang = req.candidates.get(row=1)
    for reviewer in (world.reviewer_a, world.reviewer_b):  # same people, a new round
        services.review(reviewer, zhang.pk, "reject", "已移出", today=today)
    services.sign_off(world.signer, req.pk, confirmed=True)
    second = letter_of(req)
    first.refresh_from_db()
    assert second.supersedes == first and second.number == first.number + 1
    assert zhang.reviews.filter(round=1).count() == 2 and zhang.reviews.filter(round=2).count() == 2
    # Both kept; the old one verifies as genuine but superseded, the new one as valid.
    old = verify_file(first_pdf)
    assert not old.ok and old.reasons[-1] == f"本复函已被{second.document_number}取代"
    assert verify_file(file_bytes(second.files.get(kind="pdf"))).ok
    page = client.get(f"/verify/{first.verification_code}/").content.decode()
    assert f"本复函已被{second.document_number}取代" in page
