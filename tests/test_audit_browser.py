"""The auditor's page in a real browser: it reads in Chinese and its columns keep their words on
one line (the 专用终端 column once wrapped to one character per line). The screenshot is saved in
test-artifacts/ for a person to look at."""

import pytest

from gongxin.audit.services import record
from gongxin.platform.trail import at_workstation
from tests.factories import ZHANG, World, make_staff
from tests.test_browser import ARTIFACTS, browser, enrolled_context, sign_in  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

LINES = """(sel) => [...document.querySelectorAll(sel)].map(td => {
    const r = document.createRange(); r.selectNodeContents(td);
    const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
    return tops.size; })"""


def test_the_auditor_s_table_reads_in_chinese_on_one_line_per_cell(live_server, browser, tmp_path):  # noqa: F811
    world = World(tmp_path)
    world.handler.full_name = "刘洋"
    world.handler.save()
    auditor = make_staff(world.bj, "bj-auditor", "auditor")
    req = world.register(people=[ZHANG])
    with at_workstation("北京市信用中心审核一号机", "bj"):
        record(world.supervisor, "request.assign", req, round=1,
               pool=[world.handler.pk, world.reviewer_a.pk], winner=world.handler.pk)  # fmt: skip
    context = enrolled_context(browser, live_server, world.bj)
    page = context.new_page()
    sign_in(page, live_server, auditor)
    page.goto(f"{live_server.url}/audit/")
    table = page.locator("table.trail")
    assert "随机抽取经办人" in table.inner_text() and "查询需求 #" in table.inner_text()
    assert "抽中：刘洋（handler）" in table.inner_text()
    assert "request.assign" not in table.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "audit-trail.png"), full_page=True)
    assert max(page.evaluate(LINES, "table.trail td.nowrap, table.trail th")) == 1
    # The workstation's twelve characters and a name with its username keep whole words
    # together: at most two lines, where they once took one line per character.
    assert max(page.evaluate(LINES, "table.trail td.wide")) <= 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
