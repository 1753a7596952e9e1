"""The page frame: who is signed in, and the menu, built from each app's ``permissions.MENU``
and shown only where the permission map lets the person in (the menu asks the same map)."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from django.apps import apps
from django.urls import reverse

from gongxin.platform.permissions import allowed, url_permissions
from gongxin.platform.scope import staff_of


@cache
def _menu() -> tuple[tuple[str, str], ...]:
    items = []
    for config in apps.get_app_configs():
        if config.name.startswith("gongxin."):
            try:
                module = import_module(f"{config.name}.permissions")
            except ModuleNotFoundError:
                continue
            items += getattr(module, "MENU", ())
    return tuple(items)


def menu_for(staff, current_path: str = "") -> list[dict]:
    routes = url_permissions()
    entries = []
    for url_name, label in _menu():
        if allowed(staff, routes[url_name]):
            entries.append({"url": reverse(url_name), "label": label, "current": False})
    # The current page, or the section it is under (a request's page is under 查询需求): the
    # longest menu address the path starts with; 工作台 ("/") only for itself.
    under = [e for e in entries if e["url"] == current_path
             or (e["url"] != "/" and current_path.startswith(e["url"]))]  # fmt: skip
    if under:
        max(under, key=lambda e: len(e["url"]))["current"] = True
    return entries


def context(request) -> dict:
    """Template context for every page: ``me`` and ``menu``."""
    staff = staff_of(getattr(request, "user", None))
    # A sign-in not yet complete (second factor, password to change) is shown no menu: the
    # gate would send every entry back to the step (gongxin.accounts.middleware).
    complete = staff is not None and not getattr(request, "sign_in_pending", None)
    return {
        "me": staff,
        "menu": menu_for(staff, getattr(request, "path", "")) if complete else [],
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
