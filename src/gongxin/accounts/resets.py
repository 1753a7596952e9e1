"""The security administrator resets a person's password or second factor, or lifts the lock
of their sign-in (人员管理). Same rules
as gongxin.accounts.services: an active security administrator, on the staff of their own unit,
never on their own account; one transaction and one trail event per change; the person's
sessions and API tokens end with it."""

from __future__ import annotations

from axes.utils import reset as reset_lockout
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from gongxin.accounts import passwords, secondfactor
from gongxin.accounts.models import Staff
from gongxin.accounts.services import _target
from gongxin.accounts.signin import end_sessions, locked_until
from gongxin.core import clock
from gongxin.platform.errors import WorkflowError
from gongxin.platform.trail import record


def reset_password(actor, pk: int, reason: str) -> tuple[Staff, str]:
    """Give the person a strong temporary password, returned to be shown once to the
    administrator (it is stored only hashed). The person must change it at the next sign-in;
    their sessions and tokens end, and a lockout of the account is lifted (the administrator
    has made sure who asks)."""
    with transaction.atomic():
        target = _target(actor, pk, what="重置")
        user = target.user
        temporary = passwords.temporary()
        validate_password(temporary, user)  # holds by construction; fails loudly if rules change
        user.set_password(temporary)
        user.save(update_fields=["password"])
        target.must_change_password = True
        target.password_changed_at = clock.now()
        target.save(update_fields=["must_change_password", "password_changed_at"])
        ended = end_sessions(user)
        unlocked = reset_lockout(username=user.get_username())
        record(actor, "staff.password_reset", target, username=user.username, reason=reason,
               sessions_ended=ended, unlocked=bool(unlocked))  # fmt: skip
    return target, temporary


def reset_second_factor(actor, pk: int, reason: str) -> Staff:
    """Remove the person's TOTP devices (a lost or replaced phone): they enrol a new one at the
    next sign-in. Their sessions and tokens end."""
    with transaction.atomic():
        target = _target(actor, pk, what="重置")
        user = target.user
        removed = secondfactor.remove_all(user)
        ended = end_sessions(user)
        record(actor, "staff.otp_reset", target, username=user.username, reason=reason,
               devices=removed, sessions_ended=ended)  # fmt: skip
    return target


def unlock(actor, pk: int, reason: str) -> Staff:
    """解除锁定: lift the lock django-axes holds on the person's sign-in after too many wrong
    passwords or codes (the administrator has made sure it was the person, and no one guessing).
    The password, the second factor and the sessions stay as they were."""
    with transaction.atomic():
        target = _target(actor, pk, what="解除锁定")
        username = target.user.get_username()
        until = locked_until(username)
        if until is None:
            raise WorkflowError("unchanged", "该账号未被锁定，无须解除")
        reset_lockout(username=username)
        record(actor, "staff.unlock", target, username=username, reason=reason,
               locked_until=until.isoformat(timespec="seconds"))  # fmt: skip
    return target
