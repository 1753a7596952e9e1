"""Demo people for the 定期轮换与业务培训 page: a Beijing handler past the tenure whose training
also lapses soon (never drawn, so the inquiry demo's draws are unchanged). Safe to run twice."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from gongxin.accounts.models import PlatformUnit, RoleGrant, Staff, TrainingRecord, add_months
from gongxin.platform.roles import Role

USERNAME = "bj-handler3"


def load(today: dt.date) -> str:
    unit = PlatformUnit.objects.filter(code="bj").first()
    if unit is None or Staff.objects.filter(user__username=USERNAME).exists():
        return ""
    user = get_user_model().objects.create(username=USERNAME)
    user.set_unusable_password()  # shown on the pages, never signs in
    user.save()
    staff = Staff.objects.create(user=user, unit=unit, full_name="孙磊",
                                 post_since=add_months(today, -unit.tenure_months - 1))  # fmt: skip
    RoleGrant.objects.create(staff=staff, role=Role.HANDLER, granted_by="demo")
    TrainingRecord.objects.create(staff=staff, course="公务员录用调任人选信用记录查询业务培训",
                                  trained_on=today - dt.timedelta(days=710),
                                  valid_until=today + dt.timedelta(days=20),
                                  recorded_by="demo")  # fmt: skip
    return f"定期轮换演示：北京 {USERNAME}（孙磊）已超过任职期限，业务培训 20 天后过期"
