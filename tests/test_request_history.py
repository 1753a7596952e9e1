"""Each request page shows its own processing history (办理记录) to the people on it and the
supervisors (issue 8): every step in order, who, when, what in Chinese, the outcome; no
personal data."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gongxin.inquiry import services
from gongxin.platform.errors import WorkflowError
from tests.factories import LI, ZHANG, issued, make_staff, signed_in

pytestmark = pytest.mark.django_db


def page_of(staff, req) -> str:
    client = Client()
    signed_in(client, staff.user)
    return client.get(f"/requests/{req.pk}/").content.decode()


def history(page: str) -> list[list[str]]:
    """The history table's rows, as cell texts (tags stripped)."""
    section = page.split('<h2 id="history">办理记录</h2>', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]
    return [[re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in rows]  # fmt: skip


def test_the_people_on_a_request_see_its_steps_in_order(world):
    req = issued(world)
    with pytest.raises(WorkflowError):
        services.issue(world.handler, req.pk)  # already issued: refused, and recorded
    steps = history(page_of(world.handler, req))
    assert [s[2] for s in steps] == [
        "登记来文", "随机抽取经办人", "查询比对", "提交", "随机抽取复核人", "随机抽取复核人",
        "复核", "复核", "复核完成", "随机抽取签发人", "签发", "反馈", "反馈",
    ]  # fmt: skip
    assert [s[1] for s in steps[:4]] == ["handler"] * 4  # staff names, not usernames
    assert steps[2][4] == "第1轮比对2名，匹配1名"
    assert steps[6][4] == "第1轮第1号人选：确认列入"  # the row, never the name
    assert steps[1][4].startswith("第1轮抽中handler")
    assert [s[3] for s in steps[-2:]] == ["完成", "未办理（被拒绝）"]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", steps[0][0])
    text = str(steps)
    assert not any(secret in text for secret in (*ZHANG, *LI))
    # Viewing the page is not a processing step.
    assert "查看" not in text


def test_supervisors_see_it_and_others_of_the_unit_do_not(world):
    req = issued(world)
    assert '<h2 id="history">办理记录</h2>' in page_of(world.supervisor, req)
    other = make_staff(world.bj, "handler2", "handler")
    page = page_of(other, req)
    assert "办理记录" not in page and "人选信息仅本件的经办人" in page
