"""A real browser on the statistics pages: a unit's supervisor and the national center's
supervisor at desktop (1280 px) and phone (390 px) widths. The charts load as images under the
Content-Security-Policy, nothing is refused, the page does not scroll sideways (wide tables
scroll inside their wrapper), and a bad date is named beside its field. Screenshots go to
test-artifacts/ for a person to look at."""

import pytest

from gongxin.core import clock
from tests.factories import make_staff
from tests.history import at
from tests.test_browser import ARTIFACTS, CHROMIUM, browser, enrolled_context, sign_in  # noqa: F401
from tests.test_statistics import TODAY, build

pytestmark = [
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="chromium"),
    pytest.mark.django_db(transaction=True),
]

QUERY = "?start=2025-09-01&end=2026-02-28"


def look(browser, live_server, staff, unit, path, name, blocked):  # noqa: F811
    context = enrolled_context(browser, live_server, unit)
    page = context.new_page()
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    sign_in(page, live_server, staff)
    page.get_by_role("heading", name="工作台").wait_for()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}{path}{QUERY}")
        images = page.eval_on_selector_all(".charts img", "xs => xs.map(x => x.naturalWidth)")
        assert len(images) == 2 and all(w > 0 for w in images), images
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (name, width, overflow)
        page.screenshot(path=str(ARTIFACTS / f"stats-{name}-{width}.png"), full_page=True)
    return page


def test_the_statistics_and_national_pages_at_desktop_and_phone_width(live_server, browser):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    blocked: list[str] = []
    with clock.pinned(at(TODAY)):
        bj, _sh, nat = build()
        supervisor = make_staff(bj, "bj_supervisor", "supervisor")
        boss = make_staff(nat, "nat_supervisor", "supervisor")
        page = look(browser, live_server, supervisor, bj, "/supervision/statistics/", "unit",
                    blocked)  # fmt: skip
        assert page.get_by_role("heading", name="按月（收文月份）").is_visible()
        page.get_by_label("起始日期").fill("2026-02-30")
        page.get_by_role("button", name="统计").click()
        assert page.locator(".field-error .field-message").first.inner_text() == "日期不存在"
        page.screenshot(path=str(ARTIFACTS / "stats-unit-bad-date-390.png"), full_page=True)
        page = look(browser, live_server, boss, nat, "/supervision/national/", "national", blocked)
        page.get_by_role("link", name="北京市公共信用信息中心").click()
        page.get_by_role("heading", name="北京市公共信用信息中心 · 各月情况").wait_for()
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(ARTIFACTS / "stats-national-unit-1280.png"), full_page=True)
    assert blocked == []
