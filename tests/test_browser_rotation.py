"""A real browser: the supervisor opens the 工作台, follows its panels to the 定期轮换与业务培训
page (a handler past the tenure, a reviewer whose training lapses soon) and to the reminders
(another handler's overdue request). Screenshots in test-artifacts/rotation-*.png."""

import datetime as dt
from pathlib import Path

import pytest

from gongxin.accounts.models import Staff, TrainingRecord, add_months
from gongxin.core import clock
from tests.factories import World, make_staff
from tests.test_browser import ARTIFACTS, CHROMIUM, browser, enrolled_context, sign_in  # noqa: F401

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),
]


def test_the_supervisor_sees_rotation_and_reminders(live_server, browser, tmp_path):  # noqa: F811
    world = World(tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    today = clock.today()
    Staff.objects.filter(pk=world.handler.pk).update(
        post_since=add_months(today, -24) - dt.timedelta(days=3)
    )
    TrainingRecord.objects.filter(staff=world.reviewer_a).update(
        valid_until=today + dt.timedelta(days=10)
    )
    second = make_staff(world.bj, "handler2", "handler", post_since=today - dt.timedelta(days=30))
    received = today - dt.timedelta(days=10)
    req = world.register(received_on=received, today=today)  # handler is past tenure: handler2
    assert req.handler_id == second.pk

    page = enrolled_context(browser, live_server, world.bj).new_page()
    sign_in(page, live_server, world.supervisor)
    page.get_by_role("heading", name="工作台").wait_for()
    assert page.title().startswith("工作台 · ")
    page.screenshot(path=str(ARTIFACTS / "rotation-1-dashboard.png"), full_page=True)
    rotation_panel = page.locator(
        "section", has=page.get_by_role("heading", name="定期轮换与业务培训")
    )
    assert "已超过任职期限：1 人" in rotation_panel.inner_text()

    rotation_panel.get_by_role("link", name="查看名单").click()
    page.get_by_role("heading", name="定期轮换与业务培训", level=1).wait_for()
    page.screenshot(path=str(ARTIFACTS / "rotation-2-list.png"), full_page=True)
    handler_row = page.locator("tr", has=page.get_by_role("cell", name="handler", exact=True))
    assert "已超过本岗位任职期限（定期轮换）" in handler_row.inner_text()
    reviewer_row = page.locator("tr", has=page.get_by_role("cell", name="reviewer_a", exact=True))
    assert "30 天内业务培训过期" in reviewer_row.inner_text()
    assert "是（复核人）" in reviewer_row.inner_text()

    page.get_by_role("link", name="提醒", exact=True).click()
    page.get_by_role("heading", name="提醒", level=1).wait_for()
    page.screenshot(path=str(ARTIFACTS / "rotation-3-reminders.png"), full_page=True)
    theirs = page.get_by_role("heading", name="handler2（handler2）：1 项")
    assert theirs.is_visible()
    assert req.letter_number in page.content()
    assert "待查询" in page.content()
