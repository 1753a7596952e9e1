"""A real browser: the supervisor adds a risk point already past its review date (it shows on
the 工作台 until reviewed) and an emergency plan with a drill; a handler logs a telephone call,
first with an ID number in it (refused, beside the field) and then without. Screenshots of each
step are saved in test-artifacts/registers-*.png for a person to look at."""

import datetime as dt
import os
from pathlib import Path

import pytest

from gongxin.core import clock
from gongxin.supervision.register_models import Consultation, Drill, EmergencyPlan, RiskPoint
from tests.factories import World, make_id
from tests.test_browser import CHROMIUM, FLAGS, enrolled_context, sign_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield instance
        instance.close()


def menu(page, name):
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name=name).click()


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"registers-{name}.png"), full_page=True)


def test_supervisor_keeps_the_registers_and_a_handler_logs_a_call(live_server, browser, tmp_path):
    world = World(tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    today = clock.today()

    def as_user(staff):
        page = enrolled_context(browser, live_server, world.bj).new_page()
        sign_in(page, live_server, staff)
        page.get_by_role("heading", name="工作台").wait_for()
        return page

    # 1. The supervisor registers a risk point whose review date has passed.
    page = as_user(world.supervisor)
    menu(page, "风险台账")
    page.get_by_role("link", name="登记风险点").click()
    page.get_by_label("风险点", exact=True).fill("名单库版本滞后")
    page.get_by_label("风险描述").fill("失信名单未按时更新，查询依据过期名单。")
    page.get_by_label("责任人").select_option(label="handler")
    page.get_by_label("防范措施").fill("每个工作日核对名单版本。")
    page.get_by_label("复核周期").select_option(label="每月")
    page.get_by_label("下次复核日期").fill((today - dt.timedelta(days=3)).isoformat())
    shot(page, "1-risk-form")
    page.get_by_role("button", name="登记", exact=True).click()
    page.get_by_text("已登记风险点").wait_for()
    assert "复核已逾期" in page.content()
    shot(page, "2-risk-detail")
    menu(page, "工作台")
    alert = page.locator("#registers-overdue")
    assert "名单库版本滞后" in alert.inner_text()
    shot(page, "3-dashboard-overdue")
    # 2. It is reviewed: the 工作台 no longer lists it.
    page.get_by_role("link", name="名单库版本滞后").click()
    page.get_by_role("link", name="登记复核").click()
    page.get_by_label("复核情况").fill("已核对近一月名单版本，均按时更新。")
    page.get_by_role("button", name="登记复核").click()
    page.get_by_text("已登记复核").wait_for()
    menu(page, "工作台")
    assert "没有逾期的风险复核或应急演练" in page.locator("#registers-overdue").inner_text()
    risk = RiskPoint.objects.get()
    assert risk.next_review_on > today and risk.reviews.count() == 1

    # 3. An emergency plan, and its drill.
    menu(page, "应急预案")
    page.get_by_role("link", name="登记应急预案").click()
    page.get_by_label("预案名称").fill("查询系统故障应急预案")
    page.get_by_label("适用情形").select_option(label="系统故障")
    page.get_by_label("责任人").select_option(label="supervisor")
    page.get_by_label("应对措施").fill("报告运维值班；电话告知当日到期的发起查询单位。")
    page.get_by_label("演练周期").select_option(label="每半年")
    page.get_by_label("下次演练日期").fill(today.isoformat())
    page.get_by_role("button", name="登记", exact=True).click()
    page.get_by_text("已登记应急预案").wait_for()
    page.get_by_role("link", name="登记演练").click()
    page.get_by_role("checkbox", name="handler").check()
    page.get_by_role("checkbox", name="signer").check()
    page.get_by_label("演练情况").fill("模拟中断40分钟，按预案处置。")
    page.get_by_label("发现的问题").fill("值班电话表未更新。")
    shot(page, "4-drill-form")
    page.get_by_role("button", name="登记演练").click()
    page.get_by_text("已登记演练").wait_for()
    assert "2人" in page.content() and "值班电话表未更新。" in page.content()
    shot(page, "5-plan-detail")
    plan = EmergencyPlan.objects.get()
    assert Drill.objects.get().plan == plan and plan.next_drill_on > today
    page.context.close()

    # 4. A handler logs a call; an ID number in it is refused beside the field.
    page = as_user(world.handler)
    assert "风险台账" not in page.locator("header").inner_text()
    menu(page, "电话咨询")
    page.get_by_role("link", name="登记电话咨询").click()
    page.get_by_label("来电单位", exact=True).select_option(label="北京市委组织部")
    page.get_by_label("来电人").fill("王科长")
    page.get_by_label("咨询事项").select_option(label="办理进度")
    number = make_id("110105", "19800101", 7)
    page.get_by_label("咨询内容").fill(f"询问{number}的查询进度")
    page.get_by_label("答复内容").fill("已进入复核，预计明日反馈。")
    page.get_by_label("需跟进").check()
    page.get_by_role("button", name="登记", exact=True).click()
    message = page.locator(".field-error .field-message")
    message.first.wait_for()
    assert "不得填写公民身份号码" in message.first.inner_text()
    assert number not in page.content() and not Consultation.objects.exists()
    shot(page, "6-call-refused")
    page.get_by_label("咨询内容").fill("询问京组函〔2026〕15号的查询进度")
    page.get_by_role("button", name="登记", exact=True).click()
    page.get_by_text("已登记电话咨询").wait_for()
    page.get_by_role("link", name="返回电话咨询").click()
    assert "王科长" in page.content() and "待跟进" in page.content()
    shot(page, "7-call-log")
    call = Consultation.objects.get()
    assert (call.caller, call.follow_up, call.recorded_by) == ("王科长", True, world.handler)
