"""Staff roles (DESIGN §1) and the rule that keeps administrator roles apart (三权分立)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    HANDLER = "handler", "经办人"
    REVIEWER = "reviewer", "复核人"
    SIGNER = "signer", "签发人"
    SUPERVISOR = "supervisor", "监督员"
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITOR = "auditor", "审计管理员"


BUSINESS_ROLES = frozenset({Role.HANDLER, Role.REVIEWER, Role.SIGNER, Role.SUPERVISOR})
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})


def role_conflict(roles: frozenset[str] | set[str]) -> str | None:
    """Why this set of roles may not be held by one person, or None.

    A person holds business roles, or exactly one administrator role, never both.
    """
    admin = set(roles) & ADMIN_ROLES
    if len(admin) > 1:
        return "系统管理员、安全管理员、审计管理员不能由同一人兼任"
    if admin and set(roles) & BUSINESS_ROLES:
        return "管理员角色不能与业务角色（经办、复核、签发、监督）兼任"
    return None
