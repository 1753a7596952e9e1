"""Registration as a unit's clerks really do it (issue 9, "Mistakes can be fixed"): a 文号 typed
another way is the same letter, a returned letter comes again linked to the first, a person is
found by name or ID number (only where one may look, never leaving the number in a URL or
the trail), rows pasted from Excel with a header or a 序号 column, implausible dates refused,
and the Excel template checking every row it accepts."""

import datetime as dt
import io
import json

import pytest
from django.apps import apps
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.core.docnumber import letter_key
from gongxin.inquiry import services
from gongxin.inquiry.models import Candidate, InquiryRequest
from gongxin.registry.candidate_table import read_pasted
from gongxin.registry.screening import read_candidates
from tests.factories import FULL_WIDTH, LI, WANG, ZHANG, signed_in

TODAY = clock.today

# --- the 文号 normal form (pure) -----------------------------------------------------------

BRACKETS = [("〔", "〕"), ("[", "]"), ("［", "］"), ("（", "）"), ("(", ")"), ("【", "】"),
            ("﹝", "﹞"), ("〖", "〗")]  # fmt: skip
PREFIXES = st.sampled_from(["京组函", "京人社函", "中组函", "沪组干函", "粤组通", "京组字"])
FULL = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@st.composite
def typings(draw, prefix: str, year: int, serial: int):
    """One way a clerk may type the number ``prefix〔year〕serial号``."""
    opening, closing = draw(st.sampled_from(BRACKETS))
    zeros = "0" * draw(st.integers(0, 3))
    digits = f"{year}", f"{zeros}{serial}"
    if draw(st.booleans()):  # typed with a Chinese input method: full-width digits
        digits = tuple(d.translate(FULL) for d in digits)
    parts = [prefix, opening, digits[0], closing, digits[1], draw(st.sampled_from(["号", ""]))]
    spaces = st.sampled_from(["", " ", "\u3000", "  "])
    return "".join(part + draw(spaces) for part in parts)


@given(st.data(), PREFIXES, st.integers(2000, 2099), st.integers(1, 9999))
def test_every_typing_of_a_number_has_the_key_of_its_standard_form(data, prefix, year, serial):
    typed = data.draw(typings(prefix, year, serial))
    assert letter_key(typed) == letter_key(f"{prefix}〔{year}〕{serial}号")


@given(PREFIXES, st.integers(2000, 2099), st.integers(1, 9999), st.integers(1, 9999))
def test_different_serials_never_share_a_key(prefix, year, serial, other):
    if serial != other:
        assert letter_key(f"{prefix}〔{year}〕{serial}号") != letter_key(
            f"{prefix}〔{year}〕{other}号"
        )
    assert letter_key(f"{prefix}〔{year}〕{serial}号") != letter_key(
        f"{prefix}〔{year + 1}〕{serial}号"
    )


@given(st.text(max_size=40))
def test_the_key_is_stable(text):
    assert letter_key(letter_key(text)) == letter_key(text)


def test_the_issues_examples():
    typed = ("京组函〔2026〕88号", "京组函[2026]088号", "京组函（2026）88 号", "京组函【2026】88号",
             "京组函［２０２６］０８８号")  # fmt: skip
    same = {letter_key(t) for t in typed}
    assert same == {"京组函〔2026〕88号"}
    assert letter_key("京组函〔2026〕88号") != letter_key("京组函〔2026〕8号")
    assert letter_key("京组函〔2026〕88号") != letter_key("沪组函〔2026〕88号")


# --- the same letter, typed another way; a returned one registered again ------------------


def form(world, number="京组函〔2026〕88号", candidates=None, **changes):
    data = {"agency": world.agency.pk, "letter_number": number,
            "received_on": TODAY().isoformat(), "kind": "recruitment",
            "candidates_text": candidates or f"张三,{ZHANG[1]},科员"}  # fmt: skip
    data.update(changes)
    return data


def api(staff):
    client = APIClient()
    client.force_authenticate(staff.user)
    return client


@pytest.mark.django_db
def test_a_number_typed_another_way_is_the_same_letter(client, world):
    signed_in(client, world.handler.user)
    client.post("/requests/new/", form(world))
    first = InquiryRequest.objects.get()
    assert (first.letter_number, first.letter_key) == ("京组函〔2026〕88号", "京组函〔2026〕88号")
    page = client.post("/requests/new/", form(world, "京组函[2026]088号"), follow=True)
    assert page.redirect_chain[-1][0] == f"/requests/{first.pk}/"
    assert "您刚才已登记这份来文（重复提交未再次登记）" in page.content.decode()
    answer = api(world.handler).post("/api/v1/requests/", {
        "agency": world.agency.pk, "letter_number": "京组函（2026）88 号",
        "received_on": TODAY().isoformat(), "kind": "recruitment",
        "candidates": [{"name": "李四", "id_number": LI[1]}]}, format="json")  # fmt: skip
    assert answer.status_code == 409 and answer.json()["existing"]["id"] == first.pk
    assert InquiryRequest.objects.count() == 1
    # The list (and the API's list) find it by any typing.
    listed = client.get("/requests/", {"q": "京组函【2026】0088"}).content.decode()
    assert f"/requests/{first.pk}/" in listed
    found = api(world.handler).get("/api/v1/requests/", {"q": "[2026]088号"}).json()
    assert [r["id"] for r in found["results"]] == [first.pk]


@pytest.mark.django_db
def test_a_returned_letter_registered_again_is_linked_both_ways(client, world):
    signed_in(client, world.handler.user)
    client.post("/requests/new/", form(world))
    first = InquiryRequest.objects.get()
    services.return_request(world.handler, first.pk, "附件缺人选名单")
    page = client.post("/requests/new/", form(world, "京组函(2026)88号"), follow=True)
    again = InquiryRequest.objects.exclude(pk=first.pk).get()
    assert again.follows == first and again.state == "assigned"
    text = page.content.decode()
    assert "此前曾登记并退回（附件缺人选名单）" in text
    assert "此前曾登记并退回，见" in text and f'href="/requests/{first.pk}/"' in text
    earlier = client.get(f"/requests/{first.pk}/").content.decode()
    assert "已重新登记，见" in earlier and f'href="/requests/{again.pk}/"' in earlier
    event = AuditEvent.objects.filter(action="request.register").latest("pk")
    assert event.detail["follows"] == first.pk


@pytest.mark.django_db
def test_the_migration_fills_keys_links_and_name_indexes_of_existing_rows(world):
    from importlib import import_module

    fill = import_module("gongxin.inquiry.migrations.0006_letter_key_follows_name_index").fill
    first = world.register(people=[ZHANG])
    services.return_request(world.handler, first.pk, "文号不全")
    world.letters -= 1
    again = world.register(people=[LI])
    index = Candidate.objects.get(request=again).name_index
    InquiryRequest.objects.update(letter_key="", follows=None)
    Candidate.objects.update(name_index=None)
    fill(apps, None)
    again.refresh_from_db()
    assert again.letter_key == letter_key(again.letter_number) and again.follows_id == first.pk
    assert bytes(Candidate.objects.get(request=again).name_index) == bytes(index)


# --- the same person elsewhere; the search for a person -----------------------------------


@pytest.mark.django_db
def test_a_person_in_another_open_request_is_a_warning_not_a_refusal(client, world):
    signed_in(client, world.handler.user)
    client.post("/requests/new/", form(world, "京组函〔2026〕7号"))
    first = InquiryRequest.objects.get()
    rows = f"李四,{LI[1]},科员\n王五,{WANG[1]},科员\n张三,{ZHANG[1]},科员"
    page = client.post("/requests/new/", form(world, "京组函〔2026〕8号", rows), follow=True)
    second = InquiryRequest.objects.exclude(pk=first.pk).get()
    warning = "第3行人选已在本单位另一件办理中的查询（京组函〔2026〕7号）中"
    assert page.redirect_chain[-1][0] == f"/requests/{second.pk}/"
    text = page.content.decode()
    assert warning in text  # the message after registering …
    assert text.count("第3行人选已在本单位另一件办理中的查询") == 2  # … and the page's own note
    assert second.candidates.count() == 3
    again = client.get(f"/requests/{first.pk}/").content.decode()
    assert "第1行人选已在本单位另一件办理中的查询" in again and "京组函〔2026〕8号</a>" in again
    services.return_request(world.handler, first.pk, "来文格式不符")  # no longer open
    assert "第3行人选已在" not in client.get(f"/requests/{second.pk}/").content.decode()


@pytest.mark.django_db
def test_search_by_name_or_id_number_finds_only_what_one_may_see(client, world):
    mine = world.register(people=[ZHANG, LI])
    other = world.register(people=[WANG], agency=world.central)  # returned: wrong unit
    signed_in(client, world.handler.user)
    by_name = client.post("/requests/search/", {"term": " 张 三 "}).content.decode()
    assert "按姓名「张三」找到 1 件" in by_name and f"/requests/{mine.pk}/" in by_name
    by_id = client.post("/requests/search/", {"term": LI[1].translate(FULL_WIDTH)})
    text = by_id.content.decode()
    assert "按公民身份号码 440524********0014 找到 1 件" in text
    assert LI[1] not in text  # the number is shown masked, and not kept in the form
    elsewhere = client.post("/requests/search/", {"term": "王五"}).content.decode()
    assert f"/requests/{other.pk}/" not in elsewhere  # another unit's request
    bad = client.post("/requests/search/", {"term": "440524188001010015"}).content.decode()
    assert "校验码不正确" in bad
    # A reviewer not (yet) drawn for the request sees none of its candidates: nothing found.
    signed_in(client, world.reviewer_a.user)
    assert "找到 0 件" in client.post("/requests/search/", {"term": "张三"}).content.decode()
    # The supervisor sees the unit's candidates.
    signed_in(client, world.supervisor.user)
    assert "找到 1 件" in client.post("/requests/search/", {"term": ZHANG[1]}).content.decode()
    # The trail says a person search happened, how it was read and what it found; never who.
    events = AuditEvent.objects.filter(action="request.search_person").order_by("pk")
    assert [e.detail for e in events] == [
        {"kind": "name", "count": 1}, {"kind": "id_number", "count": 1},
        {"kind": "name", "count": 0}, {"kind": "name", "count": 0},
        {"kind": "id_number", "count": 1},
    ]  # fmt: skip
    assert not any(ZHANG[1] in str(e.detail) or "张三" in str(e.detail) for e in events)


@pytest.mark.django_db
def test_an_error_report_of_a_search_or_a_registration_hides_the_person(client, world, monkeypatch):
    from django.core.signals import got_request_exception
    from django.views.debug import SafeExceptionReporterFilter

    from gongxin.inquiry import people

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(people, "search", broken)
    monkeypatch.setattr(services, "register", broken)
    seen = []

    def failed(sender, request, **kwargs):
        seen.append(request)

    got_request_exception.connect(failed)
    client.raise_request_exception = False
    signed_in(client, world.handler.user)
    try:
        client.post("/requests/search/", {"term": ZHANG[1]})
        client.post("/requests/new/", form(world))
    finally:
        got_request_exception.disconnect(failed)
    reported = [SafeExceptionReporterFilter().get_post_parameters(r) for r in seen]
    assert ZHANG[1] not in str(reported) and len(reported) == 2


@pytest.mark.django_db
def test_a_rotation_reseals_the_name_index_and_the_search_still_finds(key_file, tmp_path):
    from gongxin.inquiry import people
    from gongxin.platform import keys
    from gongxin.platform.sealed import rotate
    from tests.factories import World

    path = key_file("gm")
    world = World(tmp_path)
    req = world.register(people=[ZHANG])
    before = bytes(Candidate.objects.get(request=req).name_index)
    old = rotate().old_key
    assert bytes(Candidate.objects.get(request=req).name_index) != before  # under the new key
    raw = json.loads(path.read_text())
    raw["keys"] = [k for k in raw["keys"] if k["id"] != old]
    path.write_text(json.dumps(raw))
    keys.reload()
    assert people.search(world.handler, "张三") == ("name", [req])
    assert people.search(world.handler, ZHANG[1]) == ("id_number", [req])


@pytest.mark.django_db
def test_a_search_in_a_url_searches_nothing(client, world):
    world.register(people=[ZHANG])
    signed_in(client, world.handler.user)
    page = client.get("/requests/search/", {"term": ZHANG[1]}).content.decode()
    assert 'method="post"' in page and "找到" not in page
    assert not AuditEvent.objects.filter(action="request.search_person").exists()


@pytest.mark.django_db
def test_an_id_number_in_the_letter_search_box_is_sent_to_the_person_search(client, world):
    req = world.register(people=[ZHANG])
    signed_in(client, world.handler.user)
    page = client.get("/requests/").content.decode()
    assert 'pattern="' in page  # the browser refuses to put 15 digits in the address
    for typed in (ZHANG[1], ZHANG[1].translate(FULL_WIDTH), f"{ZHANG[1][:6]} {ZHANG[1][6:]}"):
        answer = client.get("/requests/", {"q": typed}, follow=True)
        assert answer.redirect_chain == [("/requests/search/", 302)]
        text = answer.content.decode()
        assert "来文文号检索框不查找人选" in text and ZHANG[1] not in text
    # The 台账 export behind the same filters searches nothing with it either.
    sheet = client.get("/requests/register.xlsx", {"q": ZHANG[1]})
    assert sheet.status_code == 200
    # A 文号 with digits is still searched.
    found = client.get("/requests/", {"q": req.letter_number}).content.decode()
    assert f"/requests/{req.pk}/" in found
    refused = api(world.handler).get("/api/v1/requests/", {"q": ZHANG[1]})
    assert refused.status_code == 400 and "不接受公民身份号码" in refused.content.decode()
    assert ZHANG[1] not in refused.content.decode()


# --- pasted from Excel ----------------------------------------------------------------------


def test_pasted_rows_with_a_header_and_a_serial_column():
    pasted = (f"序号\t姓名\t公民身份号码\t拟任职位\n1\t张三\t{ZHANG[1]}\t科员\n"
              f"2\t李四\t{LI[1].translate(FULL_WIDTH)} \t一级科员\n")  # fmt: skip
    rows, problems = read_pasted(pasted)
    assert problems == []
    assert [(r.row, r.name, r.id_number.strip(), r.position) for r in rows] == [
        (2, "张三", ZHANG[1], "科员"),
        (3, "李四", LI[1].translate(FULL_WIDTH), "一级科员"),
    ]


@pytest.mark.parametrize("pasted, expected", [
    # no header, a leading 序号: the ID column is found by its content
    (f"1\t张三\t{ZHANG[1]}\t科员\n2\t李四\t{LI[1]}\t科员",
     [("张三", ZHANG[1], "科员"), ("李四", LI[1], "科员")]),
    # the ID number first
    (f"{ZHANG[1]}\t张三\t科员", [("张三", ZHANG[1], "科员")]),
    # the header an agency's own sheet has
    (f"姓名\t身份证号\t职位\n张三\t{ZHANG[1]}\t科员", [("张三", ZHANG[1], "科员")]),
    # typed by hand, full-width commas
    (f"张三，{ZHANG[1]}，科员", [("张三", ZHANG[1], "科员")]),
])  # fmt: skip
def test_pasted_rows_are_read_by_their_header_or_content(pasted, expected):
    rows, problems = read_pasted(pasted)
    assert problems == [] and [(r.name, r.id_number, r.position) for r in rows] == expected


def test_an_uploaded_sheet_without_a_header_row_is_read_by_its_content(tmp_path):
    book = Workbook()
    book.active.append([1, "李四", LI[1], "科员"])
    book.active.append([2, "张三", ZHANG[1], "科员"])
    book.save(tmp_path / "人选.xlsx")
    rows, problems = read_candidates(tmp_path / "人选.xlsx")
    assert problems == []
    assert [(r.row, r.name, r.id_number) for r in rows] == [
        (1, "李四", LI[1]),
        (2, "张三", ZHANG[1]),
    ]


@pytest.mark.django_db
def test_a_header_row_is_never_reported_as_a_bad_id_number(client, world):
    signed_in(client, world.handler.user)
    pasted = f"序号\t姓名\t公民身份号码\t职位\n1\t张三\t{ZHANG[1]}\t科员\n2\t李四\t{LI[1]}\t科员"
    page = client.post("/requests/new/", form(world, candidates=pasted), follow=True)
    assert "问题" not in page.content.decode()
    req = InquiryRequest.objects.get()
    assert [services.candidate_identity(c) for c in req.candidates.order_by("row")] == [ZHANG, LI]


# --- 收文日期 -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_receipt_date_defaults_to_today_and_implausible_ones_are_refused(client, world):
    signed_in(client, world.handler.user)
    page = client.get("/requests/new/").content.decode()
    assert f'value="{TODAY().isoformat()}"' in page
    for day, said in ((TODAY() + dt.timedelta(days=1), "收文日期不能晚于今天"),
                      (TODAY() - dt.timedelta(days=400), "早于一年前，请核对")):  # fmt: skip
        page = client.post("/requests/new/", form(world, received_on=day.isoformat()))
        text = page.content.decode()
        assert said in text
        beside = text[text.index('id="收文日期"') : text.index('name="received_on"')]
        assert said in beside  # beside the field, not only in the summary
        answer = api(world.handler).post("/api/v1/requests/", {
            "agency": world.agency.pk, "letter_number": "京组函〔2026〕5号",
            "received_on": day.isoformat(), "kind": "recruitment",
            "candidates": [{"name": "张三", "id_number": ZHANG[1]}]}, format="json")  # fmt: skip
        assert answer.status_code == 400
        assert said in str(answer.json())
    assert InquiryRequest.objects.count() == 0


# --- the Excel template --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_excel_template_checks_every_row_it_accepts(client, world, settings):
    settings.GONGXIN_CANDIDATES_MAX = 300
    signed_in(client, world.handler.user)
    response = client.get(f"/templates/request.xlsx?agency={world.agency.pk}&kind=transfer")
    sheet = load_workbook(io.BytesIO(response.content))["人选名单"]
    checks = {str(c.sqref): c for c in sheet.data_validations.dataValidation}
    assert set(checks) == {"A2:A301", "B2:B301", "C2:C301"}  # one request's worth of rows
    name, number, position = checks["A2:A301"], checks["B2:B301"], checks["C2:C301"]
    assert (name.type, name.operator, name.formula1, name.formula2) == (
        "textLength", "between", "1", "100")  # fmt: skip
    assert number.type == "custom" and "LEN(B2)=18" in number.formula1
    assert "COUNTIF($B$2:$B$301,B2)=1" in number.formula1  # a repeated number is refused
    assert (position.type, position.operator, position.formula1) == (
        "textLength", "lessThanOrEqual", "100")  # fmt: skip
    assert all(c.showErrorMessage and c.error for c in checks.values())
    assert sheet["B301"].number_format == "@"
