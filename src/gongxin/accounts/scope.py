"""What staff may see of units' records: the agencies their unit serves."""

from __future__ import annotations

from django.db.models import Q

from gongxin.accounts.models import RequestingAgency, Staff, Workstation
from gongxin.platform.permissions import BUSINESS, allowed
from gongxin.platform.roles import Role
from gongxin.platform.scope import scope


@scope(RequestingAgency)
def agencies(staff, action: str) -> Q | None:
    """view: the agencies the person's unit serves (business roles). register: every active
    agency, for handlers — a letter from an agency another unit serves is registered and
    returned with that unit named."""
    if action == "view":
        return Q(unit_id=staff.unit_id) if allowed(staff, BUSINESS) else None
    if action == "register":
        return Q(active=True) if allowed(staff, Role.HANDLER) else None
    raise ValueError(f"unknown action {action!r} for agencies")


@scope(Staff)
def staff(staff, action: str) -> Q | None:
    """manage: the security administrator's own unit's staff (人员管理); nobody else's.
    supervise: the supervisor's own unit's staff (who a stuck request waits for).
    audit: the auditor's own unit's staff (named on the trail page; found by full name)."""
    if action == "manage":
        return Q(unit_id=staff.unit_id) if allowed(staff, Role.SECADMIN) else None
    if action == "supervise":
        return Q(unit_id=staff.unit_id) if allowed(staff, Role.SUPERVISOR) else None
    if action == "audit":
        return Q(unit_id=staff.unit_id) if allowed(staff, Role.AUDITOR) else None
    raise ValueError(f"unknown action {action!r} for staff")


@scope(Workstation)
def workstations(staff, action: str) -> Q | None:
    """manage: the security administrator's own unit's workstations (专机管理)."""
    if action == "manage":
        return Q(unit_id=staff.unit_id) if allowed(staff, Role.SECADMIN) else None
    raise ValueError(f"unknown action {action!r} for workstations")
