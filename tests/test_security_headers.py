"""What every answer tells the browser: a CSP naming no outside source and no-store."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from rest_framework.test import APIClient

from tests.factories import signed_in

pytestmark = pytest.mark.django_db


def csp(response) -> dict[str, str]:
    return dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )


@pytest.mark.parametrize("path", ["/", "/requests/", "/requests/new/", "/no-such-page/"])
def test_a_signed_in_page_has_a_strict_policy_and_is_not_stored(client, world, path):
    signed_in(client, world.handler.user)
    response = client.get(path)
    policy = csp(response)
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "http" not in response["Content-Security-Policy"]  # no outside source at all
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy["style-src"]).group(1)
    assert f'<style nonce="{nonce}">' in response.content.decode()  # the frame's own style runs
    assert response["Cache-Control"] == "no-store"


def test_each_answer_has_its_own_nonce(client, world):
    signed_in(client, world.handler.user)
    first, second = (csp(client.get("/"))["style-src"] for _ in range(2))
    assert first != second


def test_the_sign_in_page_has_the_policy_too(client):
    response = client.get("/login/")
    assert csp(response)["form-action"] == "'self'"


def test_api_answers_are_not_stored(world):
    api = APIClient()
    api.force_authenticate(world.handler.user)
    assert api.get("/api/v1/requests/")["Cache-Control"] == "no-store"
    assert APIClient().get("/api/v1/requests/")["Cache-Control"] == "no-store"


def test_behind_tls_cookies_are_secure_and_hsts_is_sent():
    code = ("import django; django.setup(); from django.conf import settings as s; print("
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)")  # fmt: skip
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "GONGXIN_TLS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=os.getcwd())  # fmt: skip
    assert out.stdout.split() == ["True", "True", "31536000"]
