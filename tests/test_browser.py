"""A real browser: four people take one request with a match from registration to issued;
a sign-in locked after five wrong passwords; a security administrator opens an account and the
new handler enrols the second factor on a newly registered workstation and registers a request.
Every sign-in goes the real way: the browser enrolled as a workstation (专机) with a one-time
code, then username, password and the TOTP code.

Playwright drives Debian's Chromium (installed by `make test`); screenshots of each step are
saved in test-artifacts/ for a person to look at.
"""

import base64
import itertools
import os
from pathlib import Path

import pytest
from django_otp.oath import TOTP

from gongxin.accounts import workstations
from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.inquiry.models import InquiryRequest
from tests.factories import LI, ZHANG, World, code_for, make_staff, make_unit

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


_browsers = itertools.count(1)


def enrolled_context(browser, live_server, unit):
    """A new browser profile, registered as a workstation of ``unit`` the way staff do it: the
    security administrator's one-time code typed at /workstation/enrol/ (here the code is made
    by the service, as the 专机管理 page would)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    _ws, code = workstations.register("test", unit, f"测试浏览器{next(_browsers)}")
    page = context.new_page()
    page.goto(f"{live_server.url}/workstation/enrol/")
    page.get_by_label("登记码").fill(code)
    page.get_by_role("button", name="登记本机").click()
    page.get_by_role("heading", name="本机已登记为专用终端").wait_for()
    page.close()
    return context


def sign_in(page, live_server, staff, password="x" * 16, code=None):
    """The sign-in page: username, password and the code of the person's authenticator (their
    TOTP device, enrolled for them if not yet; ``code=""`` types none)."""
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(staff.user.username)
    page.get_by_label("密码").fill(password)
    page.get_by_label("动态验证码").fill(code_for(staff) if code is None else code)
    page.get_by_role("button", name="登录").click()


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
        page = enrolled_context(browser, live_server, world.bj).new_page()
        page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
        sign_in(page, live_server, staff)
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
    page.get_by_label("我已阅读复函草稿，确认签发").check()
    page.get_by_role("button", name="签发", exact=True).click()
    page.get_by_text("已签发，结果已固定").wait_for()
    page.get_by_role("link", name="查看查询结果（复函内容）").click()
    result = page.content()
    assert "被依法列为失信联合惩戒对象" in result and "未发现被依法列为失信联合惩戒对象" in result
    assert "北京市朝阳区人民法院" not in result
    shot(page, "4-result")
    # 5. The handler issues it.
    page = as_user(world.handler)
    page.goto(f"{live_server.url}/requests/{req.pk}/")
    page.get_by_label("机要交换").check()
    page.get_by_role("button", name="反馈（已发出复函）").click()
    page.get_by_text("已反馈").first.wait_for()
    shot(page, "5-issued")
    req.refresh_from_db()
    assert (req.state, req.handler.user.username) == ("issued", "handler")
    assert blocked == []


def test_five_wrong_passwords_show_the_lockout_page_and_the_right_one_is_refused(
    live_server, browser, tmp_path
):
    unit = make_unit()
    handler = make_staff(unit, "handler", "handler")
    context = enrolled_context(browser, live_server, unit)
    page = context.new_page()

    for n in range(4):
        sign_in(page, live_server, handler, f"wrong-{n}")
        page.get_by_text("用户名、密码或动态验证码不正确").wait_for()
    sign_in(page, live_server, handler, "wrong-4")
    page.get_by_role("heading", name="账号已锁定").wait_for()
    assert "锁定 30 分钟" in page.content()
    sign_in(page, live_server, handler)  # the right password and code
    page.get_by_role("heading", name="账号已锁定").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "signin-locked.png"), full_page=True)
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login/")  # still not signed in
    context.close()


def test_a_secadmin_opens_an_account_and_the_new_handler_enrols_totp_on_a_new_workstation(
    live_server, browser, tmp_path
):
    world = World(tmp_path)
    secadmin = make_staff(world.bj, "secadmin", "secadmin")
    ARTIFACTS.mkdir(exist_ok=True)
    blocked: list[str] = []

    def watched(page):
        page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
        return page

    def shot(page, name):
        page.screenshot(path=str(ARTIFACTS / f"account-{name}.png"), full_page=True)

    # 1. The security administrator, on a registered workstation, opens the account.
    admin = watched(enrolled_context(browser, live_server, world.bj).new_page())
    sign_in(admin, live_server, secadmin)
    menu = admin.get_by_role("navigation", name="主菜单")
    menu.get_by_role("link", name="人员管理").click()
    admin.get_by_role("link", name="开设账号").click()
    admin.get_by_label("用户名").fill("newhandler")
    admin.get_by_label("姓名").fill("赵六")
    admin.get_by_label("本岗位任职起始日期").fill("2026-01-05")
    admin.get_by_label("业务培训合格日期").fill("2026-02-01")
    admin.get_by_label("经办人").check()
    admin.get_by_label("初始密码", exact=True).fill("Gongxin-Test-2026!")
    admin.get_by_label("再次输入初始密码").fill("Gongxin-Test-2026!")
    admin.get_by_role("button", name="开设账号").click()
    admin.get_by_text("已开设赵六的账号").wait_for()
    shot(admin, "1-opened")
    # 2. ... and registers the handler's workstation: a one-time code, shown once.
    menu.get_by_role("link", name="专机管理").click()
    admin.get_by_role("link", name="登记专用终端").click()
    admin.get_by_label("名称").fill("经办二号机")
    admin.get_by_role("button", name="登记").click()
    code = admin.locator("#enrolment-code").inner_text()
    shot(admin, "2-workstation-code")
    # 3. At that workstation the code registers the browser.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/login/")
    assert "本机不能登录" in page.content()  # not a workstation yet
    page.goto(f"{live_server.url}/workstation/enrol/")
    page.get_by_label("登记码").fill(code)
    page.get_by_role("button", name="登记本机").click()
    page.get_by_role("heading", name="本机已登记为专用终端").wait_for()
    cookie = next(c for c in context.cookies() if c["name"] == workstations.COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    # 4. The handler signs in with the password; the first sign-in enrols the second factor.
    page.get_by_role("link", name="登录").click()
    page.get_by_label("用户名").fill("newhandler")
    page.get_by_label("密码").fill("Gongxin-Test-2026!")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="绑定动态验证码").wait_for()
    assert page.locator('img[alt="动态验证码密钥的二维码"]').evaluate("i => i.naturalWidth") > 0
    shot(page, "3-enrol-totp")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    authenticator = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    page.get_by_label("动态验证码").fill(f"{authenticator.token():06d}")
    page.get_by_role("button", name="确认绑定").click()
    # 5. The password the administrator chose is changed before anything else.
    page.get_by_text("您的密码是安全管理员设置的").wait_for()
    shot(page, "4-own-password")
    page.get_by_label("当前密码").fill("Gongxin-Test-2026!")
    page.get_by_label("新密码", exact=True).fill("Zhao-Liu-own-2026")
    page.get_by_label("再次输入新密码").fill("Zhao-Liu-own-2026")
    page.get_by_role("button", name="修改密码").click()
    page.get_by_role("heading", name="工作台").wait_for()
    # 6. ... and registers a request.
    page.get_by_role("link", name="登记来文").click()
    page.get_by_label("发起查询单位").select_option(label="北京市委组织部")
    page.get_by_label("来文文号").fill("京组函〔2026〕21号")
    page.get_by_label("收文日期").fill(clock.today().isoformat())
    page.get_by_label("类别").select_option(label="调任")
    page.get_by_label("人选（每行一人：姓名,公民身份号码,拟任职位）").fill(f"李四,{LI[1]},科员")
    page.get_by_role("button", name="登记").click()
    page.get_by_text("已登记，随机抽取的经办人为").wait_for()
    shot(page, "5-registered")
    registered = AuditEvent.objects.get(action="request.register")
    assert registered.actor == "newhandler" and registered.workstation.endswith(" 经办二号机")
    enrolled = AuditEvent.objects.get(action="auth.otp_enrol", outcome="ok")
    assert enrolled.workstation == registered.workstation
    assert blocked == []
    context.close()
