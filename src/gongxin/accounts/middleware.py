"""The workstation a request comes from; idle sessions end (live ones are refreshed at most once
a minute); a sign-in not yet complete reaches only its own pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from gongxin.accounts import signin, workstations
from gongxin.accounts.signin import actor_of
from gongxin.core import clock
from gongxin.platform.permissions import PUBLIC, url_permissions
from gongxin.platform.resume import ENDED_FOR
from gongxin.platform.trail import at_workstation, record
from gongxin.platform.views import error_page


class WorkstationMiddleware:
    """Finds the registered workstation (专机) the request comes from (its device credential,
    gongxin.accounts.workstations) and has every trail event of the request name it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = workstations.at(request)
        ws = found.workstation
        with at_workstation(ws.label, ws.unit.code) if ws else at_workstation(""):
            return self.get_response(request)


SEEN = "gongxin_seen"  # when the session was last marked as in use (seconds, the product clock)


class IdleSessionMiddleware:
    """30 minutes (``SESSION_IDLE``) without a request ends the session.

    The time of use is written into the session only when the last mark is ``SESSION_TOUCH``
    (a minute) old, so a person clicking about does not write the session on every request.
    Idleness is counted from the last mark, so a session ends at most a minute before the full
    30 minutes after the last request, never after. The cookie's age and the stored expiry
    (``SESSION_COOKIE_AGE``) end a session nobody comes back to.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = clock.now().timestamp()
            seen = request.session.get(SEEN)
            if seen is not None and now - seen >= settings.SESSION_IDLE.total_seconds():
                record(actor_of(user), "auth.sign_out", ref=("User", user.pk), reason="idle")
                logout(request)
                request.session[ENDED_FOR] = user.pk  # what they typed is kept for them only
            elif seen is None or now - seen >= settings.SESSION_TOUCH.total_seconds():
                request.session[SEEN] = now
        return self.get_response(request)


class SignInGateMiddleware:
    """Until a sign-in is complete (gongxin.accounts.signin.pending), the session reaches only
    the page of its next step, sign-out and public pages: a person who has not passed the
    second factor is sent to enrol it, one whose password must change to the change page (which
    says why). A session that is no longer on the workstation it signed in at, or whose
    workstation was deactivated, ends. The REST API answers a 401 problem instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            step = signin.pending(request)
            request.sign_in_pending = step  # the frame shows no menu meanwhile
            if step is not None and not self._open_to(request, step):
                return self._hold(request, user, step)
        return self.get_response(request)

    @staticmethod
    def _open_to(request, step: str) -> bool:
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return True  # the 404 page
        request.gate_route = name
        if url_permissions().get(name) == PUBLIC:
            return True
        return name in signin.STEP_ROUTES.get(step, ())

    @staticmethod
    def _hold(request, user, step: str):
        api = request.gate_route.startswith("api:")  # the REST API (its schema pages are pages)
        if step == "workstation":
            record(actor_of(user), "auth.sign_out", ref=("User", user.pk), reason="workstation")
            logout(request)
            if not api:
                return redirect_to_login(request.get_full_path())
        if api:
            detail = (
                "本机不是登录时的专用终端，会话已结束" if step == "workstation"
                else "登录未完成：请在浏览器中完成动态验证码或修改密码后再调用接口"
            )  # fmt: skip
            return error_page(request, 401, "未登录", detail, code="sign_in_incomplete")
        target = reverse("second_factor" if step == "enrol" else "password_change")
        if request.method == "GET":
            return redirect(f"{target}?next={request.get_full_path()}")
        return redirect(target)
