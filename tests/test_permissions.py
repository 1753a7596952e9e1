"""One permission map for every route (STYLE.md): a route missing from it fails here."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from gongxin.api.permissions import MapPermission
from gongxin.permissions import PUBLIC, URL_PERMISSIONS


def routes(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            yield from routes(p.url_patterns, prefix + ns)
        elif isinstance(p, URLPattern):
            yield prefix + (p.name or ""), p


def test_every_route_is_in_the_map_and_guarded_by_its_entry():
    seen = set()
    for name, pattern in routes():
        assert name in URL_PERMISSIONS, f"route {name or pattern.pattern} has no permission entry"
        view = pattern.callback
        if getattr(view, "url_name", None) is not None:  # a page, or a view wrapped in requires()
            assert view.url_name == name, f"{name} is not guarded by requires({name!r})"
        else:  # a DRF viewset route
            assert MapPermission in view.cls.permission_classes, f"{name} bypasses the map"
        seen.add(name)
    assert seen == set(URL_PERMISSIONS), (
        f"map entries without a route: {set(URL_PERMISSIONS) - seen}"
    )


@pytest.mark.django_db
def test_anonymous_gets_nothing_but_the_login_page(client):
    for name, pattern in routes():
        path = re.sub(r"<(slug|str):\w+>", "docx", re.sub(r"<int:\w+>", "1", str(pattern.pattern)))
        url = ("/api/v1/" if name.startswith("api:") else "/") + path
        for method in (client.get, client.post):
            response = method(url)
            if URL_PERMISSIONS[name] == PUBLIC:  # may say "not found" about an unknown code
                assert response.status_code in (200, 302, 404), url
            elif name.startswith("api:"):
                assert response.status_code in (401, 403, 405), url
                if response.status_code != 405:
                    assert response["Content-Type"] == "application/problem+json", url
            else:
                assert response.status_code in (302, 405), url
                if response.status_code == 302:
                    assert response["Location"].startswith("/login/"), url
