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


def test_the_auditor_finds_a_person_s_actions_in_their_unit_only(client, world, auditor):
    req = world.register(people=[ZHANG])
    record(world.outsider, "request.view", ref=("InquiryRequest", 999))  # another unit's
    page = client.get("/audit/", {"actor": "handler"}).content.decode()
    assert "request.register" in page and "request.view" not in page
    assert f"InquiryRequest {req.pk}" in page
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
    assert "'=1+1" in [r[6] for r in sheet.iter_rows(values_only=True)]


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
