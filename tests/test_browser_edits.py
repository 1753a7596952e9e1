"""A real browser: the handler finds a typo in a candidate's ID number before screening, fixes it
on the 修改人选 page (a wrong number first: the error sits beside the field and nothing is
saved), and the screening then finds the person the letter meant. Screenshots are saved in
test-artifacts/ (edits-*.png) for a person to look at, at desk and at phone width."""

import os
from pathlib import Path

import pytest

from gongxin.core import clock, idnumber
from gongxin.inquiry.models import Candidate, CandidateRevision
from tests.factories import LI, ZHANG, World, make_id
from tests.test_browser import ARTIFACTS, CHROMIUM, enrolled_context, sign_in
from tests.test_browser import browser as browser  # the module's fixture

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),
]
TYPO_ID = make_id("110105", "19491231", 3)  # one digit off ZHANG's, still a valid number


def test_a_handler_fixes_a_typo_in_an_id_number_before_screening(live_server, browser, tmp_path):
    world = World(tmp_path)
    today = clock.today()
    req = world.register(people=[("张三", TYPO_ID), LI], received_on=today, today=today)
    ARTIFACTS.mkdir(exist_ok=True)
    page = enrolled_context(browser, live_server, world.bj).new_page()
    sign_in(page, live_server, world.handler)
    page.get_by_role("heading", name="工作台").wait_for()

    def shot(name):
        page.screenshot(path=str(ARTIFACTS / f"edits-{name}.png"), full_page=True)

    page.goto(f"{live_server.url}/requests/{req.pk}/")
    page.get_by_role("link", name="修改人选").click()
    page.get_by_role("heading", name="修改人选").wait_for()
    assert idnumber.mask(TYPO_ID) in page.content() and TYPO_ID not in page.content()
    row = Candidate.objects.get(request=req, row=1)
    # A wrong number first: refused beside its field, the summary takes the focus.
    page.get_by_label("第1号人选新公民身份号码").fill(ZHANG[1][:-1] + "1")
    page.get_by_role("button", name="保存修改").click()
    summary = page.locator("#edit-problems")
    summary.wait_for()
    assert "修改原因" in summary.inner_text() and "公民身份号码" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "edit-problems"
    shot("1-refused")
    assert not CandidateRevision.objects.exists()
    # The right number and a reason: saved, and the page says what changed.
    page.get_by_label("第1号人选新公民身份号码").fill(ZHANG[1])
    page.get_by_label("修改原因").fill("来文人选身份证号码录入错误")
    shot("2-corrected")
    page.get_by_role("button", name="保存修改").click()
    page.get_by_text("已保存 1 处人选修改").wait_for()
    changed = f"第1行：公民身份号码由「{idnumber.mask(TYPO_ID)}」改为「{idnumber.mask(ZHANG[1])}」"
    assert changed in page.content()
    row.refresh_from_db()
    page.get_by_role("button", name="查询比对").click()
    page.get_by_text("已完成查询比对").wait_for()
    assert "北京市朝阳区人民法院" in page.content()  # ZHANG's list entry: the person is found
    shot("3-screened")
    # At phone width the edit page still fits: the table scrolls inside its own box.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/requests/{req.pk}/candidates/")
    page.get_by_role("heading", name="修改人选").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("4-phone")
