"""Pages of the risk register (/supervision/risks/), the emergency plans (/supervision/plans/)
and the consultation log (/supervision/consultations/), and their XLSX exports.

Thin: records read through ``restrict`` (another unit's answers 404), changes through the
services of gongxin.supervision.registers and .consultations, whose problems are shown beside
the field they name; a refused form changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.dates import InvalidDate, coerce_date
from gongxin.platform.errors import InvalidSubmission, WorkflowError
from gongxin.platform.permissions import requires
from gongxin.supervision import consultations, registers, workbook
from gongxin.supervision import register_forms as f
from gongxin.supervision.figures import Period
from gongxin.supervision.register_models import (
    Consultation,
    Drill,
    EmergencyPlan,
    Interval,
    RiskPoint,
    RiskReview,
    RiskStatus,
)


def _submit(form: forms.Form, act):
    """``act(cleaned_data)`` when the form is valid; a refusal is put beside the field it names
    (or above the form). Returns what ``act`` returned, or None when refused."""
    if not form.is_valid():
        return None
    try:
        return act(form.cleaned_data)
    except InvalidSubmission as exc:
        by_label = {str(field.label): name for name, field in form.fields.items()}
        for problem in exc.problems:
            form.add_error(by_label.get(problem.field), problem.reason)
    except WorkflowError as exc:
        form.add_error(None, exc.message)
    return None


def _form_page(request, form, *, title: str, submit: str, back: str, intro: str = "",
               subject=None):  # fmt: skip
    return render(request, "supervision/registers_form.html", {
        "form": form, "title": title, "submit": submit, "back": back, "intro": intro,
        "subject": subject,
    })  # fmt: skip


def _xlsx(sheets: list[tuple[str, list[str], list[list]]], name: str) -> HttpResponse:
    return workbook.download(workbook.plain(sheets), f"{name}-{clock.today()}.xlsx")


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


# --- 风险防范措施台账 ---------------------------------------------------------------------------


def _risk_input(d) -> registers.RiskInput:
    return registers.RiskInput(d["title"], d["description"], d["owner"], d["measure"],
                               d["review_months"], d["next_review_on"])  # fmt: skip


@requires("supervision_risks")
def risk_list(request):
    risks = list(RiskPoint.objects.restrict(request.staff, "view").select_related("owner")
                 .prefetch_related("reviews__reviewer"))  # fmt: skip
    today = clock.today()
    for risk in risks:
        risk.is_overdue = risk.overdue(today)
        risk.last_review = next(iter(risk.reviews.all()), None)
    return render(request, "supervision/registers_risks.html", {"risks": risks, "today": today})


@requires("supervision_risk_new")
def risk_new(request):
    form = f.RiskForm(request.staff, request.POST or None)
    if request.method == "POST":
        risk = _submit(form, lambda d: registers.create_risk(request.staff, _risk_input(d)))
        if risk is not None:
            messages.success(request, "已登记风险点")
            return redirect("supervision_risk_detail", risk.pk)
    return _form_page(request, form, title="登记风险点", submit="登记",
                      back=reverse("supervision_risks"))  # fmt: skip


@requires("supervision_risk_detail")
def risk_detail(request, pk: int):
    risk = (
        RiskPoint.objects.restrict(request.staff, "view").select_related("owner").get_or_404(pk=pk)
    )
    reviews = risk.reviews.select_related("reviewer")
    return render(request, "supervision/registers_risk_detail.html", {
        "risk": risk, "reviews": reviews, "overdue": risk.overdue(clock.today()),
        "active": risk.status == RiskStatus.ACTIVE,
    })  # fmt: skip


@requires("supervision_risk_edit")
def risk_edit(request, pk: int):
    risk = RiskPoint.objects.restrict(request.staff, "manage").get_or_404(pk=pk)
    initial = {name: getattr(risk, name) for name in f.RiskForm.base_fields}
    initial["owner"] = risk.owner_id
    form = f.RiskForm(request.staff, request.POST or None, initial=initial)
    if request.method == "POST":
        if _submit(form, lambda d: registers.edit_risk(request.staff, pk, _risk_input(d))):
            messages.success(request, "已修改风险点")
            return redirect("supervision_risk_detail", pk)
    return _form_page(request, form, title="修改风险点", submit="保存", subject=risk,
                      back=reverse("supervision_risk_detail", args=[pk]))  # fmt: skip


@requires("supervision_risk_review")
def risk_review(request, pk: int):
    risk = RiskPoint.objects.restrict(request.staff, "manage").get_or_404(pk=pk)
    form = f.ReviewForm(request.staff, request.POST or None)
    if request.method == "POST":
        done = _submit(form, lambda d: registers.review_risk(
            request.staff, pk, d["reviewed_on"], d["reviewer"], d["outcome"], d["next_review_on"]
        ))  # fmt: skip
        if done is not None:
            messages.success(request, "已登记复核")
            return redirect("supervision_risk_detail", pk)
    every = Interval(risk.review_months).label
    return _form_page(request, form, title="登记复核", submit="登记复核", subject=risk,
                      intro=f"复核周期：{every}；当前下次复核日期：{risk.next_review_on}。",
                      back=reverse("supervision_risk_detail", args=[pk]))  # fmt: skip


@requires("supervision_risk_revoke")
def risk_revoke(request, pk: int):
    risk = RiskPoint.objects.restrict(request.staff, "manage").get_or_404(pk=pk)
    form = f.RevokeForm(request.staff, request.POST or None)
    if request.method == "POST":
        if _submit(form, lambda d: registers.revoke_risk(request.staff, pk, d["reason"])):
            messages.success(request, "风险点已撤销")
            return redirect("supervision_risk_detail", pk)
    return _form_page(request, form, title="撤销风险点", submit="撤销", subject=risk,
                      intro="撤销后该风险点仍保留在台账中，标明已撤销及原因，不再提醒复核。",
                      back=reverse("supervision_risk_detail", args=[pk]))  # fmt: skip


RISK_COLUMNS = ["序号", "风险点", "风险描述", "责任人", "防范措施", "复核周期", "下次复核日期",
                "是否逾期", "状态", "撤销原因", "复核次数", "最近复核日期", "最近复核人",
                "最近复核情况"]  # fmt: skip
REVIEW_COLUMNS = ["风险点序号", "风险点", "复核日期", "复核人", "复核情况", "登记人"]


@requires("supervision_risks_export")
def risk_export(request):
    """The register and every review, as XLSX."""
    staff, today = request.staff, clock.today()
    reviews = Prefetch("reviews", RiskReview.objects.select_related("reviewer"))
    risks = list(RiskPoint.objects.restrict(staff, "view").select_related("owner")
                 .prefetch_related(reviews))  # fmt: skip
    rows, review_rows = [], []
    for n, risk in enumerate(risks, start=1):
        done = list(risk.reviews.all())
        last = done[0] if done else None
        rows.append([
            n, risk.title, risk.description, risk.owner.full_name, risk.measure,
            risk.get_review_months_display(), _day(risk.next_review_on),
            "是" if risk.overdue(today) else "否", risk.get_status_display(),
            risk.revoked_reason, len(done), _day(last.reviewed_on) if last else "",
            last.reviewer.full_name if last else "", last.outcome if last else "",
        ])  # fmt: skip
        review_rows += [[n, risk.title, _day(r.reviewed_on), r.reviewer.full_name, r.outcome,
                         r.recorded_by] for r in reversed(done)]  # fmt: skip
    record(staff, "supervision.risk_export", ref=("RiskPoint", ""), rows=len(rows))
    sheets = [("风险防范措施台账", RISK_COLUMNS, rows), ("复核记录", REVIEW_COLUMNS, review_rows)]
    return _xlsx(sheets, "risks")


# --- 紧急应对预案 -------------------------------------------------------------------------------


def _plan_input(d) -> registers.PlanInput:
    return registers.PlanInput(d["title"], d["scenario"], d["owner"], d["measures"],
                               d["drill_months"], d["next_drill_on"])  # fmt: skip


@requires("supervision_plans")
def plan_list(request):
    plans = list(EmergencyPlan.objects.restrict(request.staff, "view").select_related("owner")
                 .prefetch_related("drills"))  # fmt: skip
    today = clock.today()
    for plan in plans:
        plan.is_overdue = plan.overdue(today)
        plan.last_drill = next(iter(plan.drills.all()), None)
    return render(request, "supervision/registers_plans.html", {"plans": plans, "today": today})


@requires("supervision_plan_new")
def plan_new(request):
    form = f.PlanForm(request.staff, request.POST or None)
    if request.method == "POST":
        plan = _submit(form, lambda d: registers.create_plan(request.staff, _plan_input(d)))
        if plan is not None:
            messages.success(request, "已登记应急预案")
            return redirect("supervision_plan_detail", plan.pk)
    return _form_page(request, form, title="登记应急预案", submit="登记",
                      back=reverse("supervision_plans"))  # fmt: skip


@requires("supervision_plan_detail")
def plan_detail(request, pk: int):
    plan = (
        EmergencyPlan.objects.restrict(request.staff, "view")
        .select_related("owner")
        .get_or_404(pk=pk)
    )
    drills = plan.drills.prefetch_related("participants")
    return render(request, "supervision/registers_plan_detail.html", {
        "plan": plan, "drills": drills, "overdue": plan.overdue(clock.today()),
    })  # fmt: skip


@requires("supervision_plan_edit")
def plan_edit(request, pk: int):
    plan = EmergencyPlan.objects.restrict(request.staff, "manage").get_or_404(pk=pk)
    initial = {name: getattr(plan, name) for name in f.PlanForm.base_fields}
    initial["owner"] = plan.owner_id
    form = f.PlanForm(request.staff, request.POST or None, initial=initial)
    if request.method == "POST":
        if _submit(form, lambda d: registers.edit_plan(request.staff, pk, _plan_input(d))):
            messages.success(request, "已修改应急预案")
            return redirect("supervision_plan_detail", pk)
    return _form_page(request, form, title="修改应急预案", submit="保存", subject=plan,
                      back=reverse("supervision_plan_detail", args=[pk]))  # fmt: skip


@requires("supervision_plan_drill")
def plan_drill(request, pk: int):
    plan = EmergencyPlan.objects.restrict(request.staff, "manage").get_or_404(pk=pk)
    form = f.DrillForm(request.staff, request.POST or None)
    if request.method == "POST":
        done = _submit(form, lambda d: registers.record_drill(
            request.staff, pk, registers.DrillInput(
                d["held_on"], tuple(d["participants"]), d["outcome"], d["problems"],
                d["improvements"], d["next_drill_on"],
            ),
        ))  # fmt: skip
        if done is not None:
            messages.success(request, "已登记演练")
            return redirect("supervision_plan_detail", pk)
    every = Interval(plan.drill_months).label
    return _form_page(request, form, title="登记演练", submit="登记演练", subject=plan,
                      intro=f"演练周期：{every}；当前下次演练日期：{plan.next_drill_on}。",
                      back=reverse("supervision_plan_detail", args=[pk]))  # fmt: skip


PLAN_COLUMNS = ["序号", "预案名称", "适用情形", "责任人", "应对措施", "演练周期", "下次演练日期",
                "是否逾期", "演练次数", "最近演练日期"]  # fmt: skip
DRILL_COLUMNS = ["预案序号", "预案名称", "演练日期", "参加人数", "参加人员", "演练情况",
                 "发现的问题", "改进措施"]  # fmt: skip


@requires("supervision_plans_export")
def plan_export(request):
    """The plans and every drill, as XLSX."""
    staff, today = request.staff, clock.today()
    drills = Prefetch("drills", Drill.objects.prefetch_related("participants"))
    plans = list(EmergencyPlan.objects.restrict(staff, "view").select_related("owner")
                 .prefetch_related(drills))  # fmt: skip
    rows, drill_rows = [], []
    for n, plan in enumerate(plans, start=1):
        done = list(plan.drills.all())
        rows.append([
            n, plan.title, plan.get_scenario_display(), plan.owner.full_name, plan.measures,
            plan.get_drill_months_display(), _day(plan.next_drill_on),
            "是" if plan.overdue(today) else "否", len(done),
            _day(done[0].held_on) if done else "",
        ])  # fmt: skip
        for drill in reversed(done):
            people = sorted(p.full_name for p in drill.participants.all())
            drill_rows.append([n, plan.title, _day(drill.held_on), len(people), "、".join(people),
                               drill.outcome, drill.problems, drill.improvements])  # fmt: skip
    record(staff, "supervision.plan_export", ref=("EmergencyPlan", ""), rows=len(rows))
    return _xlsx([("紧急应对预案", PLAN_COLUMNS, rows), ("演练记录", DRILL_COLUMNS, drill_rows)],
                 "plans")  # fmt: skip


# --- 电话咨询 -----------------------------------------------------------------------------------


def _given_date(raw: str) -> dt.date | None:
    """A date typed in the filter, or None (blank or not a date: the default is used)."""
    try:
        return coerce_date(raw[:20])
    except InvalidDate:
        return None


def _period(params) -> Period:
    """The period the log shows: from/to as given, else this month so far."""
    today = clock.today()
    start = _given_date(params.get("from", "")) or today.replace(day=1)
    end = _given_date(params.get("to", "")) or today
    return Period(start, end) if start <= end else Period(end, start)


def _calls(staff, params):
    period = _period(params)
    qs = (
        Consultation.objects.restrict(staff, "view")
        .filter(called_on__gte=period.start, called_on__lte=period.end)
        .select_related("recorded_by")
    )
    open_only = bool(params.get("open"))
    if open_only:
        qs = qs.filter(follow_up=True, followed_up_on=None)
    return qs, period, open_only


@requires("supervision_consultations")
def consultation_list(request):
    qs, period, open_only = _calls(request.staff, request.GET)
    return render(request, "supervision/registers_consultations.html", {
        "calls": qs, "period": period, "open_only": open_only,
        "query": request.GET.urlencode(),
    })  # fmt: skip


@requires("supervision_consultation_new")
def consultation_new(request):
    form = f.ConsultationForm(request.staff, request.POST or None)
    if request.method == "POST":
        call = _submit(form, lambda d: consultations.record_call(
            request.staff, consultations.CallInput(
                d["agency"], d["agency_name"], d["caller"], d["called_on"], d["called_time"],
                d["topic"], d["question"], d["answer"], d["follow_up"],
            ),
        ))  # fmt: skip
        if call is not None:
            messages.success(request, "已登记电话咨询")
            return redirect("supervision_consultation_detail", call.pk)
    return _form_page(request, form, title="登记电话咨询", submit="登记",
                      intro="记录来电单位、来电人、咨询事项和答复。不要记录人选的公民身份号码。",
                      back=reverse("supervision_consultations"))  # fmt: skip


@requires("supervision_consultation_detail")
def consultation_detail(request, pk: int):
    call = (
        Consultation.objects.restrict(request.staff, "view")
        .select_related("recorded_by")
        .get_or_404(pk=pk)
    )
    return render(request, "supervision/registers_consultation_detail.html", {"call": call})


@requires("supervision_consultation_follow_up")
def consultation_follow_up(request, pk: int):
    call = Consultation.objects.restrict(request.staff, "record").get_or_404(pk=pk)
    form = f.FollowUpForm(request.staff, request.POST or None)
    if request.method == "POST":
        done = _submit(form, lambda d: consultations.follow_up(request.staff, pk, d["done_on"],
                                                               d["note"]))  # fmt: skip
        if done is not None:
            messages.success(request, "已登记跟进情况")
            return redirect("supervision_consultation_detail", pk)
    return _form_page(request, form, title="登记跟进情况", submit="登记", subject=call,
                      back=reverse("supervision_consultation_detail", args=[pk]))  # fmt: skip


CALL_COLUMNS = ["序号", "来电日期", "来电时间", "来电单位", "来电人", "咨询事项", "咨询内容",
                "答复内容", "需跟进", "跟进日期", "跟进情况", "记录人"]  # fmt: skip


@requires("supervision_consultations_export")
def consultation_export(request):
    """The log of the period (and filter) the list shows, as XLSX."""
    qs, period, open_only = _calls(request.staff, request.GET)
    rows = [[
        n, _day(c.called_on), c.called_time.strftime("%H:%M") if c.called_time else "",
        c.agency_name, c.caller, c.get_topic_display(), c.question, c.answer,
        "是" if c.follow_up else "否", _day(c.followed_up_on), c.follow_up_note,
        c.recorded_by.full_name,
    ] for n, c in enumerate(qs.order_by("called_on", "called_time", "pk"), start=1)]  # fmt: skip
    record(request.staff, "supervision.consultation_export", ref=("Consultation", ""),
           rows=len(rows), period_start=period.start.isoformat(),
           period_end=period.end.isoformat(), open_only=open_only)  # fmt: skip
    return _xlsx([("电话咨询记录", CALL_COLUMNS, rows)], "consultations")
