"""Input no field can hold, refused before any view sees it.

A NUL byte cannot be stored or even looked up in PostgreSQL text (the driver raises), so a NUL
anywhere in the path, the query string, a form body or the Authorization header answers 400
with a Chinese explanation instead of a 500, however the view would have used the value; a
cookie holding one is dropped (an anonymous visitor with a forged session cookie is simply
not signed in). Everything else is each field's own validation.
"""

from __future__ import annotations

import logging
import secrets

from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

from gongxin.core.crypto import KeyFileError

log = logging.getLogger(__name__)

MESSAGE = "提交的内容含有空字符（U+0000），无法处理，请删除后重新提交"


def _has_nul(querydict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values)
               for key, values in querydict.lists())  # fmt: skip


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [k for k, v in request.COOKIES.items() if "\x00" in k or "\x00" in v]:
            del request.COOKIES[name]
        if (
            "\x00" in request.path
            or "\x00" in request.META.get("HTTP_AUTHORIZATION", "")
            or _has_nul(request.GET)
            or (request.method == "POST" and _is_form(request) and _has_nul(request.POST))
        ):
            return bad_request(request, MESSAGE)
        return self.get_response(request)


class KeyProblemMiddleware:
    """A key file that does not fit the database (gongxin.platform.sealed.checked_keyring)
    stops every page and API call that would read or write sealed data: staff get a Chinese
    page saying so (503), the operator the reason in the log, and nothing is half-done (the
    view's transaction rolled back when the error passed through it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, KeyFileError):
            return None
        log.error("key file problem: %s", exception)
        from gongxin.platform.views import service_unavailable

        return service_unavailable(request)


class SecurityHeadersMiddleware:
    """What every answer says to the browser (issue 8, protection):

    - a Content-Security-Policy naming no source outside this server: no scripts but its own
      files, styles only from its own files or the page's inline block carrying this request's
      nonce, nothing may frame it, forms post only to it;
    - ``Cache-Control: no-store`` on everything a signed-in person or an API client receives
      (pages, files, answers may hold personal data), unless a view said otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", policy(request.csp_nonce))
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response.setdefault("Cache-Control", "no-store")
        return response


def policy(nonce: str) -> str:
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ])  # fmt: skip


def _is_form(request) -> bool:
    kind = request.content_type or ""
    return kind in ("application/x-www-form-urlencoded", "multipart/form-data")


def bad_request(request, message: str):
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": "请求有误", "status": 400, "code": "invalid",
                "detail": message}  # fmt: skip
        return JsonResponse(body, status=400, content_type="application/problem+json",
                            json_dumps_params={"ensure_ascii": False})  # fmt: skip
    html = render_to_string("gongxin/error.html", {"status": 400, "title": "请求有误",
                                                    "message": message}, request)  # fmt: skip
    return HttpResponseBadRequest(html)
