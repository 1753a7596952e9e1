"""Request templates: the Word letter and the Excel sheet registration accepts when filled in."""

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from gongxin.core import clock
from gongxin.documents.models import LetterWording
from gongxin.inquiry.models import InquiryRequest
from tests.factories import LI, ZHANG, signed_in

pytestmark = pytest.mark.django_db


def test_filled_in_sheet_is_accepted_by_registration(client, world):
    signed_in(client, world.reviewer_a.user)  # anyone at the unit may download
    response = client.get(f"/templates/request.xlsx?agency={world.agency.pk}&kind=recruitment")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["人选名单"]
    assert [c.value for c in sheet[1]] == ["姓名", "公民身份号码", "拟录用/调任职位", "备注"]
    checks = {str(c.sqref): c for c in sheet.data_validations.dataValidation}
    assert "LEN(B2)=18" in checks["B2:B5001"].formula1  # test_input_registration reads the rest
    assert sheet["B2"].number_format == "@"  # text: no 1.1E+17
    sheet.append(["张三", ZHANG[1], "科员", ""])
    sheet.append(["李四", LI[1], "一级科员", "应届毕业生"])
    filled = io.BytesIO()
    book.save(filled)
    filled.name = "人选.xlsx"
    filled.seek(0)
    signed_in(client, world.handler.user)
    client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕30号",
        "received_on": clock.today().isoformat(), "kind": "recruitment",
        "candidates_file": filled}, follow=True)  # fmt: skip
    req = InquiryRequest.objects.get()
    assert list(req.candidates.values_list("position", flat=True)) == ["科员", "一级科员"]


def test_word_template_uses_the_units_wording(client, world):
    LetterWording.objects.create(
        unit=world.bj, texts={"request.contact": "联系人：王科长 010-12345678"}
    )
    signed_in(client, world.handler.user)
    response = client.get(f"/templates/request.docx?agency={world.agency.pk}&kind=transfer")
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "关于查询公务员调任人选社会信用记录的函" in text
    assert "北京市公共信用信息中心：" in text
    assert "联系人：王科长 010-12345678" in text
    assert [c.text for c in doc.tables[0].rows[0].cells] == [
        "序号", "姓名", "公民身份号码", "拟录用/调任职位", "备注"]  # fmt: skip


def test_templates_only_for_agencies_the_unit_serves(client, world):
    signed_in(client, world.handler.user)
    assert client.get(f"/templates/request.docx?agency={world.central.pk}&kind=transfer"
                      ).status_code == 404  # fmt: skip
    page = client.get("/templates/").content.decode()
    assert "北京市委组织部" in page and "中央组织部" not in page


def test_letter_download_for_people_on_the_request_only(client, world):
    from gongxin.inquiry import services

    today = clock.today()
    req = world.register(people=[LI], received_on=today, today=today)
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    signed_in(client, world.signer.user)
    assert client.get(f"/requests/{req.pk}/letter.docx").status_code == 404  # not signed yet
    services.sign_off(world.signer, req.pk, confirmed=True)
    response = client.get(f"/requests/{req.pk}/letter.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert f"京信用函〔{today.year}〕1号" in text
    pdf = client.get(f"/requests/{req.pk}/letter.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    signed_in(client, world.reviewer_a.user)  # not on a request without matches
    assert client.get(f"/requests/{req.pk}/letter.docx").status_code == 404


def test_sysadmin_adjusts_wording_and_bad_placeholders_are_refused(client, world):
    from tests.factories import make_staff

    signed_in(client, world.handler.user)
    assert client.get("/wording/").status_code == 404
    admin = make_staff(world.bj, "sysadmin", "sysadmin")
    signed_in(client, admin.user)
    bad = client.post("/wording/", {"result.closing": "此复{agncy}。"}).content.decode()
    assert "复函·结束语" in bad and "占位符「{agncy}」无效" in bad
    assert not LetterWording.objects.filter(unit=world.bj).exclude(texts={}).exists()
    client.post("/wording/", {"request.contact": "联系人：李处长 010-87654321"})
    assert LetterWording.objects.get(unit=world.bj).texts == {
        "request.contact": "联系人：李处长 010-87654321"}  # fmt: skip
    signed_in(client, world.handler.user)
    doc = client.get(f"/templates/request.docx?agency={world.agency.pk}&kind=recruitment")
    text = "\n".join(p.text for p in Document(io.BytesIO(doc.content)).paragraphs)
    assert "联系人：李处长 010-87654321" in text
