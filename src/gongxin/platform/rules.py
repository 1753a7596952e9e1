"""Named rule predicates: one rule, one place.

A predicate takes the person and the thing acted on and answers ``None`` when the rule is met,
or the Chinese reason it is not. The same predicate serves every path that needs the rule — the
draw (who may be drawn), the service check (may this person act now), the buttons a page offers,
the permission map and the API — so changing a rule is a one-line change that all of them obey.

Predicates combine with ``&`` (all must hold; the first reason is given) and ``|`` (one must
hold). Staff are duck-typed here (``active``, ``roles``, ``unit_id``, ``tenure_ends()``, and
the rows of ``training_records`` and ``recusals``, which callers asking about many people
prefetch: gongxin.accounts.models.RULE_PREFETCH); so are subjects (``unit_id``, ``agency_id``,
``candidate_indexes()``): the platform never imports the accounts app or a product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from gongxin.core import clock
from gongxin.core.dates import zh_date
from gongxin.platform.roles import BUSINESS_ROLES, Role, role_conflict

Reason = str | None


class Predicate:
    """A named check ``(staff, subject) -> None | reason``."""

    def __init__(self, name: str, check: Callable[[object, object], Reason]):
        self.name = name
        self._check = check

    def __call__(self, staff, subject=None) -> Reason:
        return self._check(staff, subject)

    def admits(self, staff, subject=None) -> bool:
        """Whether the rule is met (the reason, when it is not, is ``self(staff, subject)``)."""
        return self._check(staff, subject) is None

    def otherwise(self, reason: str) -> Predicate:
        """The same rule, giving ``reason`` when it is not met (for a combination whose parts'
        reasons would not say what the person needs)."""
        return Predicate(self.name, lambda staff, subject: self(staff, subject) and reason)

    def __and__(self, other: Predicate) -> Predicate:
        def both(staff, subject):
            return self(staff, subject) or other(staff, subject)

        return Predicate(f"{self.name} & {other.name}", both)

    def __or__(self, other: Predicate) -> Predicate:
        def either(staff, subject):
            first = self(staff, subject)
            return None if first is None else (other(staff, subject) and first)

        return Predicate(f"({self.name} | {other.name})", either)

    def __repr__(self) -> str:
        return f"<rule {self.name}>"


def rule(name: str):
    """Decorator: a function ``(staff, subject) -> reason`` becomes a named Predicate."""

    def make(check):
        return Predicate(name, check)

    return make


# --- about the person ---------------------------------------------------------------------------


@rule("active")
def active(staff, subject) -> Reason:
    return None if getattr(staff, "active", False) else "账号已停用，不能办理"


@rule("compatible_roles")
def compatible_roles(staff, subject) -> Reason:
    """三权分立: administrator roles are held alone, one per person (fail closed otherwise)."""
    return role_conflict(staff.roles)


def holds(role: str) -> Predicate:
    label = Role(role).label

    @rule(f"holds({role})")
    def check(staff, subject) -> Reason:
        return None if role in staff.roles else f"您没有{label}角色"

    return check


@rule("business_role")
def business_role(staff, subject) -> Reason:
    """Holds a business role (经办、复核、签发、监督)."""
    return None if set(staff.roles) & BUSINESS_ROLES else "您没有业务角色"


# Signed in and allowed to work at all: active, with roles that may be held together.
staff_member: Predicate = active & compatible_roles
# May see the unit's business (requests, letters, agencies).
business: Predicate = staff_member & business_role


@rule("national_unit")
def national_unit(staff, subject) -> Reason:
    """Of the national center (国家公共信用信息中心): what is one for the whole country."""
    return None if staff.unit.level == "national" else "仅限国家公共信用信息中心人员"


# 节假日安排 is the State Council's, one for the country; every unit's deadlines read it, so a
# province's administrator does not change it (they see it, and are warned when a year is due).
keeps_calendar: Predicate = (staff_member & holds(Role.SYSADMIN) & national_unit).otherwise(
    "节假日安排全国统一，由国家公共信用信息中心的系统管理员维护"
)


def trained_until(staff, today: dt.date) -> dt.date | None:
    """The last day the person's training counts, as the records stand on ``today``: the
    latest end of a record not withdrawn and taken by then; None when there is none."""
    taken = [r.valid_until for r in staff.training_records.all()
             if r.withdrawn_at is None and r.trained_on <= today]  # fmt: skip
    return max(taken, default=None)


@rule("trained")
def trained(staff, subject) -> Reason:
    """业务培训: a training record, not withdrawn, valid today (trained on or before today,
    valid until today or later)."""
    today = clock.today()
    until = trained_until(staff, today)
    if until is None:
        return "未取得业务培训合格记录"
    if until < today:
        return f"业务培训已过期（有效期至{zh_date(until)}），须重新培训合格"
    return None


@rule("within_tenure")
def within_tenure(staff, subject) -> Reason:
    """经办人员定期轮换: no handling past the post's tenure."""
    return None if staff.tenure_ends() > clock.today() else "已超过本岗位任职期限（定期轮换）"


# --- about the person and the thing -------------------------------------------------------------


@rule("same_unit")
def same_unit(staff, subject) -> Reason:
    return None if staff.unit_id == subject.unit_id else "不属于本单位"


def in_force(recusal, day: dt.date) -> bool:
    """A recusal holds from its first day to its last (none: open-ended), until it is ended."""
    return (recusal.ended_at is None and recusal.starts_on <= day
            and (recusal.ends_on is None or day <= recusal.ends_on))  # fmt: skip


@rule("not_recused")
def not_recused(staff, subject) -> Reason:
    """回避, on the days a recusal holds: not for the agency the subject comes from, nor for a
    subject naming a person the staff member is recused for (found by the blind index of the
    ID number among the subject's candidates; the reason names no one)."""
    today = clock.today()
    held = [r for r in staff.recusals.all() if in_force(r, today)]
    if any(r.agency_id is not None and r.agency_id == subject.agency_id for r in held):
        return "已登记回避该发起查询单位"
    people = [r for r in held if r.agency_id is None]
    if people and any(r.person_indexes() & subject.candidate_indexes() for r in people):
        return "已登记回避本件的一名人选"
    return None


# The roles whose holders rotate (经办人员定期轮换): drawn for them only within their tenure.
TENURE_ROLES = frozenset({Role.HANDLER})


def drawable(role: str) -> Predicate:
    """What keeps a person out of every draw for ``role``, whatever the subject: active, roles
    compatible, holding the role, trained; for TENURE_ROLES also within their post tenure. The
    staff list shows its reasons."""
    base = staff_member & holds(role) & trained
    return base & within_tenure if role in TENURE_ROLES else base


def eligible(role: str) -> Predicate:
    """Who may be drawn for ``role`` on a subject, and may still act in it once drawn: the
    person is drawable for it, in the subject's unit and not recused for it."""
    return drawable(role) & same_unit & not_recused


# The roles a request draws people for (随机抽取办理).
DRAWN_ROLES = (Role.HANDLER, Role.REVIEWER, Role.SIGNER)


def draw_blockers(staff) -> list[tuple[str, str]]:
    """(roles, reason) for each reason that keeps ``staff`` out of every draw today, for the
    drawn roles they hold, roles sharing a reason together (e.g. 「经办人、复核人」)."""
    found: dict[str, list[str]] = {}
    for role in DRAWN_ROLES:
        if role in staff.roles and (reason := drawable(role)(staff, None)):
            found.setdefault(reason, []).append(Role(role).label)
    return [("、".join(labels), reason) for reason, labels in found.items()]
