"""Any text in any field: every text field of every staff form and every API body gets
arbitrary Unicode — digits of other scripts, control characters, NUL, direction overrides,
zero-width characters, lone surrogates (escaped in JSON), very long strings — and the answer is
success or a 4xx (a problem+json in the API), never a 500.

The fields come from the form and serializer classes themselves, so a field added to one is
fuzzed the day it is added.
"""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from gongxin.api.auth import Credentials
from gongxin.core import clock
from gongxin.inquiry import forms, services
from gongxin.inquiry.api import serializers as api
from gongxin.inquiry.wording import DEFAULTS
from gongxin.platform.forms import CalendarYearForm
from tests.factories import ZHANG, World, make_staff, signed_in

pytestmark = pytest.mark.django_db
SPECIAL = "\x00\x07\x1b\n\r\t\u202e\u2066\u200b\u200d\ufeff\ufffe\uffff\U0010ffff＊Ｘ"
DIGITS = "0123456789Xx０１２３４５６７８９Ｘ٠١٢٣٤٥٦٧٨٩①②𝟏𝟐"
SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)
PRINTABLE = st.characters(codec="utf-8")
TEXT = st.one_of(
    st.text(st.one_of(PRINTABLE, st.sampled_from(SPECIAL)), max_size=60),
    st.text(st.sampled_from(DIGITS), min_size=14, max_size=20),
    st.text(PRINTABLE, min_size=90, max_size=1200),
)
JSON_TEXT = st.one_of(TEXT, st.text(st.one_of(PRINTABLE, SURROGATES), max_size=40))


def today() -> str:
    return clock.today().isoformat()


FUZZ = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@pytest.fixture(scope="function")
def world(tmp_path):
    world = World(tmp_path)
    world.admin = make_staff(world.bj, "sysadmin", "sysadmin")
    world.keeper = make_staff(world.national, "keeper", "sysadmin")  # keeps the calendar
    world.req = world.register(people=[ZHANG])
    # A request in review: the reviewer's form and body reach the review itself.
    world.in_review = world.register(people=[ZHANG])
    services.screen_request(world.handler, world.in_review.pk)
    services.submit(world.handler, world.in_review.pk)
    return world


def form_fields(form_class) -> list[str]:
    return [name for name, field in form_class.base_fields.items()
            if not name.endswith("_file")]  # fmt: skip


def serializer_fields(serializer_class) -> list[str]:
    return list(serializer_class().fields)


PAGE_FORMS = [  # (who, url, form fields, a valid body)
    ("handler", "/requests/new/", form_fields(forms.RegistrationForm), lambda w: {
        "agency": w.agency.pk, "letter_number": "京组函〔2026〕9号", "received_on": today(),
        "kind": "recruitment", "candidates_text": f"张三,{ZHANG[1]}"}),
    ("handler", "/requests/{req}/extend/", form_fields(forms.ExtensionForm), lambda w: {
        "reason": "需延期", "agency_contact": "王科长", "agreed_on": "2026-03-02",
        "method": "电话", "new_deadline": "2026-03-20"}),
    ("handler", "/requests/{req}/return/", ["reason"], lambda w: {"reason": "格式不符"}),
    ("handler", "/requests/{req}/correct/", ["reason"], lambda w: {"reason": "有误"}),
    ("reviewer_a", "/candidates/{candidate}/review/", form_fields(forms.ReviewForm),
     lambda w: {"decision": "confirm", "reason": "一致"}),
    ("admin", "/wording/", list(DEFAULTS), lambda w: {}),
    ("keeper", "/calendar/", form_fields(CalendarYearForm), lambda w: {
        "year": "2027", "holidays": "2027-01-01", "workdays": ""}),
    (None, "/login/", ["username", "password"], lambda w: {"username": "a", "password": "b"}),
]  # fmt: skip
PAGE_CASES = [(who, url, field, valid) for who, url, fields, valid in PAGE_FORMS
              for field in fields]  # fmt: skip
SEARCHES = [("handler", "/requests/", ["q", "state", "sort", "page", "overdue"]),
            (None, "/verify/", ["code"]), ("handler", "/templates/request.docx",
                                           ["agency", "kind"])]  # fmt: skip


def _url(template, world):
    return template.format(req=world.req.pk, candidate=world.in_review.candidates.get().pk)


@pytest.mark.parametrize(("who", "url", "field", "valid"), PAGE_CASES,
                         ids=[f"{u}:{f}" for _, u, f, _ in PAGE_CASES])  # fmt: skip
@FUZZ
@given(text=TEXT)
def test_any_text_in_a_page_form(world, who, url, field, valid, text):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()  # each example a first try: lockout has its own tests
    client = Client()
    if who:
        signed_in(client, getattr(world, who).user)
    answer = client.post(_url(url, world), {**valid(world), field: text})
    assert answer.status_code in (200, 302, 400, 404), (url, field, answer.status_code)


@pytest.mark.parametrize(("who", "url", "fields"), SEARCHES, ids=[u for _, u, _ in SEARCHES])
@FUZZ
@given(values=st.fixed_dictionaries({}, optional={k: TEXT for k in
                                                  ("q", "state", "sort", "page", "overdue",
                                                   "code", "agency", "kind")}))  # fmt: skip
def test_any_text_in_a_query(world, who, url, fields, values):
    client = Client()
    if who:
        signed_in(client, getattr(world, who).user)
    answer = client.get(url, {k: v for k, v in values.items() if k in fields})
    assert answer.status_code in (200, 302, 400, 404), (url, values)


API_BODIES = [  # (who, url, fields, a valid body)
    ("handler", "/api/v1/requests/", serializer_fields(api.RegistrationSerializer), lambda w: {
        "agency": w.agency.pk, "letter_number": "京组函〔2026〕8号", "received_on": today(),
        "kind": "transfer", "candidates": [{"name": "张三", "id_number": ZHANG[1]}]}),
    ("handler", "/api/v1/requests/", [f"candidates.{f}" for f in
                                      serializer_fields(api.CandidateIn)], lambda w: {
        "agency": w.agency.pk, "letter_number": "京组函〔2026〕8号", "received_on": today(),
        "kind": "transfer", "candidates": [{"name": "张三", "id_number": ZHANG[1]}]}),
    ("handler", "/api/v1/requests/{req}/return/", serializer_fields(api.ReasonSerializer),
     lambda w: {"reason": "格式不符"}),
    ("handler", "/api/v1/requests/{req}/correct/", serializer_fields(api.ReasonSerializer),
     lambda w: {"reason": "有误"}),
    ("handler", "/api/v1/requests/{req}/extend/", serializer_fields(api.ExtensionSerializer),
     lambda w: {"reason": "需延期"}),
    ("reviewer_a", "/api/v1/candidates/{candidate}/review/",
     serializer_fields(api.ReviewSerializer), lambda w: {"decision": "confirm", "reason": "x"}),
    (None, "/api/v1/auth/token/", serializer_fields(Credentials),
     lambda w: {"username": "a", "password": "b"}),
]  # fmt: skip
API_CASES = [(who, url, field, valid) for who, url, fields, valid in API_BODIES
             for field in fields]  # fmt: skip
ANY_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), JSON_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(JSON_TEXT, inner, max_size=3)),
    max_leaves=6,
)  # fmt: skip


@pytest.mark.parametrize(("who", "url", "field", "valid"), API_CASES,
                         ids=[f"{u}:{f}" for _, u, f, _ in API_CASES])  # fmt: skip
@FUZZ
@given(value=st.one_of(JSON_TEXT, JSON_TEXT, ANY_JSON))
def test_any_value_in_an_api_body(world, who, url, field, valid, value):
    client = APIClient()
    if who:
        client.force_authenticate(getattr(world, who).user)
    body = valid(world)
    if field.startswith("candidates."):
        body["candidates"] = [{**body["candidates"][0], field.split(".", 1)[1]: value}]
    else:
        body[field] = value
    raw = json.dumps(body, ensure_ascii=True)  # lone surrogates travel as \\udXXX escapes
    answer = client.generic("POST", _url(url, world), raw, content_type="application/json")
    assert answer.status_code < 500, (url, field, answer.status_code)
    if answer.status_code >= 400:
        assert answer["Content-Type"] == "application/problem+json", (url, field)
