"""Issue 9, letters and paper: the result letter states 截至 and a contact line and never puts a
文号 in 《》; its body is set in a 仿宋 face; a returned request gets a 退函; 反馈 records how and
when the letter was sent; a printable 办理单 names nobody. Real PDF and DOCX files are opened."""

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from collections import Counter

import pytest
from docx import Document
from pypdf import PdfReader

from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.core.dates import zh_date
from gongxin.core.docnumber import letter_citation, letter_key
from gongxin.documents.models import Letter, LetterWording
from gongxin.documents.pdf_letter import LICENSED_FANGSONG
from gongxin.documents.sealed import file_bytes
from gongxin.inquiry import services
from gongxin.inquiry.letters import compose
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.queries import last_screening
from gongxin.inquiry.services.returning import make_return_letter
from gongxin.platform.errors import InvalidSubmission, WorkflowError
from tests.factories import LI, ZHANG, letter_of, make_staff, matched_candidates, signed_in

pytestmark = pytest.mark.django_db
# A 文号 between 《》: 《京组函〔2026〕1号》 or 《…〔2026〕1号…》.
BRACKETED_NUMBER = re.compile(r"《[^》]*〔\d{4}〕\d+号[^》]*》")


def login(client, staff):
    signed_in(client, staff.user)
    return client


def signed(world, people=(ZHANG, LI)):
    today = clock.today()
    req = world.register(people=people, received_on=today, today=today)
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    for candidate in matched_candidates(req):
        for reviewer in (world.reviewer_a, world.reviewer_b):
            services.review(reviewer, candidate.pk, "confirm", "一致", today=today)
    services.sign_off(world.signer, req.pk, confirmed=True)
    return InquiryRequest.objects.get(pk=req.pk)


def with_contact(world, person="王明", phone="010-12345678"):
    LetterWording.objects.update_or_create(
        unit=world.bj, defaults={"texts": {"contact.person": person, "contact.phone": phone}}
    )


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return re.sub(r"\s+", "", "".join(parts))


def files_of(letter) -> tuple[bytes, bytes]:
    return (file_bytes(letter.files.get(kind="pdf")), file_bytes(letter.files.get(kind="docx")))


def licensed_fangsong() -> bool:
    """Whether fontconfig finds a licensed 仿宋 on this machine (it would come first)."""
    fc_list = shutil.which("fc-list")
    found = [subprocess.run([fc_list, family, "family"], capture_output=True,
                            text=True, check=False).stdout.strip()
             for family in LICENSED_FANGSONG]  # fmt: skip
    return any(found)


# --- the result letter --------------------------------------------------------------------------


def test_result_letter_states_the_as_of_date_and_the_contact_and_no_number_in_book_marks(
    world, client
):
    with_contact(world)
    req = signed(world)
    as_of = last_screening(req).as_of
    pdf, docx = files_of(letter_of(req))
    for text in (pdf_text(pdf), docx_text(docx)):
        assert f"截至{zh_date(as_of)}" in text
        assert "（联系人：王明，联系电话：010-12345678）" in text
        assert f"你单位{req.letter_number}收悉" in text
        assert not BRACKETED_NUMBER.search(text), text
        assert "经通过" not in text and "北京市委组织部公务员" not in text  # redundant wording gone
    page = login(client, world.handler).get(f"/requests/{req.pk}/result/").content.decode()
    assert f"截至{zh_date(as_of)}" in page and "联系人：王明，联系电话：010-12345678" in page
    assert not BRACKETED_NUMBER.search(page)


def test_no_contact_configured_prints_no_empty_contact_line(world):
    pdf, docx = files_of(letter_of(signed(world, [LI])))
    assert "联系人" not in pdf_text(pdf) and "联系人" not in docx_text(docx)


def test_a_unit_text_without_the_as_of_date_is_refused(world):
    sysadmin = make_staff(world.bj, "sysadmin", "sysadmin")
    with pytest.raises(InvalidSubmission) as refused:
        services.change_wording(sysadmin, {"result.body": "你单位{letter_number}收悉。结果如下："})
    assert "{as_of}" in str(refused.value.problems[0])
    assert not LetterWording.objects.filter(unit=world.bj).exclude(texts={}).exists()


def test_pdf_body_is_set_in_fandolfang_or_the_licensed_fangsong(world):
    req = signed(world, [LI])
    pdf, _ = files_of(letter_of(req))
    fonts: Counter = Counter()

    def visit(text, cm, tm, font, size):
        if (font and "特此函复" in text) or (font and "收悉" in text):
            fonts[str(font.get("/BaseFont")).split("+")[-1]] += 1

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    expected = licensed_fangsong() or "FandolFang"
    assert fonts and all(expected.replace("_", "") in name.replace("_", "") or
                         (name.startswith("FandolFang") and expected == "FandolFang")
                         for name in fonts), fonts  # fmt: skip
    # Embedded as a subset: the whole FandolFang is 6.9 MB.
    assert len(pdf) < 1_500_000


def test_docx_body_runs_name_fangsong_gb2312_for_the_recipient_s_word(world):
    _, docx = files_of(letter_of(signed(world, [LI])))
    doc = Document(io.BytesIO(docx))
    body = next(p for p in doc.paragraphs if "收悉" in p.text)
    qn = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    assert {r._element.rPr.rFonts.get(qn) for r in body.runs} == {"仿宋_GB2312"}


# --- 退函 -----------------------------------------------------------------------------------------


def returned(world, reason="来文未加盖公章"):
    req = world.register(people=[LI], received_on=clock.today(), today=clock.today())
    services.return_request(world.handler, req.pk, reason)
    return InquiryRequest.objects.get(pk=req.pk)


def test_return_letter_names_the_agency_and_the_reason_with_a_number(world, client):
    first = signed(world, [LI])  # takes 〔year〕1号
    req = returned(world)
    client = login(client, world.handler)
    page = client.get(f"/requests/{req.pk}/").content.decode()
    assert "生成退回函" in page
    client.post(f"/requests/{req.pk}/return-letter/")
    req.refresh_from_db()
    letter = req.return_letter
    year = clock.today().year
    assert letter.kind == "return" and letter.document_number == f"京信用函〔{year}〕2号"
    assert letter_of(first).document_number == f"京信用函〔{year}〕1号"
    made = AuditEvent.objects.filter(action="letter.return_letter", object_id=str(req.pk))
    assert made.count() == 1
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        response = client.get(f"/requests/{req.pk}/return-letter.{fmt}")
        assert response.status_code == 200
        text = read(b"".join(response.streaming_content) if response.streaming else
                    response.content)  # fmt: skip
        assert "北京市委组织部：" in text and "来文未加盖公章" in text
        assert letter.document_number in text and "退回" in text
        assert f"你单位{req.letter_number}收悉" in text and not BRACKETED_NUMBER.search(text)
        assert "李四" not in text and LI[1] not in text  # a 退函 lists nobody
    downloads = AuditEvent.objects.filter(action="letter.download", object_id=str(letter.pk))
    assert downloads.count() == 2
    # Asked again: the same letter, no new number, no new event.
    client.post(f"/requests/{req.pk}/return-letter/")
    assert Letter.objects.filter(kind="return").count() == 1 and made.count() == 1


def test_return_at_registration_names_the_right_unit(world):
    from tests.factories import make_agency

    elsewhere = make_agency(world.national, "国家发展改革委", "central", "")
    req = world.register(people=[LI], agency=elsewhere, received_on=clock.today(),
                         today=clock.today())  # fmt: skip
    assert req.state == "returned"
    letter, made = make_return_letter(world.handler, req.pk)  # the registrant: no handler drawn
    pdf, _ = files_of(letter)
    text = pdf_text(pdf)
    assert made and "国家发展改革委：" in text and "应向国家公共信用信息中心提出" in text


def test_return_letter_only_for_a_returned_request_and_its_handler_or_supervisor(world, client):
    req = returned(world)
    with pytest.raises(WorkflowError):
        make_return_letter(world.reviewer_a, req.pk)
    assert not Letter.objects.filter(kind="return").exists()
    make_return_letter(world.supervisor, req.pk)
    response = login(client, world.reviewer_a).get(f"/requests/{req.pk}/return-letter.pdf")
    assert response.status_code == 409
    open_req = world.register(people=[LI], received_on=clock.today(), today=clock.today())
    with pytest.raises(WorkflowError):
        make_return_letter(world.handler, open_req.pk)
    assert Letter.objects.filter(kind="return").count() == 1


# --- 反馈 -----------------------------------------------------------------------------------------


def test_issue_form_records_method_and_date_and_refuses_bad_input_beside_the_field(world, client):
    req = signed(world, [LI])
    today = clock.today()
    client = login(client, world.handler)
    url = f"/requests/{req.pk}/issue/"
    bad = [
        ({"send-sent_on": today.isoformat()}, "请选择发送方式"),
        ({"send-method": "post", "send-sent_on": (today.replace(year=today.year + 1)).isoformat()},
         "发送日期不能晚于今天"),
        ({"send-method": "post", "send-sent_on": today.replace(year=today.year - 1).isoformat()},
         "发送日期不能早于签发日期"),
        ({"send-method": "post", "send-sent_on": "明天"}, "日期格式不正确"),
    ]  # fmt: skip
    for data, reason in bad:
        response = client.post(url, data)
        assert response.status_code == 400
        page = response.content.decode()
        assert reason in page and 'class="form-problems"' in page and "error-summary" in page
        req.refresh_from_db()
        assert req.state == "signed" and req.current.sent_by == ""
    response = client.post(url, {"send-method": "confidential", "send-sent_on": today.isoformat(),
                                 "send-note": "交机要室"}, follow=True)  # fmt: skip
    req = InquiryRequest.objects.get(pk=req.pk)
    rnd = req.current
    assert req.state == "issued"
    assert (rnd.sent_by, rnd.sent_on, rnd.send_note) == ("confidential", today, "交机要室")
    page = client.get(f"/requests/{req.pk}/").content.decode()
    assert f"机要交换，发送日期{zh_date(today)}" in page  # on the page and in 办理记录
    assert page.count(f"机要交换，发送日期{zh_date(today)}") >= 2


def test_api_issue_takes_the_same_fields(world):
    from rest_framework.test import APIClient

    req = signed(world, [LI])
    api = APIClient()
    api.force_authenticate(world.handler.user)
    url = f"/api/v1/requests/{req.pk}/issue/"
    refused = api.post(url, {"method": "pigeon"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "发送方式"
    future = clock.today().replace(year=clock.today().year + 1).isoformat()
    refused = api.post(url, {"method": "post", "sent_on": future}, format="json")
    assert refused.status_code == 400 and "晚于今天" in refused.json()["errors"][0]["reason"]
    assert InquiryRequest.objects.get(pk=req.pk).state == "signed"
    done = api.post(url, {"method": "network"}, format="json").json()
    assert done["request"]["sending"] == {
        "method": "network",
        "sent_on": clock.today().isoformat(),
        "note": "",
    }


# --- 办理单 ---------------------------------------------------------------------------------------


def test_sheet_lists_the_steps_and_counts_and_names_nobody(world, client):
    req = signed(world)
    services.issue(world.handler, req.pk, services.Sending("post", clock.today()))
    client = login(client, world.supervisor)
    response = client.get(f"/requests/{req.pk}/sheet/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "@media print" in page and "size:A4" in page and "header, nav" in page
    assert "北京市委组织部" in page and req.letter_number in page and "2名" in page
    assert "被依法列为失信联合惩戒对象 1 名，未发现 1 名" in page
    assert letter_of(req).document_number in page and "邮寄，发送日期" in page
    assert f"查询截至{zh_date(last_screening(req).as_of)}" in page
    for line in ("经办人签字", "复核人签字", "签发人签字"):
        assert line in page
    for person in (ZHANG, LI):  # no name, no ID number, not even masked
        assert person[0] not in page and person[1] not in page
        assert person[1][:6] + "********" not in page
    views = AuditEvent.objects.filter(action="request.view_sheet", object_id=str(req.pk))
    assert views.count() == 1
    outsider = make_staff(world.bj, "handler2", "handler")
    assert login(client, outsider).get(f"/requests/{req.pk}/sheet/").status_code == 404
    assert views.count() == 1


def test_docx_letter_has_no_table_when_it_is_a_return_letter(world):
    letter, _ = make_return_letter(world.handler, returned(world).pk)
    _, docx = files_of(letter)
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        assert b"<w:tbl>" not in package.read("word/document.xml")


def test_the_public_check_of_a_return_letter_says_what_it_is(world, client):
    letter, _ = make_return_letter(world.handler, returned(world).pk)
    page = client.get(f"/verify/{letter.verification_code}/").content.decode()
    assert "该退回函由本系统签发" in page and "退回函" in page and "人选人数" not in page


def test_the_contact_is_set_on_the_wording_page_and_printed_on_the_next_letter(world, client):
    sysadmin = make_staff(world.bj, "sysadmin", "sysadmin")
    login(client, sysadmin).post("/wording/", {"contact.person": "李红",
                                               "contact.phone": "010-87654321"})  # fmt: skip
    pdf, _ = files_of(letter_of(signed(world, [LI])))
    assert "（联系人：李红，联系电话：010-87654321）" in pdf_text(pdf)


@pytest.mark.parametrize(
    "typed", ["京组函[2026]088号", "京组函（2026）88 号", "京组函【２０２６】0088"]
)
def test_a_letter_cites_the_agency_number_as_gbt_9704_writes_it(typed):
    """However the clerk typed it, the reply cites 京组函〔2026〕88号 (年份用六角括号，序号不编
    虚位) — the same letter by the registration's normal form."""
    content = compose("北京市公共信用信息中心", "北京市委组织部", typed, "recruitment",
                      [("1", "张三", "110105********0011", "未发现被依法列为失信联合惩戒对象")],
                      document_number="京信用函〔2026〕1号", dated=dt.date(2026, 3, 2))  # fmt: skip
    assert "你单位京组函〔2026〕88号收悉" in content.body
    assert letter_key(letter_citation(typed)) == letter_key(typed)
    assert letter_citation("无年份的来文12号") == "无年份的来文12号"  # cited as registered
