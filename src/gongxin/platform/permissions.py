"""One map from every route to what it needs (STYLE.md, after manage.get.gov), assembled from
each app's ``permissions.ROUTES``; plus the guard that makes every page obey it.

A route needs one of: PUBLIC, STAFF (any active staff member), BUSINESS (an active holder of a
business role), a role, or a level an app names with its rule (its ``permissions.NAMED_LEVELS``:
监督员或签发人, say). ``tests/test_permissions.py`` walks every route against this map.
Object scope (which request) is the models' ``restrict``; actions on an object are the product's
rules — both answer 404 when the object is out of scope.
"""

from __future__ import annotations

from functools import cache, wraps
from importlib import import_module

from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from gongxin.platform.roles import Role
from gongxin.platform.rules import Predicate, business, holds, staff_member
from gongxin.platform.scope import staff_of

PUBLIC = "public"
STAFF = "staff"
BUSINESS = "business"
LEVELS = frozenset({PUBLIC, STAFF, BUSINESS, *Role.values})


def _app_modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("gongxin."):
            continue
        try:
            yield import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise


@cache
def named_levels() -> dict[str, Predicate]:
    """Levels an app names beside the built-in ones (``NAMED_LEVELS``: name -> rule), e.g. 监督员或
    签发人; the rule is asked of an active staff member whose roles may be held together."""
    merged: dict[str, Predicate] = {}
    for module in _app_modules():
        for name, rule in getattr(module, "NAMED_LEVELS", {}).items():
            if name in LEVELS or name in merged:
                raise ValueError(f"permission level {name} is named twice")
            merged[name] = rule
    return merged


@cache
def url_permissions() -> dict[str, str]:
    """Every app's ROUTES, merged; a route named twice or an unknown level is an error."""
    merged: dict[str, str] = {}
    for module in _app_modules():
        for name, level in getattr(module, "ROUTES", {}).items():
            if name in merged:
                raise ValueError(f"route {name} is in the permission map twice")
            if level not in LEVELS and level not in named_levels():
                raise ValueError(f"route {name}: unknown permission {level!r}")
            merged[name] = level
    return merged


def rule_for(permission: str) -> Predicate | None:
    """The rule a permission level stands for (None: anyone, signed in or not)."""
    if permission == PUBLIC:
        return None
    if permission == STAFF:
        return staff_member
    if permission == BUSINESS:
        return business
    if permission in named_levels():
        return staff_member & named_levels()[permission]
    return staff_member & holds(permission)


def allowed(staff, permission: str) -> bool:
    """Whether ``staff`` (a Staff or None) meets a permission level."""
    rule = rule_for(permission)
    return rule is None or (staff is not None and rule.admits(staff))


def requires(url_name: str):
    """Guard a page with its entry in the map: anonymous → sign-in page (a form posted after
    the session ended is kept for after it: gongxin.platform.resume), otherwise 404."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            permission = url_permissions()[url_name]
            if permission != PUBLIC and not request.user.is_authenticated:
                if request.method == "POST":  # the session ended while the form was open
                    from gongxin.platform.resume import to_sign_in

                    return to_sign_in(request)
                return redirect_to_login(request.get_full_path())
            request.staff = staff_of(request.user)
            if not allowed(request.staff, permission):
                raise Http404
            return view(request, *args, **kwargs)

        guarded.url_name = url_name
        return guarded

    return decorate


# The platform's own pages (see url_permissions: every app, this one included, adds its ROUTES).
ROUTES = {"calendar": Role.SYSADMIN}
MENU = [("calendar", "节假日安排")]
