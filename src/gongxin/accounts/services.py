"""人员管理: the security administrator creates accounts, stops and restarts them, and grants
and revokes roles. Each function runs in one transaction, checks who may do it, makes the
change and records exactly one trail event; a refusal raises WorkflowError and changes nothing.

Who may: an active security administrator, on the staff of their own unit
(``Staff.objects.restrict(actor, "manage")``; anyone else's staff is as if it did not exist),
never on their own account. Which roles one person may hold together is
``gongxin.platform.roles.role_conflict`` (三权分立), asked here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from gongxin.accounts.models import RoleGrant, Staff, TrainingRecord
from gongxin.accounts.signin import end_sessions
from gongxin.core import clock
from gongxin.platform.errors import InvalidSubmission, Problem, WorkflowError
from gongxin.platform.permissions import allowed
from gongxin.platform.roles import Role, role_conflict
from gongxin.platform.trail import record


@dataclass(frozen=True)
class NewStaff:
    """What the create form collects; ``password`` is the initial one the administrator sets."""

    username: str
    full_name: str
    post_since: dt.date
    trained_on: dt.date | None  # a first training record, valid for the default period
    roles: frozenset[str]
    password: str


# What a training date given when the account is opened is recorded as.
FIRST_COURSE = "业务培训（开设账号时登记）"


def _may_manage(actor) -> None:
    if not allowed(actor, Role.SECADMIN):
        raise WorkflowError("forbidden", "只有安全管理员可以管理人员账号")


def _target(actor, pk: int, *, what: str) -> Staff:
    """The person acted on, locked for the change; out of scope is as if it did not exist."""
    _may_manage(actor)
    try:
        target = (Staff.objects.restrict(actor, "manage").select_for_update()
                  .select_related("user").get(pk=pk))  # fmt: skip
    except Staff.DoesNotExist:
        raise WorkflowError("not_found", "本单位没有该工作人员") from None
    if target.pk == actor.pk:
        raise WorkflowError("self", f"不能{what}本人的账号，请由本单位另一名安全管理员办理")
    return target


def _refuse_conflict(roles) -> None:
    reason = role_conflict(frozenset(roles))
    if reason:
        raise WorkflowError("role_conflict", f"{reason}（三权分立），未作任何修改")


def password_problems(password: str, user) -> list[Problem]:
    """What the password validators say of ``password`` for ``user`` (one Problem each, without
    the full stop Django's messages end in, so a list of them reads cleanly)."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [Problem("初始密码", message.rstrip("。.")) for message in exc.messages]
    return []


def new_staff_problems(*, username: str | None, full_name: str | None, roles,
                       password: str | None,
                       trained_on: dt.date | None) -> list[Problem]:  # fmt: skip
    """Every problem the service finds with a new account, all at once (the form may have found
    others: pass None for what it could not read, and that part is not checked)."""
    problems = []
    users = get_user_model()
    if username and users.objects.filter(username=username).exists():
        problems.append(Problem("用户名", "该用户名已被使用"))
    if roles is not None and (reason := role_conflict(frozenset(roles))):
        problems.append(Problem("角色", f"{reason}（三权分立），账号未开设"))
    if trained_on is not None:
        try:
            TrainingRecord.period(trained_on, None, clock.today())
        except InvalidSubmission as exc:  # said with the label of the create form's field
            problems += [Problem("业务培训合格日期", p.reason) for p in exc.problems]
    if password:
        user = users(username=username or "", first_name=(full_name or "")[:150])
        problems += password_problems(password, user)
    return problems


def create_staff(actor, new: NewStaff) -> Staff:
    """Open an account at the administrator's own unit with its initial roles and password; the
    person must set a password of their own at the first sign-in (gongxin.accounts.passwords).
    Refused with every problem at once (InvalidSubmission)."""
    _may_manage(actor)
    problems = new_staff_problems(username=new.username, full_name=new.full_name, roles=new.roles,
                                  password=new.password, trained_on=new.trained_on)  # fmt: skip
    if problems:
        raise InvalidSubmission(problems)
    if new.trained_on is not None:
        training = TrainingRecord.period(new.trained_on, None, clock.today())
    user = get_user_model()(username=new.username, first_name=new.full_name[:150])
    with transaction.atomic():
        user.set_password(new.password)
        user.save()
        staff = Staff.objects.create(
            user=user,
            unit_id=actor.unit_id,
            full_name=new.full_name,
            post_since=new.post_since,
            must_change_password=True,  # the administrator knows it: the person sets their own
        )
        by = actor.user.get_username()
        if new.trained_on is not None:
            TrainingRecord.objects.create(staff=staff, course=FIRST_COURSE, trained_on=training[0],
                                          valid_until=training[1], recorded_by=by)  # fmt: skip
        for role in sorted(new.roles):
            RoleGrant.objects.create(staff=staff, role=role, granted_by=by,
                                     grant_reason="开设账号时授予")  # fmt: skip
        record(actor, "staff.create", staff, username=user.username, roles=sorted(new.roles))
    return staff


def switch_account(target: Staff, active: bool) -> None:
    """What 停用 and 启用 change (the caller records why): the person's account and user, and,
    when stopping it, every session the person has open. Also used by ``accounts expire``."""
    target.active = active
    target.save(update_fields=["active"])
    user = target.user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        end_sessions(user)


def set_active(actor, pk: int, active: bool, reason: str) -> Staff:
    """停用 or 启用 an account. Stopping it also ends every session the person has open."""
    with transaction.atomic():
        target = _target(actor, pk, what="停用或启用")
        if target.active == active:
            raise WorkflowError("unchanged", "该账号已是启用状态" if active else "该账号已停用")
        switch_account(target, active)
        user = target.user
        action = "staff.activate" if active else "staff.deactivate"
        record(actor, action, target, username=user.username, reason=reason)
    return target


def grant_role(actor, pk: int, role: str, reason: str) -> RoleGrant:
    """Grant one role, unless the person already holds it or could not hold it with the rest."""
    with transaction.atomic():
        target = _target(actor, pk, what="授予或撤销角色：")
        held = {g.role for g in target.role_grants.filter(revoked_at__isnull=True)}
        if role in held:
            raise WorkflowError("already_held", f"该工作人员已有{Role(role).label}角色")
        _refuse_conflict(held | {role})
        grant = RoleGrant.objects.create(staff=target, role=role, grant_reason=reason,
                                         granted_by=actor.user.get_username())  # fmt: skip
        record(actor, "role.grant", target, role=role, grant=grant.pk, reason=reason)
    return grant


def revoke_role(actor, pk: int, role: str, reason: str) -> RoleGrant:
    """Revoke a role held now; the grant stays, marked with who revoked it, when and why."""
    with transaction.atomic():
        target = _target(actor, pk, what="授予或撤销角色：")
        grant = target.role_grants.filter(role=role, revoked_at__isnull=True).first()
        if grant is None:
            raise WorkflowError("not_held", f"该工作人员没有{Role(role).label}角色")
        grant.revoked_at = clock.now()
        grant.revoked_by = actor.user.get_username()
        grant.revoke_reason = reason
        grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        record(actor, "role.revoke", target, role=role, grant=grant.pk, reason=reason)
    return grant
