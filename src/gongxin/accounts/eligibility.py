"""随机抽取办理: draw a person at random among those a rule admits.

The rule is a predicate from the product's rules module, the same one that later decides whether
the drawn person may act (gongxin.platform.rules): the draw and the check cannot disagree.
"""

from __future__ import annotations

import secrets

from gongxin.accounts.models import RULE_PREFETCH, Staff
from gongxin.platform.rules import Predicate


def pool(unit, role: str, rule: Predicate, subject, exclude=()) -> list[Staff]:
    """Everyone of ``unit`` holding ``role`` whom ``rule`` admits for ``subject``, less
    ``exclude``; ordered by id, so a draw can be checked against its recorded pool."""
    left_out = {s.pk for s in exclude if s is not None}
    holders = (
        Staff.objects.filter(
            unit=unit, role_grants__role=role, role_grants__revoked_at__isnull=True
        )
        .select_related("user", "unit")
        .prefetch_related(*RULE_PREFETCH)
        .order_by("pk")
        .distinct()
    )
    return [s for s in holders if s.pk not in left_out and rule.admits(s, subject)]


def draw(candidates: list[Staff]) -> Staff:
    """A uniformly random member of the pool, from the OS's secure random source."""
    return candidates[secrets.randbelow(len(candidates))]
