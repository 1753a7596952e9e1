"""Who reads the trail: the auditor (审计管理员), for their own unit (the national center's
also for events of no unit); nobody else."""

from __future__ import annotations

from django.db.models import Q

from gongxin.accounts.choices import UnitLevel
from gongxin.audit.models import AuditEvent
from gongxin.platform.permissions import allowed
from gongxin.platform.roles import Role
from gongxin.platform.scope import scope


@scope(AuditEvent)
def events(staff, action: str) -> Q | None:
    if action != "view":
        raise ValueError(f"unknown action {action!r} for audit events")
    if not allowed(staff, Role.AUDITOR):
        return None
    if staff.unit.level == UnitLevel.NATIONAL:
        # The national center runs the system: events of no unit (the server's own work, a
        # refused sign-in from a browser that is no one's workstation) are its auditors' too.
        return Q(unit_code=staff.unit.code) | Q(unit_code="")
    return Q(unit_code=staff.unit.code)
