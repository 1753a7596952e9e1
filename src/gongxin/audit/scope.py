"""Who reads the trail: the auditor (审计管理员), for their own unit; nobody else."""

from __future__ import annotations

from django.db.models import Q

from gongxin.audit.models import AuditEvent
from gongxin.platform.permissions import allowed
from gongxin.platform.roles import Role
from gongxin.platform.scope import scope


@scope(AuditEvent)
def events(staff, action: str) -> Q | None:
    if action != "view":
        raise ValueError(f"unknown action {action!r} for audit events")
    return Q(unit_code=staff.unit.code) if allowed(staff, Role.AUDITOR) else None
