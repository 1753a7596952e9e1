"""Pages of sign-in security besides signing in: 专机管理 and the password and second-factor
resets of the security administrator, and the page where a workstation's browser types its
enrolment code. Thin: forms in, gongxin.accounts.workstations / resets called; workstations and
staff read only through ``restrict(staff, "manage")`` (another unit's are 404). A one-time
secret (enrolment code, temporary password) is shown in the answer to the POST that made it and
nowhere else (not in a message, which would keep it in a cookie)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from gongxin.accounts import resets, workstations
from gongxin.accounts.forms import ReasonForm
from gongxin.accounts.models import Staff, Workstation
from gongxin.accounts.security_forms import EnrolmentForm, WorkstationForm
from gongxin.accounts.signin import client_address
from gongxin.accounts.staff_views import _action
from gongxin.platform.errors import Problem, WorkflowError
from gongxin.platform.forms import problems_of
from gongxin.platform.permissions import requires

# --- 专机管理 -----------------------------------------------------------------------------------


def _workstations(staff):
    return Workstation.objects.restrict(staff, "manage").select_related("unit")


@requires("workstation_list")
def workstation_list(request):
    rows = _workstations(request.staff).order_by("-active", "name", "pk")
    return render(request, "accounts/workstation_list.html", {"workstations": rows})


@requires("workstation_new")
def workstation_new(request):
    form = WorkstationForm(request.POST or None)
    problems = []
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                ws, code = workstations.register(request.staff, request.staff.unit, data["name"],
                                                 data["ranges"])  # fmt: skip
            except WorkflowError as exc:
                problems = getattr(exc, "problems", None) or [Problem("名称", exc.message)]
            else:
                return _code_page(request, ws, code, new=True)
        else:
            problems = problems_of(form)
    return render(request, "accounts/workstation_new.html", {"form": form, "problems": problems})


def _code_page(request, ws, code: str, *, new: bool):
    context = {"ws": ws, "code": code, "new": new,
               "enrol_url": request.build_absolute_uri(reverse("workstation_enrol"))}  # fmt: skip
    return render(request, "accounts/workstation_code.html", context)


@requires("workstation_code")
def workstation_code(request, pk):
    ws = _workstations(request.staff).get_or_404(pk=pk)
    if request.method != "POST":
        return redirect("workstation_list")
    try:
        ws, code = workstations.reissue_code(request.staff, ws.pk)
    except WorkflowError as exc:
        messages.error(request, exc.explanation)
        return redirect("workstation_list")
    return _code_page(request, ws, code, new=False)


@requires("workstation_deactivate")
def workstation_deactivate(request, pk):
    ws = _workstations(request.staff).get_or_404(pk=pk)
    if request.method != "POST":
        return redirect("workstation_list")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(p) for p in problems_of(form)) + "，未作修改")
        return redirect("workstation_list")
    try:
        workstations.deactivate(request.staff, ws.pk, form.cleaned_data["reason"])
    except WorkflowError as exc:
        messages.error(request, exc.explanation)
    else:
        messages.success(request, f"已停用专用终端“{ws.name}”：在该机上的登录均已失效")
    return redirect("workstation_list")


@requires("workstation_enrol")
def workstation_enrol(request):
    """登记专用终端: opened in the workstation's own browser (nobody signed in), the code the
    security administrator was given makes this browser the workstation."""
    form = EnrolmentForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    problems = []
    if request.method == "POST":
        if form.is_valid():
            try:
                ws, credential = workstations.enrol(form.cleaned_data["code"],
                                                    client_address(request) or "")  # fmt: skip
            except WorkflowError as exc:
                problems = [Problem("登记码", exc.message)]
            else:
                response = render(request, "accounts/workstation_enrolled.html", {"ws": ws})
                workstations.set_cookie(response, credential)
                return response
        else:
            problems = problems_of(form)
    context = {"form": form, "problems": problems, "here": workstations.at(request).workstation}
    return render(request, "accounts/workstation_enrol.html", context)


# --- resets on a person's page (人员管理) -------------------------------------------------------


def _person(request, pk):
    return Staff.objects.restrict(request.staff, "manage").select_related("user").get_or_404(pk=pk)


def _reason(request):
    """The reason typed, or None after saying what is missing (nothing changes)."""
    form = ReasonForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["reason"]
    messages.error(request, "；".join(str(p) for p in problems_of(form)) + "，未作修改")
    return None


@requires("staff_password_reset")
def staff_password_reset(request, pk):
    person = _person(request, pk)
    if request.method != "POST" or (reason := _reason(request)) is None:
        return redirect("staff_detail", pk=person.pk)
    try:
        person, temporary = resets.reset_password(request.staff, person.pk, reason)
    except WorkflowError as exc:
        messages.error(request, exc.explanation)
        return redirect("staff_detail", pk=person.pk)
    return render(request, "accounts/password_reset_done.html",
                  {"person": person, "temporary": temporary})  # fmt: skip


# The resets that only answer with a message: the same POST-only action as the other changes
# of a person's account (gongxin.accounts.staff_views._action).
staff_otp_reset = _action(
    "staff_otp_reset", ReasonForm,
    lambda actor, pk, d: resets.reset_second_factor(actor, pk, d["reason"]),
    "已重置动态验证码：该工作人员的登录均已失效，下次登录时重新绑定",
)  # fmt: skip
staff_unlock = _action(
    "staff_unlock", ReasonForm, lambda actor, pk, d: resets.unlock(actor, pk, d["reason"]),
    "已解除锁定：该工作人员现在可以用原密码登录",
)  # fmt: skip
