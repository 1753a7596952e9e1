"""Sign-in, for the sign-in page and the API token alike (``attempt``): a registered workstation
of the person's unit, the password, the TOTP code; whether the account is locked (django-axes
keeps the count, wrong codes included); one trail event per outcome. And what a signed-in
session still has to do before it reaches anything (``pending``, asked by the gate).

Actions: ``auth.sign_in`` (ok, or refused with code ``workstation``, ``credentials``,
``locked``), ``auth.lockout`` (the failure that locked the account), ``auth.sign_out``,
``auth.otp_enrol`` and ``auth.password_change``. The API token endpoint records ``auth.token``
in the same way. What was typed as a username is kept only when it names an account (people
type ID numbers into the wrong field); a password or a code never.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate, get_user_model
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone
from django.utils.crypto import salted_hmac

from gongxin.accounts import passwords, secondfactor, workstations
from gongxin.platform import trail
from gongxin.platform.permissions import STAFF, allowed
from gongxin.platform.scope import staff_of
from gongxin.platform.trail import record

NOBODY = "（不存在的账号）"
# Said for a wrong username, password or code alike: which one is never told.
CREDENTIALS = "用户名、密码或动态验证码不正确，或账号已停用。"
# Said only to one who typed the right password and the code that was just accepted: a person
# signing in again within the same 30 seconds, not someone guessing.
CODE_USED = "每个动态验证码只能使用一次：请等待手机验证器显示下一个验证码后再登录。"
NOT_ENROLLED = (
    "该账号尚未绑定动态验证码：请先在本单位专用终端的浏览器中登录，按提示绑定后再申请令牌。"
)
WORKSTATION_KEY = "gongxin_workstation"  # in the session: the workstation it was signed in at
# What a session whose sign-in is not complete may open, besides public pages.
STEP_ROUTES = {
    "enrol": frozenset({"second_factor", "logout"}),
    "password": frozenset({"password_change", "logout"}),
}


@dataclass(frozen=True)
class Attempt:
    """What a sign-in attempt came to: the person, the device that accepted the code (None
    while not enrolled) and the workstation; or ``refusal``, a stable code, and ``message``."""

    user: object = None
    staff: object = None
    device: object = None
    workstation: object = None
    refusal: str = ""
    message: str = ""


def attempt(request, username: str, password: str, code: str, *, action: str, actor: str,
            need_enrolled: bool) -> Attempt:  # fmt: skip
    """Check a sign-in, recording a refusal once. In order: the request must come from an active
    registered workstation (before any password is tried, so nothing is told about accounts),
    the password (axes refuses a locked account), the code of the person's TOTP device if they
    have one (a wrong one counts as a failed sign-in), and a workstation of the person's unit.
    ``need_enrolled``: an account without a device is refused (the API) rather than let in to
    enrol (the page)."""
    found = workstations.at(request)
    address = client_address(request) or ""
    if found.workstation is None:
        with _heard_by(username):
            record(actor, action, outcome="refused", code="workstation",
                   username=typed(username), address=address)  # fmt: skip
        return Attempt(refusal="workstation", message=found.reason)
    was_locked = is_locked(request, username)
    user = authenticate(request, username=username, password=password)
    staff = staff_of(user) if user is not None else None
    if staff is None or not allowed(staff, STAFF):
        refusal = refused(request, username, was_locked=was_locked, action=action, actor=actor)
        return Attempt(refusal=refusal, message=_said(refusal))
    device = None
    if secondfactor.enrolled(user):
        device = secondfactor.verify(user, code)
        if device is None:
            # The password was right: the code's failure is counted as axes counts a password's.
            user_login_failed.send(sender=__name__, credentials={"username": username},
                                   request=request)  # fmt: skip
            refusal = refused(request, username, was_locked=False, action=action, actor=actor,
                              failed="otp")  # fmt: skip
            said = _said(refusal)
            if refusal != "locked" and secondfactor.reused(user, code):
                said = f"{said}{CODE_USED}"
            return Attempt(refusal=refusal, message=said)
    elif need_enrolled:
        record(staff, action, ref=("User", user.pk), outcome="refused", code="not_enrolled")
        return Attempt(refusal="not_enrolled", message=NOT_ENROLLED)
    if found.workstation.unit_id != staff.unit_id:
        record(staff, action, ref=("User", user.pk), outcome="refused", code="workstation",
               workstation_unit=found.workstation.unit.code)  # fmt: skip
        return Attempt(refusal="workstation", message=workstations.OTHER_UNIT)
    return Attempt(user=user, staff=staff, device=device, workstation=found.workstation)


def _said(refusal: str) -> str:
    return locked_message() if refusal == "locked" else CREDENTIALS


def pending(request) -> str | None:
    """What a signed-in session must still do before it reaches anything else, or None:
    ``workstation`` (it is not on the workstation it was signed in at, or that one stopped
    being accepted: the session ends), ``enrol`` (the second factor has not passed: enrol one
    or sign in again), ``password`` (gongxin.accounts.passwords.change_reason)."""
    user = request.user
    staff = staff_of(user)
    if staff is None:  # no staff record: the permission map refuses them everything
        return None
    here = workstations.at(request).workstation
    if here is None or here.pk != request.session.get(WORKSTATION_KEY):
        return "workstation"
    if not getattr(user, "is_verified", lambda: False)():
        return "enrol"
    if passwords.change_reason(staff):
        return "password"
    return None


def client_address(request) -> str | None:
    """The address axes keeps with an attempt: the peer's, as the API throttle sees it with no
    trusted proxy (a client cannot choose its own X-Forwarded-For)."""
    return request.META.get("REMOTE_ADDR")


def attempted_name(request, credentials) -> str | None:
    """The name axes counts failures under (AXES_USERNAME_CALLABLE): the username when it names
    an account, else a keyed digest of what was typed, so that an ID number typed into the
    username field is not kept in axes' tables, and a made-up name still locks like a real
    one (the lockout does not tell which accounts exist)."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username")
    if name is None:
        return None
    if get_user_model().objects.filter(username=name).exists():
        return name
    return "?" + salted_hmac("gongxin.accounts.attempted_name", name).hexdigest()[:24]


def is_locked(request, username: str) -> bool:
    """Whether ``username`` is locked out now (call before the attempt)."""
    return AxesProxyHandler.is_locked(request, {"username": username})


def locked_until(username: str) -> dt.datetime | None:
    """Until when axes holds ``username`` locked, or None: what its database handler counts
    (the failures of the attempts within the cool-off, AXES_LOCKOUT_PARAMETERS being the
    username alone), read for the security administrator's page. The lock ends when the newest
    attempts still within the cool-off no longer add up to the limit. On axes' own clock (the
    wall clock), which is the one its lock runs on."""
    from axes.models import AccessAttempt

    cool_off = settings.AXES_COOLOFF_TIME
    since = timezone.now() - cool_off  # wall clock: axes stamps and expires attempts by it
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
    failures = 0
    for attempt_time, count in recent.order_by("-attempt_time").values_list(
        "attempt_time", "failures_since_start"
    ):
        failures += count
        if failures >= settings.AXES_FAILURE_LIMIT:
            return attempt_time + cool_off
    return None


def typed(username: str) -> str:
    """What the trail keeps of a typed username."""
    known = get_user_model().objects.filter(username=username).exists()
    return username if known else NOBODY


def actor_of(user):
    return staff_of(user) or user.get_username()


def succeeded(request, user) -> None:
    """A right password outside the sign-in page (the API token): axes starts the count of
    failures again, as Django's sign-in makes it do (AXES_RESET_ON_SUCCESS)."""
    AxesProxyHandler.user_logged_in("api", request=request, user=user)


def refused(request, username: str, *, was_locked: bool, action: str, actor: str,
            **detail) -> str:  # fmt: skip
    """Record a refused attempt (and the lockout it caused); answer ``locked`` or
    ``credentials``. ``request`` is the Django request axes marked. ``detail`` tells the
    auditor more than the person is told (``failed="otp"``: the password was right)."""
    address = request.META.get("REMOTE_ADDR", "")
    name = typed(username)
    code = "locked" if was_locked else "credentials"
    with _heard_by(username):
        record(actor, action, outcome="refused", code=code, username=name, address=address,
               **detail)  # fmt: skip
        if not was_locked and getattr(request, "axes_locked_out", False):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            record(actor, "auth.lockout", outcome="refused", username=name, address=address,
                   failures=settings.AXES_FAILURE_LIMIT, minutes=minutes)  # fmt: skip
            code = "locked"
    return code


def _heard_by(username: str):
    """Whose auditors read a refused sign-in: the unit of the workstation it came from, else
    the unit of the account it named, else (neither known) the national center's."""
    if trail.workstation_unit():
        return nullcontext()
    from gongxin.accounts.models import Staff

    named = Staff.objects.filter(user__username=username).select_related("unit").first()
    return trail.at_workstation(trail.workstation(), named.unit.code) if named else nullcontext()


def locked_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"该账号连续 {settings.AXES_FAILURE_LIMIT} 次密码或动态验证码错误，已锁定 {minutes} 分钟，"
        f"期间即使密码正确也不能登录。请 {minutes} 分钟后再试；如忘记密码，请联系本单位安全管理员。"
    )


def end_sessions(user, keep: str | None = None) -> int:
    """End every stored session of ``user`` but ``keep`` (a session key): the person is signed
    out everywhere at their next request. Used after a password change and on deactivation,
    so a later reactivation or an old cookie brings no session back; the person's API tokens end
    with them. Returns how many sessions ended."""
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.iterator():
        if session.session_key == keep:
            continue
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            session.delete()
            ended += 1
    from gongxin.accounts.models import ApiToken

    ApiToken.objects.filter(user=user).delete()  # an API client signs in again, too
    return ended
