"""Accounts not used for GONGXIN_ACCOUNT_IDLE_DAYS (90 by default) are stopped: the daily
``gongxin accounts expire`` (MLPS 2.0: 及时删除或停用多余的、过期的账户).

"Used" is the last sign-in through the sign-in page (Django's ``last_login``); an account never
signed in counts from when it was opened (``date_joined``). Every active staff account is
considered, the three administrator roles (系统管理员、安全管理员、审计管理员) included: an
unused administrator account is as dangerous as any other. A stopped account is restarted by
the unit's security administrator (人员管理 → 启用账号).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from gongxin.accounts.models import Staff
from gongxin.accounts.services import switch_account
from gongxin.core import clock
from gongxin.platform.roles import Role
from gongxin.platform.trail import record

ACTOR = "system"


@dataclass(frozen=True)
class Idle:
    """One account found unused: since when, and whether it ever signed in."""

    staff: Staff
    last_used: dt.datetime
    signed_in: bool

    @property
    def days(self) -> int:
        return (clock.now() - self.last_used).days


def idle_days() -> int:
    return settings.GONGXIN_ACCOUNT_IDLE_DAYS


def _last_used(staff: Staff) -> tuple[dt.datetime, bool]:
    user = staff.user
    return (user.last_login, True) if user.last_login else (user.date_joined, False)


def idle_accounts() -> list[Idle]:
    """Active accounts unused for at least ``idle_days()`` days, by unit and name."""
    cutoff = clock.now() - dt.timedelta(days=idle_days())
    found = []
    people = Staff.objects.filter(active=True, user__is_active=True).select_related("user", "unit")
    people = people.order_by("unit__code", "full_name", "pk")
    for staff in people:
        last_used, signed_in = _last_used(staff)
        if last_used <= cutoff:
            found.append(Idle(staff, last_used, signed_in))
    return found


def expire(idle: Idle) -> bool:
    """Stop one idle account, ending its sessions, with one trail event; False when it was used
    or stopped by someone else since it was found (then nothing changes)."""
    with transaction.atomic():
        staff = (
            Staff.objects.select_for_update().select_related("user", "unit").get(pk=idle.staff.pk)
        )
        last_used, signed_in = _last_used(staff)
        if not staff.active or last_used > clock.now() - dt.timedelta(days=idle_days()):
            return False
        switch_account(staff, False)
        record(ACTOR, "staff.expire", staff, username=staff.user.username, unit=staff.unit.code,
               last_used=last_used.isoformat(), signed_in=signed_in,
               idle_days=idle_days())  # fmt: skip
    return True


def units_left_without_secadmin(units) -> list[str]:
    """Of these units, the names of those with no active security administrator left (who
    could restart the accounts)."""
    left = []
    for unit in units:
        holders = Staff.objects.filter(unit=unit, active=True, role_grants__role=Role.SECADMIN,
                                       role_grants__revoked_at__isnull=True)  # fmt: skip
        if not holders.exists():
            left.append(unit.name)
    return left
