"""The auditor's page (审计管理员): search, export, verify — each itself recorded."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from gongxin.audit.models import AuditEvent
from gongxin.audit.services import record
from gongxin.core import clock
from tests.factories import ZHANG, make_staff, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(world, client):
    staff = make_staff(world.bj, "auditor", "auditor")
    signed_in(client, staff.user)
    return staff


def _table(page: str) -> str:
    """The result table of the auditor's page (the filter above it lists every action code)."""
    return page.split('<table class="trail">', 1)[1].split("</table>", 1)[0]


def test_the_auditor_finds_a_person_s_actions_in_their_unit_only(client, world, auditor):
    req = world.register(people=[ZHANG])
    record(world.outsider, "request.view_result", ref=("InquiryRequest", 999))  # another unit's
    page = client.get("/audit/", {"actor": "handler"}).content.decode()
    assert "登记来文" in _table(page) and "查看查询结果" not in _table(page)
    assert f"查询需求 #{req.pk}" in page
    assert ZHANG[1] not in page and ZHANG[0] not in page  # no personal data in the trail
    everything = client.get("/audit/").content.decode()
    assert "999" not in everything  # the national center's events are not Beijing's auditor's


def test_every_search_is_itself_recorded(client, world, auditor):
    client.get("/audit/", {"action": "request.", "since": "2020-01-01"})
    last = AuditEvent.objects.order_by("seq").last()
    assert (last.actor, last.action) == ("auditor", "audit.search")
    assert last.detail["search"] == {"action": "request.", "since": "2020-01-01"}


def test_a_date_that_is_not_a_date_is_said_not_a_500(client, world, auditor):
    response = client.get("/audit/", {"since": "2026-13-45", "until": "０"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "起始日期" in page and "查询条件有误" in page


def test_the_period_is_in_china_s_days(client, world, auditor):
    today = clock.today()
    record(world.handler, "request.view", ref=("InquiryRequest", 1))
    page = client.get("/audit/", {"since": today.isoformat(), "until": today.isoformat(),
                                  "action": "request.view"}).content.decode()  # fmt: skip
    assert "共 1 条" in page


def test_a_period_exports_as_xlsx_with_formulas_defused(client, world, auditor):
    record('=HYPERLINK("http://x")', "request.view", ref=("InquiryRequest", 1))
    response = client.get("/audit/", {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "时间", "操作人", "单位", "事项")
    # System events have no unit: the auditor sees the unit's own; nothing else.
    assert all(r[3] in ("bj",) for r in rows[1:])
    last = AuditEvent.objects.order_by("seq").last()
    assert (last.action, last.detail["rows"]) == ("audit.export", len(rows) - 1)


def test_the_exported_cells_are_escaped(client, world, auditor):
    record(auditor, "request.view", ref=("InquiryRequest", "=1+1"))
    sheet = load_workbook(io.BytesIO(client.get("/audit/", {"format": "xlsx"}).content)).active
    assert "'=1+1" in [r[7] for r in sheet.iter_rows(values_only=True)]


def test_the_auditor_verifies_the_chain_from_the_page(client, world, auditor):
    response = client.post("/audit/verify/", follow=True)
    page = response.content.decode()
    assert "留痕链完整" in page
    last = AuditEvent.objects.filter(action="audit.verify").get()
    assert (last.actor, last.outcome) == ("auditor", "ok")
    assert json.loads(json.dumps(last.detail)) == {"checkpoint": False, "broken_at": None}


def test_the_auditor_s_menu_leads_to_the_trail(client, world, auditor):
    page = client.get("/").content.decode()
    assert 'href="/audit/"' in page and "留痕查询" in page


def test_an_administrator_s_workbench_says_what_the_role_does(client, world):
    sysadmin = make_staff(world.bj, "sysadmin", "sysadmin")
    signed_in(client, sysadmin.user)
    page = client.get("/").content.decode()
    assert "您是系统管理员" in page and 'href="/calendar/"' in page
    assert "我的待办" not in page


def test_the_table_reads_in_chinese_not_codes(client, world, auditor):
    req = world.register(people=[ZHANG])
    record(world.handler, "request.view_candidates", req)
    record(world.handler, "request.sign_off", req, outcome="refused", code="not_signer", round=1)
    table = _table(client.get("/audit/").content.decode())
    assert "查看人选名单" in table and "签发" in table and "登记来文" in table
    assert f"查询需求 #{req.pk}" in table
    assert "拒绝" in table and "成功" in table
    assert "轮次</span>：1" in table and "原因代码</span>：not_signer" in table
    for code in ("request.view_candidates", "InquiryRequest", ">ok<", ">refused<", "{'"):
        assert code not in table.replace('title="request.view_candidates"', "")


def test_a_draw_names_the_unit_s_staff_not_their_ids(client, world, auditor):
    world.handler.full_name = "刘洋"
    world.handler.save()
    record(world.supervisor, "request.assign", ref=("InquiryRequest", 7),
           pool=[world.handler.pk, world.outsider.pk], winner=world.handler.pk)  # fmt: skip
    table = _table(client.get("/audit/", {"action": "request.assign"}).content.decode())
    assert "随机抽取经办人" in table
    assert "抽中</span>：刘洋（handler）" in table
    # Staff of another unit stay an id: the auditor reads their own unit's people only.
    assert f"候选人员</span>：刘洋（handler）、#{world.outsider.pk}" in table


def test_the_actor_is_found_by_full_name_as_well_as_username(client, world, auditor):
    world.handler.full_name = "刘洋"
    world.handler.save()
    record(world.handler, "request.view_result", ref=("InquiryRequest", 1))
    record(world.supervisor, "request.view_result", ref=("InquiryRequest", 2))
    by_name = client.get("/audit/", {"actor": "刘洋"}).content.decode()
    by_username = client.get("/audit/", {"actor": "handler"}).content.decode()
    assert "共 1 条" in by_name and "共 1 条" in by_username
    assert "刘洋（handler）" in _table(by_name)


def test_the_auditor_s_own_searches_are_hidden_unless_asked_for(client, world, auditor):
    record(world.handler, "request.view_result", ref=("InquiryRequest", 1))
    for _ in range(3):
        client.get("/audit/")
    page = client.get("/audit/").content.decode()
    assert "共 1 条" in page and "查询留痕" not in _table(page)
    assert AuditEvent.objects.filter(action="audit.search").count() == 4  # still recorded
    shown = client.get("/audit/", {"with_own": "1"}).content.decode()
    assert "查询留痕" in _table(shown) and "显示审计查询本身的记录" in shown
    asked = client.get("/audit/", {"action": "audit.search"}).content.decode()
    assert "共 5 条" in asked  # asking for them by name shows them


def test_the_action_filter_offers_labels_and_still_takes_a_code(client, world, auditor):
    world.register(people=[ZHANG])
    page = client.get("/audit/", {"action": "request.register"}).content.decode()
    assert (
        '<option value="request.register" title="request.register" selected>登记来文</option>'
        in page
    )
    assert '<optgroup label="查询需求办理">' in page
    assert "共 1 条" in page
    prefix = client.get("/audit/", {"action": "request."}).content.decode()
    assert "查询需求办理（全部）" in prefix and "共 0 条" not in prefix


def test_the_export_carries_labels_and_codes(client, world, auditor):
    world.register(people=[ZHANG])
    sheet = load_workbook(io.BytesIO(client.get("/audit/", {"format": "xlsx"}).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    register = next(r for r in rows[1:] if r[5] == "request.register")
    assert register[header.index("事项")] == "登记来文"
    assert register[header.index("结果")] == "成功"
    assert register[header.index("对象类型")] == "查询需求"
    assert "人选数：1" in register[header.index("详情")]
    assert json.loads(register[header.index("详情原文")])["candidates"] == 1
