"""Sign-in outcomes, for the sign-in page and the API token alike: whether the account is locked
(django-axes keeps the count), and one trail event per outcome.

Actions: ``auth.sign_in`` (ok, or refused with code ``credentials`` or ``locked``),
``auth.lockout`` (the failure that locked the account), ``auth.sign_out`` and
``auth.password_change``. The API token endpoint records ``auth.token`` in the same way. What
was typed as a username is kept only when it names an account (people type ID numbers into the
wrong field); a password never.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.utils.crypto import salted_hmac

from gongxin.platform.scope import staff_of
from gongxin.platform.trail import record

NOBODY = "（不存在的账号）"


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


def refused(request, username: str, *, was_locked: bool, action: str, actor: str) -> str:
    """Record a refused attempt (and the lockout it caused); answer ``locked`` or
    ``credentials``. ``request`` is the Django request axes marked."""
    address = request.META.get("REMOTE_ADDR", "")
    name = typed(username)
    code = "locked" if was_locked else "credentials"
    record(actor, action, outcome="refused", code=code, username=name, address=address)
    if not was_locked and getattr(request, "axes_locked_out", False):
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        record(actor, "auth.lockout", outcome="refused", username=name, address=address,
               failures=settings.AXES_FAILURE_LIMIT, minutes=minutes)  # fmt: skip
        code = "locked"
    return code


def locked_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"该账号连续 {settings.AXES_FAILURE_LIMIT} 次密码错误，已锁定 {minutes} 分钟，"
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
