"""风险防范措施台账 and 紧急应对预案: the supervisor keeps the unit's risk points (each reviewed
at its interval) and emergency plans (each drilled at its interval); what is overdue shows on
the supervisor's 工作台.

MANAGE is the one rule of who keeps them: the permission map (gongxin.supervision.permissions),
the scopes below and every service here ask it. Each service runs in one transaction, refuses
with WorkflowError before changing anything, and records exactly one trail event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from gongxin.accounts.models import Staff
from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.dates import add_months
from gongxin.platform.errors import WorkflowError, invalid
from gongxin.platform.panels import Panel, provider
from gongxin.platform.permissions import allowed
from gongxin.platform.roles import Role
from gongxin.platform.scope import scope
from gongxin.supervision.free_text import free_text
from gongxin.supervision.register_models import (
    Drill,
    EmergencyPlan,
    Interval,
    RiskPoint,
    RiskReview,
    RiskStatus,
    Scenario,
)

# Who keeps the risk register and the emergency plans, records reviews and drills: the unit's
# supervisor (监督员). The permission map's level for every page of them.
MANAGE = Role.SUPERVISOR

TITLE_MAX = 100
REASON_MAX = 200


def may_manage(staff) -> bool:
    return allowed(staff, MANAGE)


@scope(RiskPoint)
def risk_points(staff, action: str) -> Q | None:
    """view/manage: the unit's own risk points, for those who keep the register."""
    if action not in ("view", "manage"):
        raise ValueError(f"unknown action {action!r} for risk points")
    return Q(unit_id=staff.unit_id) if may_manage(staff) else None


@scope(EmergencyPlan)
def emergency_plans(staff, action: str) -> Q | None:
    if action not in ("view", "manage"):
        raise ValueError(f"unknown action {action!r} for emergency plans")
    return Q(unit_id=staff.unit_id) if may_manage(staff) else None


# --- dates --------------------------------------------------------------------------------------


def overdue_risks(staff, today: dt.date | None = None):
    """The unit's risk points in force whose review date has passed (not the day itself)."""
    today = today or clock.today()
    return (
        RiskPoint.objects.restrict(staff, "view")
        .filter(status=RiskStatus.ACTIVE, next_review_on__lt=today)
        .select_related("owner")
    )


def overdue_plans(staff, today: dt.date | None = None):
    """The unit's plans whose drill date has passed (not the day itself)."""
    today = today or clock.today()
    return (
        EmergencyPlan.objects.restrict(staff, "view")
        .filter(next_drill_on__lt=today)
        .select_related("owner")
    )


@provider
def dashboard_panel(staff) -> list[Panel]:
    """The supervisor's 工作台: overdue reviews and drills (an alert), or that none are."""
    if staff is None or not may_manage(staff):
        return []
    today = clock.today()
    risks, plans = list(overdue_risks(staff, today)), list(overdue_plans(staff, today))
    data = {"risks": risks, "plans": plans, "count": len(risks) + len(plans)}
    return [Panel("supervision/registers_panel.html", data, alert=bool(risks or plans))]


# --- checks -------------------------------------------------------------------------------------


def _keeper(actor) -> None:
    if not may_manage(actor):
        raise WorkflowError("forbidden", "只有本单位监督员可以维护风险台账和应急预案")


def _unit_staff(actor, staff: Staff | None, label: str) -> Staff:
    """A person of the actor's unit, in service (an owner, a reviewer, a participant)."""
    if staff is None:
        raise invalid(label, "请选择" + label)
    if staff.unit_id != actor.unit_id or not staff.active:
        raise invalid(label, f"{label}应为本单位在职人员")
    return staff


def _not_future(label: str, day: dt.date) -> dt.date:
    if day > clock.today():
        raise invalid(label, f"{label}不能晚于今天")
    return day


def _interval(label: str, months) -> int:
    if months not in Interval.values:
        raise invalid(label, "请选择" + label)
    return int(months)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# --- risk points --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskInput:
    title: str
    description: str
    owner: Staff | None
    measure: str
    review_months: int
    next_review_on: dt.date


def _risk_fields(actor, given: RiskInput) -> dict:
    return {
        "title": free_text("风险点", given.title, TITLE_MAX),
        "description": free_text("风险描述", given.description),
        "owner": _unit_staff(actor, given.owner, "责任人"),
        "measure": free_text("防范措施", given.measure),
        "review_months": _interval("复核周期", given.review_months),
        "next_review_on": given.next_review_on,
    }


def create_risk(actor, given: RiskInput) -> RiskPoint:
    _keeper(actor)
    fields = _risk_fields(actor, given)
    with transaction.atomic():
        risk = RiskPoint.objects.create(unit_id=actor.unit_id, created_at=clock.now(),
                                        created_by=actor.user.get_username(), **fields)  # fmt: skip
        record(actor, "supervision.risk_create", risk, owner=risk.owner.full_name,
               next_review_on=_iso(risk.next_review_on))  # fmt: skip
    return risk


def edit_risk(actor, pk: int, given: RiskInput) -> RiskPoint:
    """Change a risk point in force; the trail names the fields changed."""
    _keeper(actor)
    fields = _risk_fields(actor, given)
    with transaction.atomic():
        risk = RiskPoint.objects.restrict(actor, "manage").select_for_update().get_or_404(pk=pk)
        if risk.status != RiskStatus.ACTIVE:
            raise WorkflowError("revoked", "该风险点已撤销，不能修改")
        changed = [name for name, value in fields.items() if getattr(risk, name) != value]
        if not changed:
            raise WorkflowError("unchanged", "没有修改任何内容")
        for name in changed:
            setattr(risk, name, fields[name])
        risk.save(update_fields=changed)
        record(actor, "supervision.risk_edit", risk, fields=",".join(changed))
    return risk


def review_risk(actor, pk: int, reviewed_on: dt.date, reviewer: Staff | None, outcome: str,
                next_review_on: dt.date | None = None) -> RiskReview:  # fmt: skip
    """Record a review; the next one falls an interval after it unless another date is given."""
    _keeper(actor)
    reviewed_on = _not_future("复核日期", reviewed_on)
    reviewer = _unit_staff(actor, reviewer, "复核人")
    outcome = free_text("复核情况", outcome)
    with transaction.atomic():
        risk = RiskPoint.objects.restrict(actor, "manage").select_for_update().get_or_404(pk=pk)
        if risk.status != RiskStatus.ACTIVE:
            raise WorkflowError("revoked", "该风险点已撤销，不再复核")
        following = next_review_on or add_months(reviewed_on, risk.review_months)
        if following <= reviewed_on:
            raise invalid("下次复核日期", "下次复核日期应晚于本次复核日期")
        review = RiskReview.objects.create(
            risk=risk, reviewed_on=reviewed_on, reviewer=reviewer, outcome=outcome,
            recorded_at=clock.now(), recorded_by=actor.user.get_username(),
        )  # fmt: skip
        risk.next_review_on = following
        risk.save(update_fields=["next_review_on"])
        record(actor, "supervision.risk_review", risk, reviewed_on=_iso(reviewed_on),
               reviewer=reviewer.full_name, next_review_on=_iso(following))  # fmt: skip
    return review


def revoke_risk(actor, pk: int, reason: str) -> RiskPoint:
    """撤销 a risk point no longer relevant: it stays in the register, marked, with the reason."""
    _keeper(actor)
    reason = free_text("撤销原因", reason, REASON_MAX)
    with transaction.atomic():
        risk = RiskPoint.objects.restrict(actor, "manage").select_for_update().get_or_404(pk=pk)
        if risk.status == RiskStatus.REVOKED:
            raise WorkflowError("unchanged", "该风险点已经撤销")
        risk.status, risk.revoked_reason = RiskStatus.REVOKED, reason
        risk.revoked_at, risk.revoked_by = clock.now(), actor.user.get_username()
        risk.save(update_fields=["status", "revoked_reason", "revoked_at", "revoked_by"])
        record(actor, "supervision.risk_revoke", risk, reason=reason)
    return risk


# --- emergency plans ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    title: str
    scenario: str
    owner: Staff | None
    measures: str
    drill_months: int
    next_drill_on: dt.date


def _plan_fields(actor, given: PlanInput) -> dict:
    if given.scenario not in Scenario.values:
        raise invalid("适用情形", "请选择适用情形")
    return {
        "title": free_text("预案名称", given.title, TITLE_MAX),
        "scenario": given.scenario,
        "owner": _unit_staff(actor, given.owner, "责任人"),
        "measures": free_text("应对措施", given.measures),
        "drill_months": _interval("演练周期", given.drill_months),
        "next_drill_on": given.next_drill_on,
    }


def create_plan(actor, given: PlanInput) -> EmergencyPlan:
    _keeper(actor)
    fields = _plan_fields(actor, given)
    with transaction.atomic():
        plan = EmergencyPlan.objects.create(unit_id=actor.unit_id, created_at=clock.now(),
                                            created_by=actor.user.get_username(),
                                            **fields)  # fmt: skip
        record(actor, "supervision.plan_create", plan, owner=plan.owner.full_name,
               next_drill_on=_iso(plan.next_drill_on))  # fmt: skip
    return plan


def edit_plan(actor, pk: int, given: PlanInput) -> EmergencyPlan:
    _keeper(actor)
    fields = _plan_fields(actor, given)
    with transaction.atomic():
        plan = EmergencyPlan.objects.restrict(actor, "manage").select_for_update().get_or_404(pk=pk)
        changed = [name for name, value in fields.items() if getattr(plan, name) != value]
        if not changed:
            raise WorkflowError("unchanged", "没有修改任何内容")
        for name in changed:
            setattr(plan, name, fields[name])
        plan.save(update_fields=changed)
        record(actor, "supervision.plan_edit", plan, fields=",".join(changed))
    return plan


@dataclass(frozen=True)
class DrillInput:
    held_on: dt.date
    participants: tuple[Staff, ...]
    outcome: str
    problems: str = ""
    improvements: str = ""
    next_drill_on: dt.date | None = None


def record_drill(actor, pk: int, given: DrillInput) -> Drill:
    """Record a drill; the next falls an interval after it unless another date is given."""
    _keeper(actor)
    held_on = _not_future("演练日期", given.held_on)
    if not given.participants:
        raise invalid("参加人员", "请选择参加人员")
    people = [_unit_staff(actor, p, "参加人员") for p in given.participants]
    outcome = free_text("演练情况", given.outcome)
    problems = free_text("发现的问题", given.problems, required=False)
    improvements = free_text("改进措施", given.improvements, required=False)
    with transaction.atomic():
        plan = EmergencyPlan.objects.restrict(actor, "manage").select_for_update().get_or_404(pk=pk)
        following = given.next_drill_on or add_months(held_on, plan.drill_months)
        if following <= held_on:
            raise invalid("下次演练日期", "下次演练日期应晚于本次演练日期")
        drill = Drill.objects.create(
            plan=plan, held_on=held_on, outcome=outcome, problems=problems,
            improvements=improvements, recorded_at=clock.now(),
            recorded_by=actor.user.get_username(),
        )  # fmt: skip
        drill.participants.set(people)
        plan.next_drill_on = following
        plan.save(update_fields=["next_drill_on"])
        record(actor, "supervision.plan_drill", plan, held_on=_iso(held_on),
               participants=len(people), next_drill_on=_iso(following))  # fmt: skip
    return drill
