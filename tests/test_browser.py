"""A real browser: four people take one request with a match from registration to issued;
a sign-in locked after five wrong passwords.

Playwright drives Debian's Chromium (installed by `make test`); screenshots of each step are
saved in test-artifacts/ for a person to look at.
"""

import os
from pathlib import Path

import pytest

from gongxin.core import clock
from gongxin.inquiry.models import InquiryRequest
from tests.factories import LI, ZHANG, World

# Playwright's sync API runs an event loop in this thread; the ORM calls made here between
# browser steps are ordinary synchronous test code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    # The live server reads committed data.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield instance
        instance.close()


def test_four_people_take_a_request_from_registration_to_issued(live_server, browser, tmp_path):
    world = World(tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    blocked: list[str] = []  # what the browser refused under the Content-Security-Policy

    def as_user(staff):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(staff.user.username)
        page.get_by_label("密码").fill("x" * 16)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("heading", name="工作台").wait_for()
        # The page's own style block runs under the Content-Security-Policy (its nonce).
        assert page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor") == (
            "rgb(29, 29, 27)")  # fmt: skip
        return page

    def shot(page, name):
        page.screenshot(path=str(ARTIFACTS / f"workflow-{name}.png"), full_page=True)

    # 1. The handler registers the letter; the system draws the handler.
    page = as_user(world.handler)
    page.get_by_role("link", name="登记来文").click()
    page.get_by_label("发起查询单位").select_option(label="北京市委组织部")
    page.get_by_label("来文文号").fill("京组函〔2026〕15号")
    page.get_by_label("收文日期").fill(clock.today().isoformat())
    page.get_by_label("类别").select_option(label="录用")
    page.get_by_label("人选（每行一人：姓名,公民身份号码,拟任职位）").fill(
        f"张三,{ZHANG[1]},科员\n李四,{LI[1]},一级科员"
    )
    shot(page, "1-register-form")
    page.get_by_role("button", name="登记").click()
    page.get_by_text("已登记，随机抽取的经办人为 handler").wait_for()
    req = InquiryRequest.objects.get()
    assert "110105********002X" in page.content() and ZHANG[1] not in page.content()
    # 2. Screening and submission to review.
    page.get_by_role("button", name="查询比对").click()
    page.get_by_text("已完成查询比对").wait_for()
    assert "北京市朝阳区人民法院" in page.content()
    shot(page, "2-screened")
    page.get_by_role("button", name="提交（有匹配的送复核）").click()
    page.get_by_text("已提交").wait_for()
    # 3. Two reviewers, neither of them the handler, confirm.
    for n, reviewer in enumerate((world.reviewer_a, world.reviewer_b), start=1):
        page = as_user(reviewer)
        page.get_by_role("link", name="京组函〔2026〕15号").first.click()
        page.get_by_label("确认列入").check()
        page.get_by_label("理由").fill("姓名、公民身份号码与名单记录一致")
        shot(page, f"3-review-{n}")
        page.get_by_role("button", name="提交复核意见").click()
        page.get_by_text("已记录对第1号人选的复核意见").wait_for()
    # 4. The signer signs; the result is fixed.
    page = as_user(world.signer)
    page.get_by_role("link", name="京组函〔2026〕15号").first.click()
    page.get_by_role("button", name="签发").click()
    page.get_by_text("已签发，结果已固定").wait_for()
    page.get_by_role("link", name="查看查询结果（复函内容）").click()
    result = page.content()
    assert "被依法列为失信联合惩戒对象" in result and "未发现被依法列为失信联合惩戒对象" in result
    assert "北京市朝阳区人民法院" not in result
    shot(page, "4-result")
    # 5. The handler issues it.
    page = as_user(world.handler)
    page.goto(f"{live_server.url}/requests/{req.pk}/")
    page.get_by_role("button", name="反馈（已发出复函）").click()
    page.get_by_text("已反馈").first.wait_for()
    shot(page, "5-issued")
    req.refresh_from_db()
    assert (req.state, req.handler.user.username) == ("issued", "handler")
    assert blocked == []


def test_five_wrong_passwords_show_the_lockout_page_and_the_right_one_is_refused(
    live_server, browser, tmp_path
):
    from tests.factories import make_staff, make_unit

    make_staff(make_unit(), "handler", "handler")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def try_password(password):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill("handler")
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()

    for n in range(4):
        try_password(f"wrong-{n}")
        page.get_by_text("用户名或密码不正确").wait_for()
    try_password("wrong-4")
    page.get_by_role("heading", name="账号已锁定").wait_for()
    assert "锁定 30 分钟" in page.content()
    try_password("x" * 16)  # the right password
    page.get_by_role("heading", name="账号已锁定").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "signin-locked.png"), full_page=True)
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login/")  # still not signed in
    context.close()
