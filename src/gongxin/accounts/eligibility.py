"""Who may be drawn for what (随机抽取办理, 回避, 培训, 轮换)."""

from __future__ import annotations

import datetime as dt
import secrets

from gongxin.accounts.choices import Role
from gongxin.accounts.models import Staff


def eligible(unit, role: str, agency, today: dt.date, exclude=()) -> list[Staff]:
    """Active, trained staff of ``unit`` holding ``role``, within post tenure (for handlers),
    not recused for ``agency``, not in ``exclude``; ordered by id so a draw is reproducible
    from its recorded pool."""
    pool = (
        Staff.objects.filter(
            unit=unit, active=True, role_grants__role=role, trained_on__isnull=False
        )
        .exclude(recusals__agency=agency)
        .exclude(pk__in=[s.pk for s in exclude if s is not None])
        .select_related("user", "unit")
        .order_by("pk")
        .distinct()
    )
    if role == Role.HANDLER:
        return [s for s in pool if s.tenure_ends() > today]
    return list(pool)


def draw(pool: list[Staff]) -> Staff:
    """A uniformly random member of the pool, from the OS's secure random source."""
    return pool[secrets.randbelow(len(pool))]
