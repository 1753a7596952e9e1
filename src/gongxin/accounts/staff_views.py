"""人员管理 pages for the security administrator. Thin: forms in, gongxin.accounts.services
called, staff read only through ``Staff.objects.restrict(staff, "manage")`` (another unit's
staff is 404). The actions are POST-only; a GET goes back to the person's page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from gongxin.accounts import forms, records, services, signin
from gongxin.accounts.models import RULE_PREFETCH, Staff
from gongxin.platform.errors import Problem, WorkflowError
from gongxin.platform.forms import problems_of
from gongxin.platform.permissions import requires
from gongxin.platform.roles import Role


def _managed(staff):
    return Staff.objects.restrict(staff, "manage").select_related("user")


@requires("staff_list")
def staff_list(request):
    people = list(_managed(request.staff).prefetch_related(*RULE_PREFETCH, "recusals__agency")
                  .order_by("full_name"))  # fmt: skip
    records.list_flags(people)  # 人员档案: who cannot be drawn now, and why
    return render(request, "accounts/staff_list.html", {"people": people})


@requires("staff_new")
def staff_new(request):
    form = forms.StaffCreateForm(request.POST or None)
    problems = []
    if request.method == "POST":
        valid = form.is_valid()
        data = form.cleaned_data
        if valid:
            new = services.NewStaff(
                username=data["username"], full_name=data["full_name"],
                post_since=data["post_since"], trained_on=data["trained_on"],
                roles=frozenset(data["roles"]), password=data["password"],
            )  # fmt: skip
            try:
                person = services.create_staff(request.staff, new)
            except WorkflowError as exc:
                found = getattr(exc, "problems", None) or [Problem("角色", exc.message)]
                problems = _in_page_order(form, found)
            else:
                messages.success(request, f"已开设{person.full_name}的账号")
                return redirect("staff_detail", pk=person.pk)
        else:  # what the form could read is checked too: every problem in one round
            checked = services.new_staff_problems(
                username=data.get("username"), full_name=data.get("full_name"),
                roles=data.get("roles"), password=data.get("password"),
                trained_on=data.get("trained_on"),
            )  # fmt: skip
            problems = _in_page_order(form, problems_of(form) + checked)
    return render(request, "accounts/staff_new.html", {"form": form, "problems": problems})


def _in_page_order(form, problems):
    order = [str(f.label) for f in form.fields.values()]
    return sorted(problems, key=lambda p: order.index(p.field) if p.field in order else len(order))


@requires("staff_detail")
def staff_detail(request, pk):
    person = _managed(request.staff).get_or_404(pk=pk)
    return _detail_page(request, person)


def _detail_page(request, person, *, failed: tuple[str, object, list[Problem]] | None = None):
    """The person's page; ``failed`` = (form, what was typed, problems) re-shows a form of the
    page that was refused with what was typed in it and its problems beside it."""
    grants = person.role_grants.order_by("-granted_at", "-pk")
    context = {
        "person": person,
        "grants": grants,
        "grantable": [(r, Role(r).label) for r in Role.values if r not in person.roles],
        "revocable": [(r, Role(r).label) for r in Role.values if r in person.roles],
        "is_me": person.pk == request.staff.pk,
        "locked_until": signin.locked_until(person.user.get_username()),
    }
    context.update(records.records_context(person))  # 人员档案: training, tenure, recusals
    if failed:
        key, typed, problems = failed
        context.update(failed=key, kept={key: typed}, form_problems={key: problems})
    return render(request, "accounts/staff_detail.html", context)


def _action(url_name: str, form_class, take, done: str, *, keep=None):
    """One POST-only action on a person of the administrator's unit. ``keep(post)`` names the
    page's form it came from and what of its input to show again: a refused submission then
    re-shows the page with that form as it was typed and its problems beside it (else the
    page is shown afresh with the problems at the top)."""

    @requires(url_name)
    def act(request, pk):
        person = _managed(request.staff).get_or_404(pk=pk)
        if request.method != "POST":  # a bookmark, or the sign-in page sending them back
            messages.info(request, "请在本页填写后提交")
            return redirect("staff_detail", pk=person.pk)
        form = form_class(request.POST)
        shown = keep is not None and person.pk != request.staff.pk  # one's own: no forms shown
        if not form.is_valid():
            if shown:
                return _detail_page(
                    request, person, failed=(*keep(request.POST), problems_of(form))
                )
            messages.error(request, "；".join(str(p) for p in problems_of(form)) + "，未作修改")
            return redirect("staff_detail", pk=person.pk)
        try:
            take(request.staff, person.pk, form.cleaned_data)
        except WorkflowError as exc:
            if shown:
                found = getattr(exc, "problems", None) or [Problem("", exc.message)]
                return _detail_page(request, person, failed=(*keep(request.POST), found))
            messages.error(request, exc.explanation)
        else:
            messages.success(request, done)
        return redirect("staff_detail", pk=person.pk)

    act.__name__ = url_name
    return act


staff_grant = _action(
    "staff_grant", forms.RoleChangeForm,
    lambda actor, pk, d: services.grant_role(actor, pk, d["role"], d["reason"]), "已授予角色",
)  # fmt: skip
staff_revoke = _action(
    "staff_revoke", forms.RoleChangeForm,
    lambda actor, pk, d: services.revoke_role(actor, pk, d["role"], d["reason"]), "已撤销角色",
)  # fmt: skip
staff_deactivate = _action(
    "staff_deactivate", forms.ReasonForm,
    lambda actor, pk, d: services.set_active(actor, pk, False, d["reason"]),
    "账号已停用，该工作人员的登录均已失效",
)  # fmt: skip
staff_activate = _action(
    "staff_activate", forms.ReasonForm,
    lambda actor, pk, d: services.set_active(actor, pk, True, d["reason"]), "账号已启用",
)  # fmt: skip
