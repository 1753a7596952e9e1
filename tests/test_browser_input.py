"""A real browser at the registration desk (issue 9): a clerk pastes three rows with their header
straight from Excel, registers, is warned on a second registration that a person is already in
an open request, has an implausible date refused beside the field, and finds the request by a
candidate's name and by an ID number — which never appears in any URL the browser asked for.
Screenshots are saved in test-artifacts/ (browser-input-*.png)."""

from pathlib import Path

import pytest

from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.services import candidate_identity
from tests.factories import LI, WANG, ZHANG, World, make_id
from tests.test_browser import ARTIFACTS, CHROMIUM, browser, enrolled_context, sign_in  # noqa: F401

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs chromium"),
    pytest.mark.django_db(transaction=True),
]
CANDIDATES = "人选（每行一人：姓名,公民身份号码,拟任职位）"


def test_paste_from_excel_warning_and_search(live_server, browser, tmp_path):  # noqa: F811
    world = World(tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    asked: list[str] = []
    page = enrolled_context(browser, live_server, world.bj).new_page()
    page.on("request", lambda r: asked.append(r.url))
    sign_in(page, live_server, world.handler)
    page.get_by_role("heading", name="工作台").wait_for()

    def shot(name):
        page.screenshot(path=str(ARTIFACTS / f"browser-input-{name}.png"), full_page=True)

    def register(number, rows):
        page.get_by_role("link", name="登记来文").click()
        page.get_by_label("发起查询单位").select_option(label="北京市委组织部")
        page.get_by_label("来文文号").fill(number)
        assert page.get_by_label("收文日期").input_value() == clock.today().isoformat()
        page.get_by_label("类别").select_option(label="调任")
        page.get_by_label(CANDIDATES).fill(rows)

    # 1. Three rows copied from an Excel sheet: a header, a 序号 column, tabs between cells.
    register(
        "京组函〔2026〕15号",
        "序号\t姓名\t公民身份号码\t拟任职位\n"
        f"1\t张三\t{ZHANG[1]}\t科员\n2\t李四\t{LI[1]}\t一级科员\n3\t王五\t{WANG[1]}\t科员\n",
    )
    shot("1-pasted")
    page.get_by_role("button", name="登记").click()
    page.get_by_text("已登记，随机抽取的经办人为 handler").wait_for()
    first = InquiryRequest.objects.get()
    assert [candidate_identity(c) for c in first.candidates.order_by("row")] == [ZHANG, LI, WANG]
    # 2. A second letter names 张三 again: registered, with a warning naming the first.
    register("京组函〔2026〕16号", f"赵六\t{make_id()}\t科员\n张三\t{ZHANG[1]}\t科员")
    page.get_by_role("button", name="登记").click()
    page.locator(".messages .warning").get_by_text(
        "第2行人选已在本单位另一件办理中的查询（京组函〔2026〕15号）中").wait_for()  # fmt: skip
    assert page.locator("#elsewhere").is_visible()
    shot("2-same-person-warning")
    # 3. A receipt date in the future is refused beside the field; nothing is stored.
    register("京组函〔2026〕17号", f"李四\t{LI[1]}\t科员")
    page.get_by_label("收文日期").fill("2099-01-01")
    page.get_by_role("button", name="登记").click()
    page.locator(".field-error .field-message").get_by_text("收文日期不能晚于今天").wait_for()
    shot("3-future-date")
    assert InquiryRequest.objects.count() == 2
    # 4. The clerk finds the request by a candidate's name, then by an ID number.
    page.get_by_role("link", name="查询需求").first.click()
    page.get_by_role("link", name="按人选姓名或公民身份号码查找").click()
    page.get_by_label("人选姓名或公民身份号码").fill("李四")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("heading", name="按姓名「李四」找到 1 件").wait_for()
    page.get_by_role("link", name="京组函〔2026〕15号").wait_for()
    shot("4-found-by-name")
    page.get_by_label("人选姓名或公民身份号码").fill(ZHANG[1])
    page.get_by_role("button", name="查找").click()
    page.get_by_role("heading", name="按公民身份号码 110105********002X 找到 2 件").wait_for()
    page.set_viewport_size({"width": 390, "height": 844})
    shot("5-found-by-id-phone")
    page.get_by_role("link", name="京组函〔2026〕15号").click()
    page.get_by_role("heading", name="北京市委组织部 京组函〔2026〕15号").wait_for()
    # Privacy: no ID number or name in any URL asked for, nor in the trail's details.
    people = [ZHANG[1], LI[1], WANG[1], "张三", "李四", "%E6%9D%8E%E5%9B%9B"]
    assert not [u for u in asked for p in people if p in u]
    details = " ".join(str(e.detail) for e in AuditEvent.objects.all())
    assert not [p for p in people if p in details]
