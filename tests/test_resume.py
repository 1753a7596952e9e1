"""Sign-in expiry loses nothing (issue 8): a form posted after the session ended leads to the
sign-in page, then back to the page it came from with what was typed; never a 405 or Django's
CSRF page. Every error page is Chinese, inside the frame."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from gongxin.core import clock
from gongxin.inquiry.models import InquiryRequest
from tests import factories
from tests.factories import LI, ZHANG, make_staff, signed_in

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.ZONE)
IDLE = START + dt.timedelta(minutes=31)
PASSWORD = "x" * 16  # the factories' password
SITE = "http://testserver"


def signed_in_at(staff, when=START) -> Client:
    client = Client()
    signed_in(client, staff.user)
    with clock.pinned(when):
        assert client.get("/").status_code == 200
    return client


def sign_in(client, username, next_page):
    """Through the sign-in page (workstation, password, TOTP code), returning to ``next_page``."""
    return factories.sign_in(client, username, next=next_page)


def registration(world) -> dict:
    return {"agency": str(world.agency.pk), "letter_number": "京组函〔2026〕88号",
            "received_on": "2026-03-02", "kind": "recruitment",
            "candidates_text": f"{ZHANG[0]},{ZHANG[1]},科员\n{LI[0]},{LI[1]},科员"}  # fmt: skip


def test_a_registration_typed_as_the_session_ended_is_there_after_signing_in(world):
    client = signed_in_at(world.handler)
    with clock.pinned(IDLE):
        sent = client.post(
            "/requests/new/", registration(world), HTTP_REFERER=f"{SITE}/requests/new/"
        )
        assert sent.status_code == 302 and sent["Location"] == "/login/?next=/requests/new/"
        login = client.get(sent["Location"]).content.decode()
        assert "登录已超时或已失效，请重新登录，登录后将回到原页面" in login
        assert 'name="next" value="/requests/new/"' in login
        # What was typed is kept encrypted: no ID number in the session table.
        assert not any(ZHANG[1] in str(s.get_decoded()) or ZHANG[1].encode() in s.session_data
                       .encode() for s in Session.objects.all())  # fmt: skip
        back = sign_in(client, "handler", "/requests/new/")
        assert back.status_code == 302 and back["Location"] == "/requests/new/"
        page = client.get("/requests/new/").content.decode()
    assert "已恢复您登录前填写的内容" in page
    assert 'value="京组函〔2026〕88号"' in page and f"{ZHANG[0]},{ZHANG[1]},科员" in page
    assert f'<option value="{world.agency.pk}" selected>' in page
    assert not InquiryRequest.objects.filter(letter_number="京组函〔2026〕88号").exists()
    # Once: the page opened again is empty.
    with clock.pinned(IDLE):
        assert ZHANG[1] not in client.get("/requests/new/").content.decode()


def test_a_reason_typed_on_a_request_page_comes_back_there(world):
    req = world.register(people=[ZHANG])
    client = signed_in_at(world.handler)
    with clock.pinned(IDLE):
        sent = client.post(f"/requests/{req.pk}/return/", {"reason": "来文缺少附件"},
                           HTTP_REFERER=f"{SITE}/requests/{req.pk}/")  # fmt: skip
        assert sent["Location"] == f"/login/?next=/requests/{req.pk}/"
        assert (
            sign_in(client, "handler", f"/requests/{req.pk}/")["Location"] == f"/requests/{req.pk}/"
        )
        page = client.get(f"/requests/{req.pk}/").content.decode()
    assert 'id="return_reason" name="reason" maxlength="300" required value="来文缺少附件"' in page
    assert (
        'id="correct_reason"' not in page
        or "来文缺少附件" not in page.split("correct_reason")[1][:80]
    )
    assert InquiryRequest.objects.get(pk=req.pk).state == "assigned"  # nothing was done


def test_signing_out_after_the_session_ended_is_not_a_405(world):
    client = signed_in_at(world.handler)
    with clock.pinned(IDLE):
        sent = client.post("/logout/", HTTP_REFERER=f"{SITE}/requests/")
        assert sent.status_code == 302 and sent["Location"] == "/login/?next=/requests/"
        assert client.post("/logout/")["Location"] == "/login/?next=/"  # no page: the dashboard
        back = sign_in(client, "handler", "/")
        assert client.get(back["Location"]).status_code == 200


def test_what_one_person_typed_is_not_shown_to_another(world):
    client = signed_in_at(world.handler)
    make_staff(world.bj, "handler2", "handler")
    with clock.pinned(IDLE):
        client.post("/requests/new/", registration(world), HTTP_REFERER=f"{SITE}/requests/new/")
        sign_in(client, "handler2", "/requests/new/")
        page = client.get("/requests/new/").content.decode()
    assert ZHANG[1] not in page and "已恢复" not in page


def test_what_was_typed_is_kept_only_a_few_minutes(world):
    client = signed_in_at(world.handler)
    with clock.pinned(IDLE):
        client.post("/requests/new/", registration(world), HTTP_REFERER=f"{SITE}/requests/new/")
    with clock.pinned(IDLE + dt.timedelta(minutes=11)):
        sign_in(client, "handler", "/requests/new/")
        assert ZHANG[1] not in client.get("/requests/new/").content.decode()


def test_a_stale_form_after_the_session_ended_leads_to_sign_in_not_a_csrf_page(world):
    """The CSRF token changed meanwhile (a sign-in in another tab, cookies cleared): the form
    posted from this site is kept all the same; a form another site sent is not."""
    strict = Client(enforce_csrf_checks=True)
    sent = strict.post("/requests/new/", registration(world), HTTP_ORIGIN=SITE,
                       HTTP_REFERER=f"{SITE}/requests/new/")  # fmt: skip
    assert sent.status_code == 302 and sent["Location"] == "/login/?next=/requests/new/"
    factories.on_workstation(strict, world.handler.unit)
    login = strict.get(sent["Location"]).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)[1]
    code = factories.code_for(world.handler.user)
    form = {"username": "handler", "password": PASSWORD, "next": "/requests/new/", "otp": code,
            "csrfmiddlewaretoken": token}  # fmt: skip
    back = strict.post("/login/", form)
    assert back["Location"] == "/requests/new/"
    assert 'value="京组函〔2026〕88号"' in strict.get("/requests/new/").content.decode()
    forged = Client(enforce_csrf_checks=True)
    refused = forged.post("/requests/new/", registration(world), HTTP_ORIGIN="http://evil.example")
    assert refused.status_code == 403 and "页面已过期" in refused.content.decode()
    assert "gongxin_resume" not in forged.session.keys()


def _in_frame(page: str) -> bool:
    return '<a class="brand" href="/">公信</a>' in page and '<html lang="zh-CN">' in page


def test_every_error_page_is_chinese_in_the_frame(world, settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    client = Client(raise_request_exception=False)
    signed_in(client, world.handler.user)
    pages = [("/test-forbidden/", 403, "无权访问"), ("/no-such-page/", 404, "页面不存在"),
             ("/test-broken/", 500, "系统错误")]  # fmt: skip
    for url, status, said in pages:
        answer = client.get(url)
        page = answer.content.decode()
        assert answer.status_code == status and said in page and _in_frame(page), url
    strict = Client(enforce_csrf_checks=True)
    signed_in(strict, world.handler.user)
    stale = strict.post("/requests/new/", registration(world), HTTP_ORIGIN=SITE)
    page = stale.content.decode()
    assert stale.status_code == 403 and "页面已过期" in page and _in_frame(page)
