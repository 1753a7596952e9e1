"""风险防范措施台账, 紧急应对预案 and 电话咨询 as the supervisor and the business staff use them:
each page's path, what a refused form leaves (nothing), overdue reviews and drills on the
supervisor's 工作台 at the edges of their dates (the clock pinned), the ID-number refusal, the
unit's scope (another unit's record is 404), the XLSX files read back with openpyxl, who may do
what, and the count the statistics take."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.platform.errors import WorkflowError
from gongxin.platform.roles import Role
from gongxin.supervision import consultations, registers
from gongxin.supervision.consultations import consultations_count
from gongxin.supervision.figures import Period
from gongxin.supervision.free_text import id_number_problem
from gongxin.supervision.register_models import (
    Consultation,
    Drill,
    EmergencyPlan,
    RiskPoint,
    RiskReview,
)
from tests.factories import make_agency, make_id, make_staff, make_unit, signed_in

pytestmark = pytest.mark.django_db

ID = make_id("110105", "19491231", 2)  # a valid number (check character computed)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), clock.ZONE)


class Unit:
    """A provincial unit with a supervisor, a handler, a reviewer and a system administrator,
    and one agency it serves; and another province with its own supervisor and handler."""

    def __init__(self):
        self.bj = make_unit()
        self.agency = make_agency(self.bj)
        self.supervisor = make_staff(self.bj, "supervisor", Role.SUPERVISOR)
        self.handler = make_staff(self.bj, "handler", Role.HANDLER)
        self.reviewer = make_staff(self.bj, "reviewer", Role.REVIEWER)
        self.sysadmin = make_staff(self.bj, "sysadmin", Role.SYSADMIN)
        self.sh = make_unit("sh", "上海市公共信用信息中心", region="31", prefix="沪信用函")
        self.sh_supervisor = make_staff(self.sh, "sh_supervisor", Role.SUPERVISOR)
        self.sh_handler = make_staff(self.sh, "sh_handler", Role.HANDLER)


@pytest.fixture
def unit():
    with clock.pinned(at("2026-03-02")):
        yield Unit()


def client_of(staff) -> Client:
    return signed_in(Client(), staff.user)


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def risk_form(owner, **changes) -> dict:
    form = {"title": "名单库更新不及时", "description": "名单更新滞后导致漏查",
            "owner": owner.pk, "measure": "每日核对名单版本", "review_months": "3",
            "next_review_on": "2026-03-31"}  # fmt: skip
    return form | changes


def plan_form(owner, **changes) -> dict:
    form = {"title": "系统故障应急预案", "scenario": "system", "owner": owner.pk,
            "measures": "切换备用服务器，电话告知发起单位", "drill_months": "6",
            "next_drill_on": "2026-03-31"}  # fmt: skip
    return form | changes


def call_form(agency=None, **changes) -> dict:
    form = {"agency": agency.pk if agency else "", "agency_name": "", "caller": "王科长",
            "called_on": "2026-03-02", "called_time": "09:30", "topic": "progress",
            "question": "京组函〔2026〕1号办理到哪一步",
            "answer": "已进入复核，预计明日反馈"}  # fmt: skip
    return form | changes


# --- risk register ------------------------------------------------------------------------------


def test_supervisor_registers_edits_reviews_and_revokes_a_risk_point(unit):
    with clock.pinned(at("2026-03-02")):
        web = client_of(unit.supervisor)
        answer = web.post("/supervision/risks/new/", risk_form(unit.handler))
        risk = RiskPoint.objects.get()
        assert answer.status_code == 302 and answer["Location"] == f"/supervision/risks/{risk.pk}/"
        assert (risk.unit, risk.owner, risk.next_review_on) == (
            unit.bj,
            unit.handler,
            dt.date(2026, 3, 31),
        )
        page = web.get(f"/supervision/risks/{risk.pk}/").content.decode()
        assert "名单库更新不及时" in page and "每日核对名单版本" in page and "尚未复核" in page

        web.post(
            f"/supervision/risks/{risk.pk}/edit/",
            risk_form(unit.reviewer, measure="每日两次核对名单版本"),
        )
        risk.refresh_from_db()
        assert (risk.owner, risk.measure) == (unit.reviewer, "每日两次核对名单版本")
        edit = AuditEvent.objects.get(action="supervision.risk_edit")
        assert edit.detail["fields"] == "owner,measure"

        # Reviewed on 3 March, every quarter: next on 3 June unless a date is given.
        web.post(f"/supervision/risks/{risk.pk}/review/", {
            "reviewed_on": "2026-03-02", "reviewer": unit.supervisor.pk,
            "outcome": "措施落实到位", "next_review_on": ""})  # fmt: skip
        risk.refresh_from_db()
        assert risk.next_review_on == dt.date(2026, 6, 2)
        review = RiskReview.objects.get()
        assert (review.reviewer, review.outcome) == (unit.supervisor, "措施落实到位")
        assert "措施落实到位" in web.get(f"/supervision/risks/{risk.pk}/").content.decode()

        web.post(f"/supervision/risks/{risk.pk}/revoke/", {"reason": "业务调整，不再适用"})
        risk.refresh_from_db()
        assert (risk.status, risk.revoked_reason) == ("revoked", "业务调整，不再适用")
        listed = web.get("/supervision/risks/").content.decode()
        assert "已撤销" in listed
        # A revoked point is neither reviewed nor edited again; nothing changes.
        again = web.post(
            f"/supervision/risks/{risk.pk}/review/",
            {"reviewed_on": "2026-03-02", "reviewer": unit.supervisor.pk, "outcome": "再次复核"},
        )
        assert "该风险点已撤销，不再复核" in again.content.decode()
        assert RiskReview.objects.count() == 1
    for action in ("risk_create", "risk_edit", "risk_review", "risk_revoke"):
        assert events(f"supervision.{action}") == 1, action


def test_a_refused_risk_form_says_why_beside_the_field_and_changes_nothing(unit):
    with clock.pinned(at("2026-03-02")):
        web = client_of(unit.supervisor)
        # Another unit's person as owner (the choice is not offered; a forged post is refused).
        forged = web.post(
            "/supervision/risks/new/", risk_form(unit.sh_handler, measure="", title="x" * 101)
        )
        page = forged.content.decode()
        assert forged.status_code == 200
        assert "field-message" in page and "未保存" in page
        assert "这个字段是必填项" in page or "必填" in page  # 防范措施 left blank
        assert "选择一个有效的选项" in page  # the other unit's owner
        # A control character in a text: refused by the service, beside its field.
        answer = web.post("/supervision/risks/new/", risk_form(unit.handler, measure="措施\x07"))
        page = answer.content.decode()
        assert "请删除后重新填写" in page
        assert page.rindex("请删除后重新填写") > page.index('for="id_measure"')
        # An ID number in a risk point's text, as in a call's: refused beside its field.
        named = web.post("/supervision/risks/new/",
                         risk_form(unit.handler, description=f"人选{ID}的材料外借"))  # fmt: skip
        assert "不得填写公民身份号码" in named.content.decode()
        assert not RiskPoint.objects.filter(description__contains=ID[:6]).exists()
        # A review dated tomorrow is refused.
        risk = registers.create_risk(
            unit.supervisor,
            registers.RiskInput(
                "专机管理", "专机外借", unit.handler, "专机登记", 1, dt.date(2026, 4, 1)
            ),
        )
        late = web.post(
            f"/supervision/risks/{risk.pk}/review/",
            {"reviewed_on": "2026-03-03", "reviewer": unit.supervisor.pk, "outcome": "好"},
        )
        assert "复核日期不能晚于今天" in late.content.decode()
    assert RiskPoint.objects.count() == 1 and RiskReview.objects.count() == 0
    assert events("supervision.risk_create") == 1 and events("supervision.risk_review") == 0


def test_overdue_review_at_the_edge_of_its_date_and_on_the_dashboard_until_reviewed(unit):
    with clock.pinned(at("2026-03-02")):
        risk = registers.create_risk(
            unit.supervisor,
            registers.RiskInput(
                "名单库更新不及时", "滞后", unit.handler, "核对", 1, dt.date(2026, 3, 31)
            ),
        )
    with clock.pinned(at("2026-03-31", 23)):  # the review day itself: due, not overdue
        assert list(registers.overdue_risks(unit.supervisor)) == []
        page = client_of(unit.supervisor).get("/").content.decode()
        assert "没有逾期的风险复核或应急演练" in page
    with clock.pinned(at("2026-04-01", 0)):  # the day after: overdue
        assert list(registers.overdue_risks(unit.supervisor)) == [risk]
        web = client_of(unit.supervisor)
        page = web.get("/").content.decode()
        assert "风险复核、应急演练已逾期（1）" in page and "名单库更新不及时" in page
        assert "应于2026-03-31复核" in page or "应于2026年3月31日复核" in page
        assert "已逾期" in web.get("/supervision/risks/").content.decode()
        # Nobody else's 工作台 shows it: the handler's, the other province's supervisor's.
        assert "名单库更新不及时" not in client_of(unit.handler).get("/").content.decode()
        assert "名单库更新不及时" not in client_of(unit.sh_supervisor).get("/").content.decode()
        registers.review_risk(unit.supervisor, risk.pk, dt.date(2026, 4, 1), unit.handler, "已核对")
        page = web.get("/").content.decode()
        assert "名单库更新不及时" not in page and "没有逾期的风险复核或应急演练" in page
        risk.refresh_from_db()
        assert risk.next_review_on == dt.date(2026, 5, 1)
    # A revoked point is never overdue.
    with clock.pinned(at("2026-06-01")):
        registers.revoke_risk(unit.supervisor, risk.pk, "不再适用")
        assert list(registers.overdue_risks(unit.supervisor)) == []


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert registers.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert registers.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert registers.add_months(dt.date(2027, 12, 15), 12) == dt.date(2028, 12, 15)


# --- emergency plans ----------------------------------------------------------------------------


def test_supervisor_registers_a_plan_records_a_drill_and_the_overdue_drill_shows(unit):
    with clock.pinned(at("2026-03-02")):
        web = client_of(unit.supervisor)
        web.post("/supervision/plans/new/", plan_form(unit.handler))
        plan = EmergencyPlan.objects.get()
        assert (plan.scenario, plan.drill_months, plan.owner) == ("system", 6, unit.handler)
        web.post(f"/supervision/plans/{plan.pk}/edit/", plan_form(unit.handler, scenario="leak"))
        plan.refresh_from_db()
        assert plan.scenario == "leak"
    with clock.pinned(at("2026-04-01", 9)):
        web = client_of(unit.supervisor)
        page = web.get("/").content.decode()
        assert "风险复核、应急演练已逾期（1）" in page and "系统故障应急预案" in page
        # A drill needs its participants; refused, nothing recorded.
        refused = web.post(
            f"/supervision/plans/{plan.pk}/drill/", {"held_on": "2026-04-01", "outcome": "顺利"}
        )
        assert "参加人员" in refused.content.decode() and Drill.objects.count() == 0
        web.post(f"/supervision/plans/{plan.pk}/drill/", {
            "held_on": "2026-04-01", "participants": [unit.handler.pk, unit.reviewer.pk],
            "outcome": "45分钟恢复服务", "problems": "备用服务器证书过期",
            "improvements": "每月检查证书有效期"})  # fmt: skip
        drill = Drill.objects.get()
        assert set(drill.participants.all()) == {unit.handler, unit.reviewer}
        plan.refresh_from_db()
        assert plan.next_drill_on == dt.date(2026, 10, 1)
        detail = web.get(f"/supervision/plans/{plan.pk}/").content.decode()
        assert "2人" in detail and "备用服务器证书过期" in detail
        assert "系统故障应急预案" not in web.get("/").content.decode()
    assert events("supervision.plan_create") == events("supervision.plan_edit") == 1
    assert events("supervision.plan_drill") == 1


# --- consultation log ---------------------------------------------------------------------------


def test_a_handler_logs_a_call_and_its_follow_up_the_supervisor_sees_the_units_log(unit):
    with clock.pinned(at("2026-03-02", 11)):
        web = client_of(unit.handler)
        answer = web.post(
            "/supervision/consultations/new/", call_form(unit.agency) | {"follow_up": "on"}
        )
        call = Consultation.objects.get()
        assert answer["Location"] == f"/supervision/consultations/{call.pk}/"
        assert (call.agency_name, call.recorded_by, call.open) == (
            "北京市委组织部",
            unit.handler,
            True,
        )
        # Another agency, typed in.
        web.post(
            "/supervision/consultations/new/",
            call_form(agency_name="某区人社局", topic="scope", caller="刘女士"),
        )
        typed = Consultation.objects.get(caller="刘女士")
        assert (typed.agency, typed.agency_name) == (None, "某区人社局")
        # Neither chosen nor typed: refused beside 来电单位.
        none = web.post("/supervision/consultations/new/", call_form(caller="赵"))
        assert "请选择来电单位，或填写其他单位名称" in none.content.decode()
        web.post(
            f"/supervision/consultations/{call.pk}/follow-up/",
            {"done_on": "2026-03-02", "note": "已电话告知反馈时间"},
        )
        call.refresh_from_db()
        assert (call.followed_up_on, call.open) == (dt.date(2026, 3, 2), False)
        log = client_of(unit.supervisor).get("/supervision/consultations/").content.decode()
        assert "王科长" in log and "刘女士" in log and "共 2 次来电" in log
        # The other province sees none of it.
        other = client_of(unit.sh_handler).get("/supervision/consultations/").content.decode()
        assert "王科长" not in other and "共 0 次来电" in other
    assert events("supervision.consultation_record") == 2
    assert events("supervision.consultation_follow_up") == 1
    event = AuditEvent.objects.get(action="supervision.consultation_record", object_id=call.pk)
    assert "王科长" not in str(event.detail)


@pytest.mark.parametrize("text", [
    f"考生{ID}的结果", ID.lower(), f"{ID[:6]} {ID[6:14]} {ID[14:]}",
    ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
    "110105490101001",  # a valid 15-digit legacy number
    "证件 11010519491231000Y".replace("Y", "9"),  # 18 characters in its shape, check char wrong
])  # fmt: skip
def test_text_reading_as_an_id_number_is_refused(text):
    assert id_number_problem(text) is not None


@pytest.mark.parametrize("text", ["13800138000", "京组函〔2026〕1号", "20260302", "2026-03-02",
                                  "1234567890123456789012"])  # fmt: skip
def test_ordinary_numbers_are_kept(text):
    assert id_number_problem(text) is None


def test_a_call_naming_an_id_number_is_refused_beside_the_field_and_nothing_is_kept(unit):
    with clock.pinned(at("2026-03-02")):
        call = consultations.record_call(
            unit.handler,
            consultations.CallInput(
                unit.agency, "", "王", dt.date(2026, 3, 2), None, "scope", "问", "答", True
            ),
        )
        web = client_of(unit.handler)
        answer = web.post(
            "/supervision/consultations/new/",
            call_form(unit.agency, question=f"询问{ID}是否在名单"),
        )
        page = answer.content.decode()
        assert answer.status_code == 200 and "不得填写公民身份号码" in page
        assert page.rindex("不得填写公民身份号码") > page.index('for="id_question"')
        assert ID not in page  # not echoed back
        assert "已进入复核" in page  # what else was typed is kept
        follow = web.post(
            f"/supervision/consultations/{call.pk}/follow-up/",
            {"done_on": "2026-03-02", "note": f"已告知{ID}本人"},
        )
        assert "不得填写公民身份号码" in follow.content.decode()
        assert ID not in follow.content.decode()
        # The service refuses it too, whatever path calls it.
        with pytest.raises(WorkflowError) as refused:
            consultations.record_call(
                unit.handler,
                consultations.CallInput(
                    unit.agency, "", f"张三{ID}", dt.date(2026, 3, 2), None, "other", "问", "答"
                ),
            )
        assert refused.value.problems[0].field == "来电人"
    assert Consultation.objects.count() == 1 and events("supervision.consultation_record") == 1
    call.refresh_from_db()
    assert call.followed_up_on is None and events("supervision.consultation_follow_up") == 0


def test_consultations_count_takes_the_calls_dated_in_the_period(unit):
    with clock.pinned(at("2026-03-31")):
        for day in ("2026-02-28", "2026-03-01", "2026-03-15", "2026-03-31"):
            consultations.record_call(
                unit.handler,
                consultations.CallInput(
                    unit.agency, "", "王", dt.date.fromisoformat(day), None, "scope", "问", "答"
                ),
            )
        consultations.record_call(
            unit.sh_handler,
            consultations.CallInput(
                None, "上海某局", "李", dt.date(2026, 3, 10), None, "scope", "问", "答"
            ),
        )
    march = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert consultations_count([unit.bj], march) == 3
    assert consultations_count([unit.bj, unit.sh], march) == 4
    assert consultations_count([unit.sh], Period(dt.date(2026, 3, 11), dt.date(2026, 3, 31))) == 0


# --- scope and permissions ----------------------------------------------------------------------


def test_another_units_records_are_404(unit):
    with clock.pinned(at("2026-03-02")):
        risk = registers.create_risk(
            unit.supervisor,
            registers.RiskInput(
                "专机管理", "专机外借", unit.handler, "专机登记", 1, dt.date(2026, 4, 1)
            ),
        )
        plan = registers.create_plan(
            unit.supervisor,
            registers.PlanInput(
                "数据泄露预案", "leak", unit.handler, "断网", 12, dt.date(2026, 12, 1)
            ),
        )
        call = consultations.record_call(
            unit.handler,
            consultations.CallInput(
                unit.agency, "", "王", dt.date(2026, 3, 2), None, "scope", "问", "答", True
            ),
        )
        outsider, sh_handler = client_of(unit.sh_supervisor), client_of(unit.sh_handler)
        for path in (f"/supervision/risks/{risk.pk}/", f"/supervision/risks/{risk.pk}/edit/",
                     f"/supervision/risks/{risk.pk}/review/", f"/supervision/plans/{plan.pk}/",
                     f"/supervision/plans/{plan.pk}/drill/"):  # fmt: skip
            assert outsider.get(path).status_code == 404, path
        answer = outsider.post(f"/supervision/risks/{risk.pk}/revoke/", {"reason": "试图撤销"})
        assert answer.status_code == 404
        for path in (f"/supervision/consultations/{call.pk}/",
                     f"/supervision/consultations/{call.pk}/follow-up/"):  # fmt: skip
            assert sh_handler.get(path).status_code == 404, path
        assert (
            sh_handler.post(
                f"/supervision/consultations/{call.pk}/follow-up/",
                {"done_on": "2026-03-02", "note": "x"},
            ).status_code
            == 404
        )
        assert "专机管理" not in outsider.get("/supervision/risks/").content.decode()
    risk.refresh_from_db()
    call.refresh_from_db()
    assert risk.status == "active" and call.followed_up_on is None


def test_who_may_do_what(unit):
    """Supervisors keep the registers; every business role logs calls; administrators neither.
    The pages (the permission map) and the services ask the same rule."""
    with clock.pinned(at("2026-03-02")):
        pages = {"/supervision/risks/": "risks", "/supervision/risks/new/": "risks",
                 "/supervision/plans/": "plans", "/supervision/plans/new/": "plans",
                 "/supervision/consultations/": "calls",
                 "/supervision/consultations/new/": "calls"}  # fmt: skip
        may = {unit.supervisor: {"risks", "plans", "calls"}, unit.handler: {"calls"},
               unit.reviewer: {"calls"}, unit.sysadmin: set()}  # fmt: skip
        for person, allowed in may.items():
            web = client_of(person)
            for path, kind in pages.items():
                expected = 200 if kind in allowed else 404
                assert web.get(path).status_code == expected, (person.full_name, path)
            menu = web.get("/").content.decode()
            assert ("风险台账" in menu) == ("risks" in allowed), person.full_name
            assert ("电话咨询" in menu) == ("calls" in allowed), person.full_name
        with pytest.raises(WorkflowError):
            registers.create_risk(
                unit.handler,
                registers.RiskInput(
                    "专机管理", "专机外借", unit.handler, "专机登记", 1, dt.date(2026, 4, 1)
                ),
            )
        with pytest.raises(WorkflowError):
            registers.create_plan(
                unit.handler,
                registers.PlanInput(
                    "数据泄露预案", "leak", unit.handler, "断网", 12, dt.date(2026, 12, 1)
                ),
            )
        with pytest.raises(WorkflowError):
            consultations.record_call(
                unit.sysadmin,
                consultations.CallInput(
                    None, "某局", "王", dt.date(2026, 3, 2), None, "scope", "问", "答"
                ),
            )
    assert not RiskPoint.objects.exists() and not Consultation.objects.exists()


# --- XLSX ---------------------------------------------------------------------------------------


def sheet_rows(answer, title):
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(answer.content), read_only=True)
    return [list(row) for row in book[title].iter_rows(values_only=True)]


def test_the_exports_are_real_workbooks_with_the_registers_and_no_formulas(unit):
    with clock.pinned(at("2026-03-02")):
        risk = registers.create_risk(
            unit.supervisor,
            registers.RiskInput(
                '=HYPERLINK("http://x")', "描述", unit.handler, "+措施", 3, dt.date(2026, 3, 1)
            ),
        )
        registers.review_risk(
            unit.supervisor,
            risk.pk,
            dt.date(2026, 3, 2),
            unit.reviewer,
            "复核无问题",
            dt.date(2026, 3, 1) + dt.timedelta(days=90),
        )
        plan = registers.create_plan(
            unit.supervisor,
            registers.PlanInput(
                "名单库异常预案", "lists", unit.handler, "回退名单版本", 6, dt.date(2026, 3, 1)
            ),
        )
        registers.record_drill(
            unit.supervisor,
            plan.pk,
            registers.DrillInput(
                dt.date(2026, 3, 2), (unit.handler, unit.reviewer), "顺利", "-无", "无"
            ),
        )
        for day, caller in (("2026-02-27", "二月"), ("2026-03-02", "@三月")):
            consultations.record_call(
                unit.handler,
                consultations.CallInput(
                    unit.agency,
                    "",
                    caller,
                    dt.date.fromisoformat(day),
                    dt.time(9, 5),
                    "result",
                    "问",
                    "答",
                    True,
                ),
            )
        web = client_of(unit.supervisor)
        risks = sheet_rows(web.get("/supervision/risks/export/"), "风险防范措施台账")
        assert risks[0][:4] == ["序号", "风险点", "风险描述", "责任人"]
        row = dict(zip(risks[0], risks[1], strict=True))
        assert row["风险点"] == '\'=HYPERLINK("http://x")' and row["防范措施"] == "'+措施"
        assert (row["责任人"], row["复核周期"], row["下次复核日期"]) == (
            "handler",
            "每季度",
            "2026-05-30",
        )
        assert (row["复核次数"], row["最近复核人"], row["状态"]) == (1, "reviewer", "有效")
        reviews = sheet_rows(web.get("/supervision/risks/export/"), "复核记录")
        assert reviews[1][2:5] == ["2026-03-02", "reviewer", "复核无问题"]

        plans = web.get("/supervision/plans/export/")
        plan_row = sheet_rows(plans, "紧急应对预案")[1]
        assert plan_row[1:4] == ["名单库异常预案", "名单库异常", "handler"]
        drill = sheet_rows(plans, "演练记录")[1]
        assert drill[2:7] == ["2026-03-02", 2, "handler、reviewer", "顺利", "'-无"]

        march = web.get("/supervision/consultations/export/?from=2026-03-01&to=2026-03-31")
        calls = sheet_rows(march, "电话咨询记录")
        assert len(calls) == 2 and calls[1][1:6] == ["2026-03-02", "09:05", "北京市委组织部",
                                                       "'@三月", "结果解释"]  # fmt: skip
        everything = web.get("/supervision/consultations/export/?from=2026-02-01&to=2026-03-31")
        assert len(sheet_rows(everything, "电话咨询记录")) == 3
    assert events("supervision.risk_export") == 2  # each download once
    assert events("supervision.plan_export") == 1
    exported = AuditEvent.objects.filter(action="supervision.consultation_export").order_by("seq")
    assert [(e.detail["rows"], e.detail["period_start"]) for e in exported] == [
        (1, "2026-03-01"),
        (2, "2026-02-01"),
    ]


# --- demo ---------------------------------------------------------------------------------------


def test_the_demo_loader_adds_the_registers_once(unit):
    from gongxin.supervision import demo_registers

    for name, role in (
        ("bj-supervisor", Role.SUPERVISOR),
        ("bj-handler1", Role.HANDLER),
        ("bj-handler2", Role.HANDLER),
        ("bj-reviewer1", Role.REVIEWER),
    ):
        make_staff(unit.bj, name, role)  # fmt: skip
    supervisor = unit.bj.staff.get(user__username="bj-supervisor")
    with clock.pinned(at("2026-03-02")):
        assert "风险点 3 个" in demo_registers.load(clock.today())
        assert demo_registers.load(clock.today()) == ""  # a second run changes nothing
        assert len(registers.overdue_risks(supervisor)) == 1
    assert (RiskPoint.objects.count(), EmergencyPlan.objects.count(), Drill.objects.count(),
            Consultation.objects.count()) == (3, 1, 1, 12)  # fmt: skip
    assert Consultation.objects.filter(follow_up=True, followed_up_on=None).count() == 2
