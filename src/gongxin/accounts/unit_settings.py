"""单位设置: what the unit's system administrator sets for the unit itself — today the tenure on
a rotating post (经办人员定期轮换, PlatformUnit.tenure_months) that the draw and every page ask
through Staff.tenure_ends() and gongxin.platform.rules.within_tenure.

Like the other services: one transaction, refused before anything changes, one trail event
with the old and the new value.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render

from gongxin.accounts.models import PlatformUnit
from gongxin.platform.errors import InvalidSubmission, WorkflowError, invalid
from gongxin.platform.permissions import allowed, requires
from gongxin.platform.roles import Role
from gongxin.platform.trail import record

TENURE_MONTHS_RANGE = (1, 120)  # a month to ten years
TENURE_FIELD = "经办岗位任职期限（月）"


def set_tenure_months(actor, months) -> PlatformUnit:
    """Set the tenure of the actor's unit, in months (TENURE_MONTHS_RANGE)."""
    if not allowed(actor, Role.SYSADMIN):
        raise WorkflowError("forbidden", "只有系统管理员可以修改单位设置")
    low, high = TENURE_MONTHS_RANGE
    try:
        months = int(str(months).strip())
    except ValueError:
        raise invalid(TENURE_FIELD, "请填写整数月数") from None
    if not low <= months <= high:
        raise invalid(TENURE_FIELD, f"应为 {low} 至 {high} 个月")
    with transaction.atomic():
        unit = PlatformUnit.objects.select_for_update().get(pk=actor.unit_id)
        old = unit.tenure_months
        if old == months:
            raise WorkflowError("unchanged", "任职期限与原来相同，未作修改")
        unit.tenure_months = months
        unit.save(update_fields=["tenure_months"])
        record(actor, "unit.tenure", unit, old=old, new=months)
    return unit


class TenureForm(forms.Form):
    tenure_months = forms.CharField(required=False)


@requires("unit_settings")
def unit_settings(request):
    """The unit's settings page: the tenure on a rotating post, refused beside the field."""
    problems, refused = [], ""
    typed = None
    if request.method == "POST":
        typed = request.POST.get("tenure_months", "")
        try:
            set_tenure_months(request.staff, typed)
        except InvalidSubmission as exc:
            problems = exc.problems
        except WorkflowError as exc:
            refused = exc.message
        else:
            messages.success(request, "已修改经办岗位任职期限，此后的抽取按新期限判断")
            return redirect("unit_settings")
    unit = PlatformUnit.objects.get(pk=request.staff.unit_id)
    return render(request, "accounts/unit_settings.html", {
        "unit": unit, "problems": problems, "refused": refused, "field": TENURE_FIELD,
        "typed": unit.tenure_months if typed is None else typed, "range": TENURE_MONTHS_RANGE,
    })  # fmt: skip
