"""Idle sessions end; live ones are refreshed at most once a minute."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout

from gongxin.accounts.signin import actor_of
from gongxin.core import clock
from gongxin.platform.resume import ENDED_FOR
from gongxin.platform.trail import record

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
