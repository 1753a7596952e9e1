"""Sign-in security (issue 8): lockout, the trail of every outcome, password rules and hashing,
password change, idle sessions and the error pages — each as a person or the auditor sees it."""

import datetime as dt
import io

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from gongxin import settings as project
from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.platform.roles import Role
from tests.factories import make_staff, make_unit, token_of
from tests.factories import sign_in as sign_in_on_workstation
from tests.factories import signed_in as verified

pytestmark = pytest.mark.django_db
RIGHT = "x" * 16  # the factories' password


@pytest.fixture
def unit():
    return make_unit()


@pytest.fixture
def handler(unit):
    return make_staff(unit, "handler", Role.HANDLER)


def sign_in(client, username, password=RIGHT):
    """Through the page, on a registered workstation, with a fresh TOTP code."""
    return sign_in_on_workstation(client, username, password)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def events(action, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters))


# --- lockout ------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_and_the_right_one_then_fails(handler):
    client = Client()
    answers = [sign_in(client, "handler", f"wrong-{n}") for n in range(5)]
    assert [a.status_code for a in answers] == [200] * 4 + [429]
    page = answers[-1].content.decode()
    assert "账号已锁定" in page and "锁定 30 分钟" in page and "即使密码正确" in page
    assert '<a class="brand" href="/">公信</a>' in page  # the normal frame
    right = sign_in(client, "handler")
    assert right.status_code == 429 and not signed_in(client)
    assert not signed_in(Client()) and sign_in(Client(), "handler").status_code == 429


def test_the_lock_lasts_30_minutes(handler):
    client = Client()
    for n in range(5):
        sign_in(client, "handler", f"wrong-{n}")
    assert sign_in(client, "handler").status_code == 429
    # Axes reads Django's wall clock, not the product's (which `make test` pins).
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=29))
    assert sign_in(client, "handler").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert sign_in(client, "handler").status_code == 302 and signed_in(client)


def test_an_operator_can_lift_a_lock_early(handler):
    from django.core.management import call_command

    for n in range(5):
        sign_in(Client(), "handler", f"wrong-{n}")
    call_command("axes_reset_username", "handler", stdout=io.StringIO())
    assert sign_in(Client(), "handler").status_code == 302


def test_four_failures_then_success_start_the_count_again(handler):
    client = Client()
    for n in range(4):
        sign_in(client, "handler", f"wrong-{n}")
    assert sign_in(client, "handler").status_code == 302
    client.post("/logout/")
    for n in range(4):
        assert sign_in(client, "handler", f"wrong-{n}").status_code == 200
    assert sign_in(client, "handler").status_code == 302


def test_the_lock_is_per_account_not_per_address(unit, handler):
    make_staff(unit, "colleague", Role.REVIEWER)
    for n in range(5):
        sign_in(Client(), "handler", f"wrong-{n}")
    colleague = Client()  # same address (the test client's 127.0.0.1)
    assert sign_in(colleague, "colleague").status_code == 302 and signed_in(colleague)


def test_a_made_up_name_locks_too_and_axes_keeps_no_id_number(handler):
    typed = "11010519491231002X"  # an ID number in the username field
    answers = [sign_in(Client(), typed, f"wrong-{n}") for n in range(5)]
    assert [a.status_code for a in answers] == [200] * 4 + [429]  # as for a real account
    kept = str(list(AccessAttempt.objects.values()))
    assert typed not in kept and typed.lower() not in kept and "wrong-" not in kept
    assert sign_in(Client(), "handler").status_code == 302  # others are not affected


def test_a_locked_account_gets_no_api_token_either(handler):
    for n in range(5):
        sign_in(Client(), "handler", f"wrong-{n}")
    answer = token_of(APIClient(), "handler")
    assert answer.status_code == 429 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "locked" and "token" not in answer.json()
    (event,) = events("auth.token")
    assert (event.outcome, event.detail["code"]) == ("refused", "locked")


def test_wrong_api_passwords_count_toward_the_page_lockout(handler):
    for n in range(5):
        token_of(APIClient(), "handler", f"w{n}")
    assert sign_in(Client(), "handler").status_code == 429


def test_a_right_api_password_starts_the_count_again(handler):
    def token(password):
        return token_of(APIClient(), "handler", password)

    for n in range(4):
        assert token(f"w{n}").status_code == 401
    assert token(RIGHT).status_code == 200
    for n in range(4):
        assert token(f"w{n}").status_code == 401
    assert sign_in(Client(), "handler").status_code == 302


# --- the trail ----------------------------------------------------------------------------


def test_each_sign_in_outcome_is_recorded_once(handler):
    client = Client()
    assert sign_in(client, "handler").status_code == 302
    client.post("/logout/")
    sign_in(client, "handler", "wrong-password-1")
    sign_in(client, "11010519491231002X", "my-secret-pw")  # an ID number in the username field
    for n in range(4):
        sign_in(client, "handler", f"wrong-{n}")
    sign_in(client, "handler")  # locked: refused although right

    (ok,) = events("auth.sign_in", outcome="ok")
    assert (ok.actor, ok.unit_code, ok.object_type, ok.object_id) == (
        "handler",
        "bj",
        "User",
        str(handler.user.pk),
    )
    (out,) = events("auth.sign_out")
    assert out.actor == "handler"
    refused = events("auth.sign_in", outcome="refused")
    assert [(e.detail["username"], e.detail["code"]) for e in refused] == [
        ("handler", "credentials"), ("（不存在的账号）", "credentials"),
        *[("handler", "credentials")] * 4, ("handler", "locked")]  # fmt: skip
    (lockout,) = events("auth.lockout")
    assert lockout.detail["username"] == "handler" and lockout.detail["minutes"] == 30
    everything = str([(e.actor, e.object_id, e.detail) for e in AuditEvent.objects.all()])
    assert "11010519491231002X" not in everything and "secret" not in everything
    assert "wrong" not in everything and RIGHT not in everything


def test_a_blank_form_is_not_an_attempt(handler):
    Client().post("/login/", {"username": "", "password": ""})
    assert not AuditEvent.objects.exists() and not AccessAttempt.objects.exists()


# --- sessions -----------------------------------------------------------------------------


def test_the_session_key_changes_at_sign_in(handler):
    client = Client()
    before = client.session  # an anonymous session, as an attacker could plant
    before["planted"] = 1
    before.save()
    old_key = before.session_key
    assert client.cookies["sessionid"].value == old_key
    assert sign_in(client, "handler").status_code == 302
    assert client.cookies["sessionid"].value != old_key
    assert "planted" in client.session  # Django keeps the contents, not the key


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if "django_session" in q["sql"]
            and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]  # fmt: skip


def test_a_session_is_written_at_most_once_a_minute(handler):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.ZONE)
    client = Client()
    verified(client, handler)
    with clock.pinned(start):
        with CaptureQueriesContext(connection) as first:
            assert client.get("/").status_code == 200
        assert len(_writes(first)) == 1  # the first mark of use
    for seconds in (1, 20, 59):
        with clock.pinned(start + dt.timedelta(seconds=seconds)):
            with CaptureQueriesContext(connection) as quiet:
                assert client.get("/").status_code == 200
            assert _writes(quiet) == [], seconds
    with clock.pinned(start + dt.timedelta(seconds=61)):
        with CaptureQueriesContext(connection) as touched:
            assert client.get("/").status_code == 200
        assert len(_writes(touched)) == 1


def test_30_minutes_idle_ends_the_session(handler):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.ZONE)
    client = Client()
    verified(client, handler)
    with clock.pinned(start):
        assert client.get("/").status_code == 200
    with clock.pinned(start + dt.timedelta(minutes=29)):
        assert client.get("/").status_code == 200  # 29 minutes idle: still signed in
    with clock.pinned(start + dt.timedelta(minutes=58)):
        assert client.get("/").status_code == 200  # 29 more: the use at 29 counted
    with clock.pinned(start + dt.timedelta(minutes=88, seconds=1)):
        answer = client.get("/requests/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert not signed_in(client)
    (idle,) = events("auth.sign_out")
    assert idle.detail == {"reason": "idle"} and idle.actor == "handler"


def test_the_stored_session_does_not_outlive_the_idle_limit():
    assert project.SESSION_SAVE_EVERY_REQUEST is False
    assert project.SESSION_COOKIE_AGE == 30 * 60


# --- passwords ----------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2_and_old_pbkdf2_hashes_still_verify(settings, handler):
    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS  # tests run with MD5 for speed
    user = handler.user
    user.set_password("Changed-Passw0rd-2026")
    user.save()
    assert user.password.startswith("argon2$argon2id$")
    old = make_password(RIGHT, hasher="pbkdf2_sha256")
    get_user_model().objects.filter(pk=user.pk).update(password=old)
    client = Client()
    assert sign_in(client, "handler").status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")  # upgraded at sign-in


@pytest.mark.parametrize(("password", "said"), [
    ("Ab1-short", "密码长度太短"),
    ("abcdefghijklmnop", "至少 3 类"),
    ("abcdefgh12345678", "至少 3 类"),
    ("John!20130605at1753", "常见"),
    ("Handler2026!", "相似"),
])  # fmt: skip
def test_a_weak_new_password_is_refused_in_chinese(client, handler, password, said):
    verified(client, handler)
    answer = client.post("/password/", {"old_password": RIGHT, "new_password1": password,
                                        "new_password2": password})  # fmt: skip
    page = answer.content.decode()
    assert answer.status_code == 200 and "密码没有修改" in page and said in page, page
    assert "This password" not in page and "Your password" not in page  # no English
    handler.user.refresh_from_db()
    assert handler.user.check_password(RIGHT)
    assert not events("auth.password_change")


def test_the_demo_password_meets_the_rules_and_every_demo_account_signs_in():
    """As the README says: enrol the browser with the printed code of a unit's demo workstation,
    add the printed secret to an authenticator, sign in with the demo password and its code."""
    import base64

    from django.contrib.auth.password_validation import validate_password
    from django_otp.oath import TOTP

    from gongxin.accounts.workstations import COOKIE
    from gongxin.inquiry.demo import DEMO_PASSWORD, load_organisation, load_security

    rows = load_organisation(clock.today())
    codes, secrets = load_security()
    credentials = {}
    for unit, code in codes:
        browser = Client()
        assert browser.get(f"/workstation/enrol/?code={code}").status_code == 200
        browser.post("/workstation/enrol/", {"code": code})
        credentials[unit] = browser.cookies[COOKIE].value
    for username, unit, _roles in rows:
        user = get_user_model().objects.get(username=username)
        validate_password(DEMO_PASSWORD, user)  # raises if the README's password broke a rule
        key = base64.b32decode(secrets[username].replace(" ", ""))
        client = Client()
        client.cookies[COOKIE] = credentials[unit]
        answer = client.post("/login/", {"username": username, "password": DEMO_PASSWORD,
                                         "otp": f"{TOTP(key).token():06d}"})  # fmt: skip
        assert answer.status_code == 302, username
        assert signed_in(client), username


def test_every_signed_in_person_finds_the_password_change_in_the_menu(unit, handler):
    people = [handler] + [make_staff(unit, role.value, role) for role in
                          (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR)]  # fmt: skip
    for person in people:
        client = Client()
        verified(client, person)
        page = client.get("/").content.decode()
        assert '<a href="/password/">修改密码</a>' in page, person.user.username
        assert client.get("/password/").status_code == 200


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(handler):
    here, elsewhere = Client(), Client()
    assert sign_in(here, "handler").status_code == 302
    assert sign_in(elsewhere, "handler").status_code == 302
    new = "Lüe-Bian-2026-春"
    answer = here.post("/password/", {"old_password": RIGHT, "new_password1": new,
                                      "new_password2": new})  # fmt: skip
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert "密码已修改" in here.get("/").content.decode()
    assert not signed_in(elsewhere)
    (changed,) = events("auth.password_change")
    assert changed.actor == "handler" and new not in str(changed.detail)
    assert sign_in(Client(), "handler", new).status_code == 302


# --- error pages --------------------------------------------------------------------------


def _in_frame(page: str) -> bool:
    return '<a class="brand" href="/">公信</a>' in page and '<html lang="zh-CN">' in page


def test_error_pages_are_chinese_in_the_frame(client, handler, settings):
    from gongxin.platform import views

    verified(client, handler)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    assert _in_frame(missing.content.decode()) and "修改密码" in missing.content.decode()
    request = RequestFactory().get("/requests/")
    request.user = handler.user
    forbidden = views.permission_denied(request)
    assert forbidden.status_code == 403 and "无权访问" in forbidden.content.decode()
    assert _in_frame(forbidden.content.decode())
    failed = views.server_error(RequestFactory().get("/requests/"))
    assert failed.status_code == 500 and "系统错误" in failed.content.decode()
    assert _in_frame(failed.content.decode())
    strict = Client(enforce_csrf_checks=True)
    stale = strict.post("/login/", {"username": "handler", "password": RIGHT})
    assert stale.status_code == 403 and "页面已过期" in stale.content.decode()
    assert _in_frame(stale.content.decode())
