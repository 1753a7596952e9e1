"""Sign-in expiry loses nothing (issue 8).

A form posted after the session ended (30 minutes idle, a cookie gone, a sign-in elsewhere that
changed the CSRF token) is neither refused with a 405 nor with a CSRF page: what was typed is
kept in the new anonymous session for a few minutes, the sign-in page is shown, and after
signing in the person is back on the page the form was on, filled in again where the page
knows how (``restore``). Kept: the posted fields, without files, passwords and the CSRF token,
encrypted with the data keys (they may hold candidates' names and ID numbers), and only for the
person whose session ended when that is known. A form posted from another site is never kept.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from gongxin.core import clock
from gongxin.platform.sealed import checked_keyring

STASH = "gongxin_resume"
ENDED_FOR = "gongxin_ended_for"  # the user whose session the idle timeout just ended
KEEP_SECONDS = 10 * 60
CONTEXT = b"resume.form"
NEVER_KEPT = ("csrfmiddlewaretoken",)
SIGNED_OUT = "登录已超时或已失效，请重新登录，登录后将回到原页面。"


def same_site(request) -> bool:
    """The post came from a page of this site (Origin, else Referer): a form another site
    made a browser send is not kept."""
    origin = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER", "")
    return bool(origin) and url_has_allowed_host_and_scheme(
        origin, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def came_from(request) -> str:
    """The page the form was on (the Referer on this site), else the page posted to; signing
    out, which has no page of its own, returns to the dashboard."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        page = parts.path + (f"?{parts.query}" if parts.query else "")
    else:
        page = request.get_full_path()
    return reverse("dashboard") if urlsplit(page).path == reverse("logout") else page


def _kept_fields(request) -> dict[str, list[str]]:
    return {name: values for name, values in request.POST.lists()
            if name not in NEVER_KEPT and "password" not in name.lower()}  # fmt: skip


def to_sign_in(request):
    """The answer to a form posted without a session: keep what was typed (when it came from
    this site), then the sign-in page, which returns to the page the form was on."""
    page = came_from(request)
    fields = _kept_fields(request) if same_site(request) else {}
    if fields:
        plain = json.dumps({"action": request.path, "fields": fields}, ensure_ascii=False)
        sealed = checked_keyring().encrypt(plain, CONTEXT)
        request.session[STASH] = {
            "page": urlsplit(page).path, "at": clock.now().timestamp(),
            "user": request.session.get(ENDED_FOR), "data": base64.b64encode(sealed).decode(),
        }  # fmt: skip
    messages.info(request, SIGNED_OUT)
    return redirect_to_login(page)


class Resumed:
    """What was typed before signing in again: the action it was posted to, and the fields."""

    def __init__(self, action: str, fields: QueryDict):
        self.action = action
        self.fields = fields

    def initial(self, names) -> dict:
        """Initial values for a Django form's fields (one value each)."""
        return {name: self.fields.get(name) for name in names if name in self.fields}

    def for_action(self, action: str) -> QueryDict:
        """The fields, if they were posted to ``action`` (else none)."""
        return self.fields if action == self.action else QueryDict()


def restore(request) -> Resumed | None:
    """What was kept for this page before signing in again, once: None when nothing was, when
    it is older than a few minutes, or when someone else's session had ended."""
    entry = request.session.get(STASH)
    if not entry or entry.get("page") != request.path:
        return None
    del request.session[STASH]
    if clock.now().timestamp() - entry.get("at", 0) > KEEP_SECONDS:
        return None
    if entry.get("user") not in (None, request.user.pk):
        return None
    opened = json.loads(checked_keyring().decrypt(base64.b64decode(entry["data"]), CONTEXT))
    fields = QueryDict(mutable=True)
    for name, values in opened["fields"].items():
        fields.setlist(name, values)
    messages.info(request, "已恢复您登录前填写的内容，请核对后提交（上传的文件需要重新选择）。")
    return Resumed(opened["action"], fields)
