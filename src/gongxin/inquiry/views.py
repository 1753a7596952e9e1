"""Pages for staff. Thin: forms in, services called, scope from gongxin.inquiry.scope."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongxin.audit.services import record
from gongxin.core import idnumber
from gongxin.core.dates import InvalidDate, parse_date
from gongxin.documents.services import letter_rows
from gongxin.inquiry import forms, services
from gongxin.inquiry.calendar import enter_year, work_calendar
from gongxin.inquiry.choices import OPEN_STATES, RequestState
from gongxin.inquiry.errors import FieldProblem, InvalidSubmission, WorkflowError
from gongxin.inquiry.models import CalendarYear, Candidate
from gongxin.inquiry.scope import can_see_candidates, request_or_404, requests_for, todo_for
from gongxin.permissions import requires

PAGE_SIZE = 20


@requires("dashboard")
def dashboard(request):
    staff = request.staff
    today = timezone.localdate()
    mine = todo_for(staff).order_by("deadline", "pk")
    open_ = requests_for(staff).filter(state__in=OPEN_STATES)
    context = {
        "todo": mine,
        "due_today": mine.filter(deadline=today),
        "overdue": mine.filter(deadline__lt=today),
        "no_deadline": open_.filter(deadline__isnull=True),
        "unassigned": open_.filter(state=RequestState.RECEIVED),
    }
    return render(request, "inquiry/dashboard.html", context)


@requires("request_list")
def request_list(request):
    qs = requests_for(request.staff)
    q = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    if q:
        qs = qs.filter(Q(letter_number__icontains=q) | Q(agency__name__icontains=q))
    if state in RequestState.values:
        qs = qs.filter(state=state)
    if request.GET.get("overdue"):
        qs = qs.filter(state__in=OPEN_STATES, deadline__lt=timezone.localdate())
    order = {"deadline": "deadline", "-received_on": "-received_on"}.get(
        request.GET.get("sort", ""), "-received_on"
    )
    page = Paginator(qs.order_by(order, "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inquiry/request_list.html", {
        "page": page, "q": q, "state": state, "states": RequestState.choices,
        "sort": order,
    })  # fmt: skip


@requires("request_new")
def request_new(request):
    form = forms.RegistrationForm(request.POST or None, request.FILES or None)
    problems: list[FieldProblem] = []
    if request.method == "POST" and form.is_valid():
        candidates, problems = form.candidates()
        data = form.cleaned_data
        if not problems:
            reg = services.Registration(
                data["agency"], data["letter_number"] or "", data["received_on"],
                data["kind"] or "", candidates,
            )  # fmt: skip
            try:
                req = services.register(request.staff, reg)
            except InvalidSubmission as exc:
                problems = exc.problems
            except WorkflowError as exc:
                problems = [FieldProblem("登记", exc.message)]
            else:
                messages.success(request, _registered_message(req))
                return redirect("request_detail", pk=req.pk)
    return render(request, "inquiry/request_new.html", {"form": form, "problems": problems})


def _registered_message(req) -> str:
    if req.state == RequestState.RETURNED:
        return f"已登记并退回：{req.return_reason}"
    if req.handler_id:
        return f"已登记，随机抽取的经办人为 {req.handler.full_name}"
    return "已登记，暂无可抽取的经办人，请联系安全管理员"


@requires("request_detail")
def request_detail(request, pk):
    staff = request.staff
    req = request_or_404(staff, pk)
    show = can_see_candidates(staff, req)
    candidates = []
    if show:
        for c in req.candidates.prefetch_related("matches", "reviews__reviewer"):
            name, number = services.candidate_identity(c)
            c.name, c.masked = name, idnumber.mask(number)
            c.my_review = next((r for r in c.reviews.all() if r.reviewer_id == staff.pk), None)
            candidates.append(c)
        record(staff, "request.view_candidates", req, count=len(candidates))
    actions = services.allowed_actions(staff, req)
    return render(request, "inquiry/request_detail.html", {
        "req": req, "show_candidates": show, "candidates": candidates, "actions": actions,
        "deadline_status": services.deadline_status(req),
        "participants": req.participants.select_related("staff"),
        "extensions": req.extensions.select_related("recorded_by"),
        "review_form": forms.ReviewForm(), "return_form": forms.ReturnForm(),
        "extension_form": forms.ExtensionForm(),
    })  # fmt: skip


ACTION_SERVICES = {
    "screen": lambda staff, pk, post: services.screen_request(staff, pk),
    "submit": lambda staff, pk, post: services.submit(staff, pk),
    "sign_off": lambda staff, pk, post: services.sign_off(staff, pk),
    "issue": lambda staff, pk, post: services.issue(staff, pk),
    "return": lambda staff, pk, post: services.return_request(staff, pk, post.get("reason", "")),
    "extend": lambda staff, pk, post: _extend(staff, pk, post),
    "correct": lambda staff, pk, post: services.correct(staff, pk, post.get("reason", "")),
}
DONE = {"screen": "已完成查询比对", "submit": "已提交", "sign_off": "已签发，结果已固定",
        "issue": "已反馈", "return": "已退回", "extend": "已记录",
        "correct": "已开始更正：重新查询、复核、签发后，新复函将取代原复函"}  # fmt: skip


def _extend(staff, pk, post):
    form = forms.ExtensionForm(post)
    if not form.is_valid():
        raise WorkflowError("invalid", "；".join(
            f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items()))  # fmt: skip
    return services.extend(staff, pk, services.ExtensionInput(**form.cleaned_data | {
        k: form.cleaned_data[k] or "" for k in ("agency_contact", "method")}))  # fmt: skip


@require_POST
@requires("request_action")
def request_action(request, pk, action):
    req = request_or_404(request.staff, pk)
    if action not in ACTION_SERVICES:
        raise Http404
    try:
        ACTION_SERVICES[action](request.staff, req.pk, request.POST)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, DONE[action])
    return redirect("request_detail", pk=req.pk)


@require_POST
@requires("candidate_review")
def candidate_review(request, pk):
    candidate = get_object_or_404(Candidate.objects.select_related("request"), pk=pk)
    req = request_or_404(request.staff, candidate.request_id)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择复核意见并填写理由")
    else:
        try:
            services.review(request.staff, candidate.pk, form.cleaned_data["decision"],
                            form.cleaned_data["reason"])  # fmt: skip
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已记录对第{candidate.row}号人选的复核意见")
    return redirect("request_detail", pk=req.pk)


@requires("request_result")
def request_result(request, pk):
    """The result as the letter will state it: name, masked ID number, result. Nothing else."""
    staff = request.staff
    req = request_or_404(staff, pk)
    if not can_see_candidates(staff, req) or not req.signed_at:
        raise Http404
    rows = letter_rows(req)
    record(staff, "request.view_result", req)
    return render(request, "inquiry/request_result.html", {"req": req, "rows": rows})


@requires("calendar")
def calendar(request):
    form = forms.CalendarYearForm(request.POST or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            holidays = _dates(data["holidays"])
            workdays = _dates(data["workdays"])
            enter_year(request.staff, data["year"], holidays, workdays)
        except (InvalidDate, WorkflowError) as exc:
            problems = [FieldProblem("日期", getattr(exc, "reason", None) or exc.message)]
        else:
            messages.success(request, f"{data['year']} 年节假日安排已保存")
            return redirect("calendar")
    years = CalendarYear.objects.prefetch_related("days")
    calendar_ = work_calendar()
    coverage = [(y, calendar_.covers(y)) for y in range(timezone.localdate().year - 1,
                                                      timezone.localdate().year + 3)]  # fmt: skip
    return render(request, "inquiry/calendar.html", {
        "form": form, "problems": problems, "years": years, "coverage": coverage})  # fmt: skip


def _dates(text: str):
    return [parse_date(line.strip()) for line in (text or "").splitlines() if line.strip()]
