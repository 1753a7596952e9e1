"""A real browser, at phone width (390 px) and on a desktop: the skip link takes the keyboard
to the page's content; a bad registration moves focus to the error summary, with each error
also beside its field; the supervisor's 工作台 shows a request stuck at 待分派 with why, and the
supervisor appoints its handler by hand with a reason. Screenshots in test-artifacts/queues-*.
"""

import os
from pathlib import Path

import pytest

from gongxin.accounts.models import Recusal
from gongxin.core import clock
from gongxin.inquiry.models import InquiryRequest
from tests.factories import ZHANG, World, make_staff, set_trained
from tests.test_browser import ARTIFACTS, CHROMIUM, browser, enrolled_context, sign_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),
]
__all__ = ["browser"]  # the module-scoped fixture, shared with test_browser.py

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"queues-{name}.png"), full_page=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_skip_link_error_focus_and_appointing_a_stuck_request(live_server, browser, tmp_path,
                                                              size):  # fmt: skip
    world = World(tmp_path)
    today = clock.today()
    # The unit's only handler is recused for the agency: registration draws nobody.
    Recusal.objects.create(staff=world.handler, agency=world.agency, reason="近亲属在该单位任职",
                           starts_on=today)  # fmt: skip
    spare = make_staff(world.bj, "handler2", "handler", trained=False)
    spare.full_name = "赵经办"
    spare.save()
    req = world.register(people=[ZHANG], received_on=today, today=today)
    assert req.handler_id is None
    context = enrolled_context(browser, live_server, world.bj)
    page = context.new_page()
    page.set_viewport_size(SIZES[size])

    # The handler: the skip link is the first thing the keyboard reaches, and goes to <main>.
    sign_in(page, live_server, world.handler)
    page.get_by_role("heading", name="工作台").wait_for()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"
    shot(page, f"{size}-skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # The current page is marked in the menu, on a subpage too.
    page.goto(f"{live_server.url}/requests/new/")
    current = page.locator("nav a[aria-current=page]")
    assert current.inner_text() == "登记来文"

    # A bad registration: focus lands on the summary; each error is beside its field too.
    page.get_by_label("来文文号").fill("京组函〔2026〕")
    page.get_by_role("button", name="登记").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator(".field-error").count() >= 1
    shot(page, f"{size}-error-summary")
    if size == "phone":  # nothing wider than the screen but the tables' own scroll
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES["phone"]["width"]
    page.get_by_role("button", name="退出").click()

    # The supervisor: the stuck request, and why (each handler's reason).
    sign_in(page, live_server, world.supervisor)
    page.get_by_role("heading", name="工作台").wait_for()
    stuck = page.locator("#stuck")
    assert req.letter_number in stuck.inner_text()
    text = stuck.inner_text()
    assert "handler：已登记回避该发起查询单位" in text
    assert "赵经办：未取得业务培训合格记录" in text
    shot(page, f"{size}-supervisor-stuck")
    set_trained(spare, True)  # trained since: now someone may be appointed (or drawn)
    page.goto(f"{live_server.url}/requests/")
    shot(page, f"{size}-list")
    if size == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES["phone"]["width"]
        assert page.locator(".table-scroll").first.evaluate("e => e.scrollWidth > e.clientWidth")
    page.get_by_role("link", name=req.letter_number).click()
    assert page.locator("nav a[aria-current=page]").inner_text() == "查询需求"
    page.get_by_label("经办人", exact=True).select_option(label="赵经办")
    page.get_by_label("指派理由").fill("唯一经办人回避，指派新到岗人员")
    shot(page, f"{size}-appoint")
    page.get_by_role("button", name="指派").click()
    page.get_by_text("已指派赵经办为经办人").wait_for()
    assert "指派赵经办为经办人，理由：唯一经办人回避，指派新到岗人员" in page.content()
    shot(page, f"{size}-appointed")
    req = InquiryRequest.objects.get(pk=req.pk)
    assert (req.state, req.handler_id) == ("assigned", spare.pk)
    context.close()
