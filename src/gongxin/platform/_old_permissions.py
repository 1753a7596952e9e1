"""One map from every URL name to what it needs (STYLE.md, after manage.get.gov).

``tests/test_permissions.py`` fails when a route is missing from the map or a view answers
differently from it. Object scope (which request) is checked inside the views, via
gongxin.inquiry.scope, and answers 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from gongxin.accounts.choices import BUSINESS_ROLES, Role
from gongxin.inquiry.scope import staff_of

PUBLIC = "public"
STAFF = "staff"  # any signed-in staff member
BUSINESS = "business"  # handler, reviewer, signer or supervisor

URL_PERMISSIONS: dict[str, str] = {
    "login": PUBLIC,
    "verify": PUBLIC,  # agencies check a letter; shows no personal data
    "verify_code": PUBLIC,
    "logout": STAFF,
    "dashboard": STAFF,
    "request_list": BUSINESS,
    "request_new": Role.HANDLER,
    "request_detail": BUSINESS,
    "request_action": BUSINESS,
    "request_result": BUSINESS,
    "candidate_review": Role.REVIEWER,
    "calendar": Role.SYSADMIN,
    "wording": Role.SYSADMIN,
    "request_letter": BUSINESS,
    "request_templates": STAFF,
    "request_template_file": STAFF,
    "api-schema": STAFF,
    "api-docs": STAFF,
    "api:request-list": BUSINESS,  # list, and (handlers only, checked by the service) register
    "api:request-detail": BUSINESS,
    "api:request-screen": BUSINESS,
    "api:request-submit": BUSINESS,
    "api:request-sign-off": BUSINESS,
    "api:request-issue": BUSINESS,
    "api:request-return": BUSINESS,
    "api:request-extend": BUSINESS,
    "api:request-correct": BUSINESS,
    "api:candidate-review": Role.REVIEWER,
}


def allowed(user, permission: str) -> bool:
    if permission == PUBLIC:
        return True
    staff = staff_of(user)
    if staff is None or not staff.active:
        return False
    if permission == STAFF:
        return True
    if permission == BUSINESS:
        return bool(staff.roles & BUSINESS_ROLES)
    return staff.has_role(permission)


def requires(url_name: str):
    """Guard a view with its entry in URL_PERMISSIONS: anonymous → login, otherwise 404."""
    permission = URL_PERMISSIONS[url_name]

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if permission != PUBLIC and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user, permission):
                raise Http404
            request.staff = staff_of(request.user)
            return view(request, *args, **kwargs)

        guarded.url_name = url_name
        return guarded

    return decorate
