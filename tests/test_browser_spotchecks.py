"""A real browser: a supervisor draws a spot check (抽查抽检) of March, sees the one planted
wrong result as a finding on the spot check and on the 工作台, is refused closing it without an
explanation, then closes it. Screenshots in test-artifacts/spotchecks-*.png."""

import os
from pathlib import Path

import pytest

from gongxin.core import clock
from gongxin.supervision.models import Finding, SpotCheck
from tests.factories import LI, WANG, ZHANG
from tests.test_browser import CHROMIUM, FLAGS, enrolled_context, sign_in
from tests.test_spot_checks import at, build_history

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),  # the live server reads committed data
]


@pytest.fixture
def history(tmp_path):
    """Built before the browser starts: signing a letter runs an event loop of its own, which
    cannot start inside Playwright's. The clock stays pinned (to 2 April) for the test."""
    from tests.factories import ensure_builtin_sources

    ensure_builtin_sources()
    with clock.pinned(at("2026-03-02", 9)):
        yield build_history(tmp_path)


@pytest.fixture
def browser(history):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield instance
        instance.close()


def test_a_supervisor_draws_a_spot_check_sees_the_finding_and_closes_it(
    live_server, history, browser
):
    ARTIFACTS.mkdir(exist_ok=True)
    world, _right, planted, _later = history
    page = enrolled_context(browser, live_server, world.bj).new_page()

    def shot(name):
        page.screenshot(path=str(ARTIFACTS / f"spotchecks-{name}.png"), full_page=True)

    sign_in(page, live_server, world.supervisor)
    page.get_by_role("heading", name="工作台").wait_for()
    page.get_by_role("link", name="抽查抽检").click()
    page.get_by_role("link", name="新建抽查").click()
    # A period ending after today is refused beside its field; nothing is drawn.
    page.get_by_label("反馈日期起").fill("2026-03-01")
    page.get_by_label("反馈日期止").fill("2026-04-30")
    page.get_by_label("抽查比例（%）").fill("100")
    page.get_by_role("button", name="抽取并比对").click()
    page.get_by_text("结束日期不能晚于今天").first.wait_for()
    shot("1-refused")
    assert not SpotCheck.objects.exists()
    page.get_by_label("反馈日期止").fill("2026-03-31")
    page.get_by_role("button", name="抽取并比对").click()
    page.get_by_text("1 件结果不一致，已列为待关闭问题").wait_for()
    content = page.content()
    assert "反馈结果为未列入，重新比对应为列入" in content
    for name, number in (ZHANG, LI, WANG):
        assert name not in content and number not in content
    shot("2-drawn")
    # The finding on the 工作台, above the queues.
    page.get_by_role("link", name="工作台").click()
    panel = page.locator("#spot-findings")
    panel.wait_for()
    assert planted.letter_number in panel.inner_text()
    shot("3-dashboard")
    panel.get_by_role("link", name=planted.letter_number).click()
    page.get_by_role("button", name="关闭问题").click()
    page.get_by_text("请填写处理说明").first.wait_for()
    assert Finding.objects.get().is_open
    shot("4-close-refused")
    page.get_by_label("处理说明").fill("经核查，复函结果在签发后被改动，已报告安全管理员并更正。")
    page.get_by_role("button", name="关闭问题").click()
    page.get_by_text("抽查问题已关闭").wait_for()
    assert not Finding.objects.get().is_open
    shot("5-closed")
    page.get_by_role("link", name="工作台").click()
    page.get_by_role("heading", name="工作台").wait_for()
    assert page.locator("#spot-findings").count() == 0
