"""What real people type and send, through the API and the pages (files: test_input_files.py;
the command line: test_input_cli.py): every one of these answered 500, or was stored and broke
later. Each now gets a clear Chinese answer (or simply works), and nothing is half-saved."""

import datetime as dt
import io

import pytest
from rest_framework.test import APIClient

from gongxin.core import clock
from gongxin.documents.models import LetterWording
from gongxin.inquiry import services
from gongxin.inquiry.models import InquiryRequest
from gongxin.platform.errors import WorkflowError
from tests.factories import (
    FULL_WIDTH,
    LI,
    ZHANG,
    findings_of,
    make_staff,
    match_of,
    person_row,
    signed_in,
)

pytestmark = pytest.mark.django_db
TODAY = clock.today


def api(staff):
    client = APIClient()
    client.force_authenticate(staff.user)
    return client


def body(world, **changes):
    data = {
        "agency": world.agency.pk,
        "letter_number": "京组函〔2026〕7号",
        "received_on": TODAY().isoformat(),
        "kind": "transfer",
        "candidates": [{"name": "张三", "id_number": ZHANG[1], "position": "科员"}],
    }
    data.update(changes)
    return data


# --- ID numbers typed with full-width digits (what Chinese input methods produce) ---------


def test_full_width_digits_are_the_same_number_in_the_api(world):
    typed = ZHANG[1].translate(FULL_WIDTH)
    created = api(world.handler).post(
        "/api/v1/requests/",
        body(world, candidates=[{"name": "张三", "id_number": typed}]),
        format="json",
    )
    assert created.status_code == 201, created.json()
    req = InquiryRequest.objects.get()
    assert services.candidate_identity(req.candidates.get()) == ZHANG
    services.screen_request(world.handler, req.pk, today=dt.date(2026, 3, 2))
    assert [f.match for f in findings_of(req)] == ["exact"]


def test_full_width_digits_in_the_form_and_in_an_uploaded_csv(client, world):
    signed_in(client, world.handler.user)
    typed = LI[1].translate(FULL_WIDTH)
    client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕88号",
        "received_on": TODAY().isoformat(), "kind": "recruitment",
        "candidates_text": f"李四，{typed}，科员",
    })  # fmt: skip
    upload = io.BytesIO(f"姓名,公民身份号码\n张三,{ZHANG[1].translate(FULL_WIDTH)}\n".encode())
    upload.name = "人选.csv"
    client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕89号",
        "received_on": TODAY().isoformat(), "kind": "recruitment", "candidates_file": upload,
    })  # fmt: skip
    people = [services.candidate_identity(r.candidates.get())
              for r in InquiryRequest.objects.order_by("pk")]  # fmt: skip
    assert people == [LI, ZHANG]


def test_full_width_digits_in_a_list_file(tmp_path, world):
    from tests.factories import Lists

    Lists(tmp_path).load([person_row("王五", "440524198001010013".translate(FULL_WIDTH))],
                         as_of="2026-01-20")  # fmt: skip
    assert match_of([("王五", "440524198001010013")]) == ["exact"]


# --- text that cannot be printed or seen ---------------------------------------------------


@pytest.mark.parametrize("bad", ["京组函\x07〔2026〕1号", "京组函〔2026〕\u202e1号", "京组\x00函"])
def test_control_and_direction_characters_in_the_letter_number_are_refused(world, bad):
    answer = api(world.handler).post("/api/v1/requests/", body(world, letter_number=bad),
                                     format="json")  # fmt: skip
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    (error,) = answer.json()["errors"]
    assert (error["row"], error["field"]) == (None, "来文文号")
    assert "U+" in error["reason"] or "空字符" in error["reason"]
    assert InquiryRequest.objects.count() == 0


def test_bytes_that_were_not_text_never_reach_a_letter(client, world):
    """A form sent in another encoding arrives with U+FFFD where the bytes were; it would print
    as � in the letter. The row is refused, naming the character and the likely cause."""
    signed_in(client, world.handler.user)
    page = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕77号",
        "received_on": TODAY().isoformat(), "kind": "recruitment",
        "candidates_text": f"王\ufffd五,{ZHANG[1]},科\ufffd员",
    }).content.decode()  # fmt: skip
    assert "第1行「姓名」" in page and "U+FFFD（无法识别的字符" in page
    assert "第1行「拟任职位」" in page
    assert InquiryRequest.objects.count() == 0


def test_a_letter_number_stored_before_the_check_cannot_break_signing(world):
    """A 文号 with a control character stored earlier: signing says why instead of a 500."""
    req = world.register(people=[LI])
    InquiryRequest.objects.filter(pk=req.pk).update(letter_number="京组函\x07〔2026〕1号")
    services.screen_request(world.handler, req.pk, today=dt.date(2026, 3, 2))
    services.submit(world.handler, req.pk)
    signer = req.participants.get(role="signer").staff
    with pytest.raises(WorkflowError) as exc:
        services.sign_off(signer, req.pk, confirmed=True)
    assert "U+0007" in exc.value.message
    req.refresh_from_db()
    assert req.state == "awaiting_signoff"


def test_too_long_is_refused_alike_on_every_database(world):
    answer = api(world.handler).post("/api/v1/requests/", body(world, letter_number="京" * 101),
                                     format="json")  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "来文文号"
    req = world.register()
    too_long = api(world.handler).post(f"/api/v1/requests/{req.pk}/return/",
                                       {"reason": "因" * 301}, format="json")  # fmt: skip
    assert too_long.status_code == 400


def test_nul_bytes_anywhere_are_a_clear_400(client, world):
    req = world.register()
    signed_in(client, world.handler.user)
    for url in ("/verify/%00/", "/verify/?code=%00", "/requests/?q=%00"):
        answer = client.get(url)
        assert answer.status_code == 400, url
        assert "空字符" in answer.content.decode()
    answer = client.post(f"/requests/{req.pk}/return/", {"reason": "格式\x00不符"})
    assert answer.status_code == 400
    req.refresh_from_db()
    assert req.state == "assigned"
    api_answer = api(world.handler).post(f"/api/v1/requests/{req.pk}/return/",
                                         {"reason": "格式\x00不符"}, format="json")  # fmt: skip
    assert api_answer.status_code == 400


def test_a_verification_code_with_a_slash_or_garbage_is_a_page_not_a_500(client):
    for typed in ("a/b", "../../etc", "ABCD-EFGH", "x" * 500):
        answer = client.get("/verify/", {"code": typed}, follow=True)
        assert answer.status_code == 404
        assert "验证码格式不正确" in answer.content.decode()


def test_ids_too_large_for_the_database_are_404(client, world):
    signed_in(client, world.handler.user)
    assert client.get("/requests/99999999999999999999999/").status_code == 404
    assert api(world.handler).get("/api/v1/requests/99999999999999999999/").status_code == 404
    assert client.get("/requests/1/result/?round=99999999999999999999").status_code == 404


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("received", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_implausible_receipt_dates_are_refused(world, received):
    answer = api(world.handler).post("/api/v1/requests/", body(world, received_on=received),
                                     format="json")  # fmt: skip
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["收文日期"]


# --- every problem at once, in one format ---------------------------------------------------


def test_all_problems_of_a_registration_at_once_as_a_list(world):
    tomorrow = (TODAY() + dt.timedelta(days=1)).isoformat()
    answer = api(world.handler).post("/api/v1/requests/", {
        "agency": world.agency.pk, "letter_number": " ", "received_on": tomorrow,
        "kind": "other", "candidates": [{"name": "李四", "id_number": "440524188001010015"},
                                        "not an object"],
    }, format="json")  # fmt: skip
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert isinstance(errors, list)
    assert {(e["row"], e["field"]) for e in errors} == {
        (None, "来文文号"),
        (None, "收文日期"),
        (None, "类别"),
        (1, "公民身份号码"),
        (2, "人选"),
    }


def test_a_body_that_is_not_an_object_is_a_problem_not_a_500(world):
    for data in ([], "text", 5, None):
        answer = api(world.handler).post("/api/v1/requests/", data, format="json")
        assert answer.status_code == 400, data
        assert answer.json()["errors"]


# --- the unit's wording ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["此复{agency.foo}。", "共{count[0]}人", "共{count:>5000000}人",
                                  "{}", "{0}", "未闭合{", "多余}", "换行\n不行"])  # fmt: skip
def test_placeholders_that_could_break_or_pad_a_letter_are_refused(client, world, text):
    admin = make_staff(world.bj, "sysadmin", "sysadmin")
    signed_in(client, admin.user)
    page = client.post("/wording/", {"result.closing": text})
    assert page.status_code == 200
    assert "复函·结束语" in page.content.decode()
    assert not LetterWording.objects.filter(unit=world.bj).exclude(texts={}).exists()


def test_a_bad_text_stored_before_the_check_does_not_pad_letters(world):
    from gongxin.inquiry.wording import text

    overrides = {"result.closing": "共{count:>5000000}人"}
    assert text("result.closing", overrides, agency="甲", unit="乙", letter_number="1",
                count=2, kind="录用") == "特此函复。"  # fmt: skip


# --- a double submit ---------------------------------------------------------------------------


def test_a_double_submit_answers_409_with_the_request_that_exists(client, world):
    first = api(world.handler).post("/api/v1/requests/", body(world), format="json")
    again = api(world.handler).post("/api/v1/requests/", body(world), format="json")
    assert (first.status_code, again.status_code) == (201, 409)
    assert again.json()["code"] == "duplicate"
    assert again.json()["existing"]["id"] == first.json()["id"]
    signed_in(client, world.handler.user)
    page = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕7号",
        "received_on": TODAY().isoformat(), "kind": "transfer",
        "candidates_text": f"张三,{ZHANG[1]}",
    }, follow=True)  # fmt: skip
    assert page.redirect_chain[-1][0] == f"/requests/{first.json()['id']}/"
    # The clerk's own second click: not news, said as such.
    assert "您刚才已登记这份来文（重复提交未再次登记）" in page.content.decode()
    # Another handler registering the same letter is told someone did.
    other = make_staff(world.bj, "handler_b", "handler")
    signed_in(client, other.user)
    page = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕7号",
        "received_on": TODAY().isoformat(), "kind": "transfer",
        "candidates_text": f"张三,{ZHANG[1]}",
    }, follow=True)  # fmt: skip
    assert "这份来文已经登记过，已为您打开" in page.content.decode()
    assert InquiryRequest.objects.count() == 1


def test_a_nul_in_a_cookie_or_a_token_is_not_a_500(client, world):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/login/").status_code == 200
    answer = APIClient().get("/api/v1/requests/", HTTP_AUTHORIZATION="Token abc\x00def")
    assert answer.status_code == 400


def test_deep_json_and_infinite_numbers_are_400(world):
    deep = '{"agency": 1, "candidates": ' + "[" * 50_000 + "]" * 50_000 + "}"
    client = api(world.handler)
    answer = client.generic("POST", "/api/v1/requests/", deep, content_type="application/json")
    assert answer.status_code == 400
    for agency in ("1e400", "-1e400", "1.5", '"3"', "true"):
        raw = (
            '{"agency": ' + agency + ', "letter_number": "京组函〔2026〕1号", '
            f'"received_on": "{clock.today()}", "kind": "transfer", "candidates": []}}'
        )
        answer = client.generic("POST", "/api/v1/requests/", raw, content_type="application/json")
        assert answer.status_code == 400, agency
        assert "发起查询单位" in {e["field"] for e in answer.json()["errors"]}, agency


def test_the_same_holiday_typed_twice_is_one_day(client, world):
    admin = make_staff(world.national, "sysadmin", "sysadmin")
    signed_in(client, admin.user)
    page = client.post("/calendar/", {"year": 2032, "holidays": "2032-01-01\n2032年1月1日"},
                       follow=True).content.decode()  # fmt: skip
    assert "2032 年节假日安排已保存" in page


def test_a_letter_number_only_has_what_a_letter_can_print(world):
    for typed in (
        "京组函\ue000〔2026〕1号",
        "京组函\u0378号",
        "京组函\U00082b5d号",
        "京组\u200b函",
    ):
        answer = api(world.handler).post("/api/v1/requests/", body(world, letter_number=typed),
                                         format="json")  # fmt: skip
        assert answer.status_code == 400, typed
        assert answer.json()["errors"][0]["field"] == "来文文号"
    ok = api(world.handler).post("/api/v1/requests/",
                                 body(world, letter_number=" 京组函〔2026〕7号（二）"),
                                 format="json")  # fmt: skip
    assert ok.status_code == 201
    assert ok.json()["letter_number"] == "京组函〔2026〕7号（二）"


def test_every_character_a_letter_number_may_hold_can_be_printed():
    from gongxin.documents.alphabet import RANGES
    from gongxin.documents.check import covered
    from gongxin.documents.pdf_letter import FONTS

    drawable = covered(FONTS["fangsong"])
    missing = [hex(cp) for a, b in RANGES for cp in range(a, b + 1) if cp not in drawable]
    assert missing == []


def test_what_the_client_sent_is_not_repeated_and_too_big_says_so(client, world, settings):
    odd = api(world.handler).generic("POST", "/api/v1/requests/", "x",
                                     content_type="text/<script>alert(1)</script>")  # fmt: skip
    assert odd.status_code == 415 and "script" not in odd.content.decode()
    assert "Content-Type: application/json" in odd.json()["detail"]
    nul = APIClient().post("/api/v1/auth/token/", {"username": "a\x00b", "password": "x"},
                           format="json")  # fmt: skip
    assert nul.json()["errors"][0]["reason"] == "含有U+0000（空字符），请删除后重新填写"
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    signed_in(client, world.handler.user)
    page = client.post("/requests/new/", {"agency": world.agency.pk, "letter_number": "x",
                                          "candidates_text": "张三," * 400_000})  # fmt: skip
    assert page.status_code == 400
    assert "提交的内容超过 1 MB，没有保存" in page.content.decode()
