"""Sign-in security, second part (issue 8): the TOTP second factor, registered workstations
(专机), the password's age, and the security administrator's resets — each as a person, the
security administrator or the auditor would notice it, through the pages and the API."""

import base64
import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from gongxin.accounts import signin, workstations
from gongxin.accounts.models import ApiToken, Staff, Workstation
from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.platform.roles import Role
from tests.factories import (
    PASSWORD,
    code_for,
    make_staff,
    on_workstation,
    sign_in,
    signed_in,
    token_of,
    totp_device,
    workstation_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world):
    world.secadmin = make_staff(world.bj, "secadmin", Role.SECADMIN)
    return world


def events(action, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters))


def page(answer) -> str:
    return answer.content.decode()


def reaches_dashboard(client) -> bool:
    return client.get("/").status_code == 200


def code_from_page(html: str) -> str:
    """What a person's authenticator shows for the secret printed on the enrolment page."""
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', html).group(1)
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{TOTP(key).token():06d}"


# --- the second factor -----------------------------------------------------------------------


def test_the_first_sign_in_enrols_the_second_factor_from_a_qr_code_and_the_secret(world):
    client = Client()
    answer = sign_in(client, "handler", code="")  # not enrolled: no code to type yet
    assert answer.status_code == 302
    held = client.get("/requests/")
    assert held.status_code == 302 and held["Location"] == "/second-factor/?next=/requests/"
    enrol = client.get(held["Location"])
    html = page(enrol)
    assert enrol.status_code == 200 and "绑定动态验证码" in html
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, allowed by img-src data:
    assert 'href="/requests/"' not in html  # no menu before the sign-in is complete
    wrong = client.post("/second-factor/?next=/requests/", {"otp": "000000"})
    assert wrong.status_code == 200 and "验证码不正确" in page(wrong)
    assert not TOTPDevice.objects.filter(user=world.handler.user, confirmed=True).exists()
    right = client.post("/second-factor/?next=/requests/", {"otp": code_from_page(html)})
    assert right.status_code == 302 and right["Location"] == "/requests/"
    assert client.get("/requests/").status_code == 200
    (enrolled,) = events("auth.otp_enrol", outcome="ok")
    assert (
        enrolled.actor == "handler" and enrolled.workstation == workstation_for(world.bj)[0].label
    )
    assert len(events("auth.otp_enrol", outcome="refused")) == 1
    (first,) = events("auth.sign_in", outcome="ok")
    assert first.detail["second_factor"] == "not_enrolled"


def test_the_secret_shown_is_kept_until_it_is_confirmed(world):
    client = Client()
    sign_in(client, "handler", code="")
    first, again = (code_from_page(page(client.get("/second-factor/"))) for _ in range(2))
    assert first == again  # a reload does not invalidate what the phone scanned
    assert TOTPDevice.objects.filter(user=world.handler.user).count() == 1


def test_an_enrolled_person_signs_in_with_the_code_and_a_used_code_is_refused_again(world):
    device = totp_device(world.handler)
    code = code_for(world.handler)
    client = Client()
    assert sign_in(client, "handler", code=code).status_code == 302 and reaches_dashboard(client)
    client.post("/logout/")
    replay = sign_in(Client(), "handler", code=code)
    assert replay.status_code == 200 and signin.CREDENTIALS in page(replay)
    assert signin.CODE_USED in page(replay)  # says why, to the one who had the code
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert signin.CODE_USED not in page(sign_in(Client(), "handler", code=wrong))
    device.refresh_from_db()
    assert device.last_t >= 0
    refused = events("auth.sign_in", outcome="refused")
    assert [(e.detail["code"], e.detail.get("failed")) for e in refused] == [
        ("credentials", "otp"), ("credentials", "otp")]  # fmt: skip
    assert code not in str([e.detail for e in AuditEvent.objects.all()])
    assert sign_in(Client(), "handler", code="").status_code == 200  # no code: refused too


def test_a_refusal_never_says_whether_the_password_or_the_code_was_wrong(world):
    totp_device(world.handler)
    wrong_password = page(sign_in(Client(), "handler", "wrong-password"))
    wrong_code = page(sign_in(Client(), "handler", code="123456"))
    nobody = page(sign_in(Client(), "no-such-person", "whatever-pw"))

    def said(html):
        return re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)

    assert said(wrong_password) == said(wrong_code) == said(nobody)
    assert signin.CREDENTIALS in said(nobody)


def test_wrong_codes_count_toward_the_lockout(world):
    totp_device(world.handler)
    answers = [sign_in(Client(), "handler", code=f"00000{n}") for n in range(5)]
    assert [a.status_code for a in answers] == [200] * 4 + [429]
    assert "账号已锁定" in page(answers[-1])
    assert sign_in(Client(), "handler").status_code == 429  # the right password and code
    (lockout,) = events("auth.lockout")
    assert lockout.detail["username"] == "handler"


def test_refused_sign_ins_and_lockouts_reach_the_auditor_whose_unit_they_concern(world):
    """A refusal has no staff actor: it belongs to the unit of the workstation it came from,
    else of the account it named; a made-up name from nowhere goes to the national center."""
    bj_auditor = make_staff(world.bj, "bj-auditor", Role.AUDITOR)
    national_auditor = make_staff(world.national, "nat-auditor", Role.AUDITOR)
    totp_device(world.handler)
    for n in range(5):  # on Beijing's workstation, wrong codes until the lock
        sign_in(Client(), "handler", code=f"00000{n}")
    Client().post("/login/", {"username": "handler", "password": PASSWORD, "otp": "123456"})
    Client().post("/login/", {"username": "nobody-at-all", "password": PASSWORD, "otp": "1"})

    def rows_seen_by(auditor) -> set[int]:
        html = page(signed_in(Client(), auditor).get("/audit/?outcome=refused"))
        return {int(seq) for seq in re.findall(r"<tr[^>]*><td[^>]*>(\d+)</td>", html)}

    refusals = AuditEvent.objects.filter(action="auth.sign_in", outcome="refused")
    at_beijing = {e.seq for e in refusals if e.detail["username"] == "handler"}
    (nowhere,) = [e.seq for e in refusals if e.detail["username"] != "handler"]
    lockout = AuditEvent.objects.get(action="auth.lockout")
    assert len(at_beijing) == 6 and lockout.unit_code == "bj"
    beijing = rows_seen_by(bj_auditor)
    assert at_beijing | {lockout.seq} <= beijing and nowhere not in beijing
    assert nowhere in rows_seen_by(national_auditor)


def test_the_api_token_needs_a_fresh_code(world):
    totp_device(world.handler)
    code = code_for(world.handler)
    missing = APIClient()
    on_workstation(missing, world.bj)
    answer = missing.post("/api/v1/auth/token/", {"username": "handler", "password": PASSWORD},
                          format="json")  # fmt: skip
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "动态验证码"
    assert token_of(APIClient(), "handler", code="111111").status_code == 401
    got = token_of(APIClient(), "handler", code=code)
    assert got.status_code == 200 and got.json()["token"]
    again = token_of(APIClient(), "handler", code=code)
    assert (
        again.status_code == 401 and again.json()["detail"] == signin.CREDENTIALS + signin.CODE_USED
    )
    token = ApiToken.objects.get()
    assert token.workstation == workstation_for(world.bj)[0]


def test_an_account_not_enrolled_gets_no_api_token(world):
    answer = token_of(APIClient(), "reviewer_a", code="123456")
    assert answer.status_code == 401 and "尚未绑定动态验证码" in answer.json()["detail"]
    assert not ApiToken.objects.exists()
    (event,) = events("auth.token")
    assert (event.outcome, event.detail["code"]) == ("refused", "not_enrolled")


# --- workstations ------------------------------------------------------------------------------


def test_off_a_registered_workstation_nobody_signs_in_and_no_password_is_tried(world):
    client = Client()
    form = page(client.get("/login/"))
    assert "本机不能登录" in form and "/workstation/enrol/" in form
    answer = client.post("/login/", {"username": "handler", "password": PASSWORD,
                                     "otp": code_for(world.handler)})  # fmt: skip
    assert answer.status_code == 200 and "本机不是登记的专用终端" in page(answer)
    assert not reaches_dashboard(client)
    assert not AccessAttempt.objects.exists()  # the password was never checked
    (event,) = events("auth.sign_in")
    assert (event.outcome, event.detail["code"], event.workstation) == (
        "refused", "workstation", "")  # fmt: skip
    api = APIClient().post("/api/v1/auth/token/", {"username": "handler", "password": PASSWORD,
                                                   "otp": "123456"}, format="json")  # fmt: skip
    assert api.status_code == 401 and "本机不是登记的专用终端" in api.json()["detail"]


def test_the_secadmin_registers_a_workstation_and_its_browser_enrols_with_the_code_once(world):
    admin = signed_in(Client(), world.secadmin)
    shown = admin.post("/workstations/new/", {"name": "经办二号机", "ranges": ""})
    assert shown.status_code == 200
    code = re.search(r'id="enrolment-code"[^>]*>([A-Z0-9-]+)<', page(shown)).group(1)
    ws = Workstation.objects.get(name="经办二号机")
    assert (ws.unit, ws.registered_by, ws.enrolled_at) == (world.bj, "secadmin", None)
    browser = Client()
    form = browser.get(f"/workstation/enrol/?code={code}")
    assert form.status_code == 200 and f'value="{code}"' in page(form)  # filled in, not used
    done = browser.post("/workstation/enrol/", {"code": code.lower().replace("-", " ")})
    assert done.status_code == 200 and "本机已登记为专用终端" in page(done)
    cookie = done.cookies[workstations.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    ws.refresh_from_db()
    assert ws.credential_digest == Workstation.digest_of(cookie.value) and ws.enrolled_at
    stored = str(list(Workstation.objects.values()))
    assert cookie.value not in stored and code not in stored  # digests only
    again = Client().post("/workstation/enrol/", {"code": code})
    assert "登记码不正确或已使用" in page(again) and workstations.COOKIE not in again.cookies
    # The enrolled browser is a workstation of the unit: the handler signs in there.
    answer = browser.post("/login/", {"username": "handler", "password": PASSWORD,
                                      "otp": code_for(world.handler)})  # fmt: skip
    assert answer.status_code == 302 and reaches_dashboard(browser)
    (registered,) = events("workstation.register")
    assert registered.actor == "secadmin" and registered.object_id == str(ws.pk)
    assert len(events("workstation.enrol", outcome="ok")) == 1
    assert len(events("workstation.enrol", outcome="refused")) == 1
    (signed,) = events("auth.sign_in", outcome="ok")
    assert signed.workstation == ws.label == f"#{ws.pk} 经办二号机"


def test_an_expired_enrolment_code_is_refused(world, settings):
    _ws, code = workstations.register(world.secadmin, world.bj, "三号机")
    later = clock.now() + dt.timedelta(hours=settings.GONGXIN_WORKSTATION_CODE_HOURS, seconds=1)
    with clock.pinned(later):
        answer = Client().post("/workstation/enrol/", {"code": code})
    assert "登记码已过期" in page(answer) and workstations.COOKIE not in answer.cookies


def test_behind_tls_the_workstation_cookie_is_secure_too(world, settings):
    settings.SESSION_COOKIE_SECURE = True  # what GONGXIN_TLS=1 sets
    _ws, code = workstations.register(world.secadmin, world.bj, "四号机")
    answer = Client().post("/workstation/enrol/", {"code": code})
    assert answer.cookies[workstations.COOKIE]["secure"]


def test_another_units_workstation_is_refused_once_the_password_and_code_are_right(world):
    client = Client()
    answer = sign_in(client, "outsider", unit=world.bj)  # national staff at a Beijing machine
    assert answer.status_code == 200 and workstations.OTHER_UNIT in page(answer)
    assert not reaches_dashboard(client)
    assert events("auth.sign_in", outcome="refused")[0].detail["code"] == "workstation"


def test_address_ranges_are_validated_and_narrow_where_the_credential_works(world):
    admin = signed_in(Client(), world.secadmin)
    bad = admin.post("/workstations/new/", {"name": "外网机", "ranges": "10.0.0.1/8\nfoo"})
    said = page(bad)
    assert "主机位不为零" in said and "10.0.0.0/8" in said and "“foo”不是网络地址" in said
    assert not Workstation.objects.filter(name="外网机").exists()
    ws, _ = workstation_for(world.bj)
    ws.address_ranges = workstations.parse_ranges("10.0.0.0/8, 192.168.1.7")
    ws.save()
    assert ws.address_ranges == ["10.0.0.0/8", "192.168.1.7/32"]
    outside = sign_in(Client(), "handler")  # the test client's 127.0.0.1
    assert outside.status_code == 200 and "不在该专用终端登记的地址范围内" in page(outside)
    inside = Client(REMOTE_ADDR="10.20.30.40")
    assert sign_in(inside, "handler").status_code == 302 and reaches_dashboard(inside)


def test_deactivating_a_workstation_ends_its_sessions_and_tokens_and_refuses_sign_in(world):
    ws, _ = workstation_for(world.bj)
    session = Client()
    assert sign_in(session, "handler").status_code == 302 and reaches_dashboard(session)
    token = token_of(APIClient(), "reviewer_a").json()["token"]
    admin = signed_in(Client(), world.secadmin)  # the secadmin works on another machine
    other = Workstation.objects.create(
        unit=world.bj, name="安全管理员机", registered_by="t",
        credential_digest=Workstation.digest_of("admin-pc"))  # fmt: skip
    admin.cookies[workstations.COOKIE] = "admin-pc"
    admin_session = admin.session
    admin_session[signin.WORKSTATION_KEY] = other.pk
    admin_session.save()
    refused = admin.post(f"/workstations/{ws.pk}/deactivate/", {"reason": ""})
    assert refused.status_code == 302 and Workstation.objects.get(pk=ws.pk).active
    done = admin.post(f"/workstations/{ws.pk}/deactivate/", {"reason": "设备报废"})
    assert "已停用专用终端" in page(admin.get(done["Location"]))
    after = session.get("/requests/")
    assert after.status_code == 302 and after["Location"].startswith("/login/")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/requests/").status_code == 401
    again = sign_in(Client(), "handler")
    assert again.status_code == 200 and "专用终端已停用" in page(again)
    (event,) = events("workstation.deactivate")
    assert event.detail == {"reason": "设备报废", "tokens_ended": 1} and event.actor == "secadmin"
    assert event.workstation == other.label  # made at the administrator's machine
    ended = events("auth.sign_out")
    assert [e.detail for e in ended] == [{"reason": "workstation"}]


def test_a_session_ends_when_its_browser_is_not_the_workstation_it_signed_in_at(world):
    client = Client()
    sign_in(client, "handler")
    assert reaches_dashboard(client)
    client.cookies[workstations.COOKIE] = "a-credential-copied-from-nowhere"
    answer = client.get("/requests/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    on_workstation(client, world.bj)
    assert not reaches_dashboard(client)  # the session is gone, not just paused


def test_every_event_names_the_workstation_of_its_request(world):
    ws, _ = workstation_for(world.bj)
    client = signed_in(Client(), world.handler)
    created = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕99号",
        "received_on": clock.today().isoformat(), "kind": "recruitment",
        "candidates_text": "张三,11010519491231002X,科员"})  # fmt: skip
    assert created.status_code == 302
    (registered,) = events("request.register")
    assert registered.workstation == ws.label
    token = token_of(APIClient(), "handler").json()["token"]
    api = APIClient()  # a program on the workstation, sending only its token
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    pk = created["Location"].strip("/").split("/")[-1]
    assert api.post(f"/api/v1/requests/{pk}/screen/").status_code == 200
    (screened,) = events("request.screen")
    assert screened.workstation == ws.label
    from gongxin.audit.services import record

    assert record("system", "test.nothing").workstation == ""  # the command line: none


# --- the password's age --------------------------------------------------------------------------


def test_a_password_older_than_90_days_must_be_changed_before_anything_else(world):
    Staff.objects.filter(pk=world.handler.pk).update(
        password_changed_at=clock.now() - dt.timedelta(days=90))  # fmt: skip
    client = Client()
    assert sign_in(client, "handler").status_code == 302
    held = client.get("/requests/")
    assert held.status_code == 302 and held["Location"] == "/password/?next=/requests/"
    said = page(client.get(held["Location"]))
    assert "请先修改密码" in said and "超过 90 天" in said
    assert client.get("/api/v1/requests/").status_code == 401
    same = client.post("/password/", {"old_password": PASSWORD, "new_password1": PASSWORD,
                                      "new_password2": PASSWORD})  # fmt: skip
    assert "不能与当前密码相同" in page(same)
    new = "Neu-Gongxin-2027!"
    done = client.post("/password/", {"old_password": PASSWORD, "new_password1": new,
                                      "new_password2": new, "next": "/requests/"})  # fmt: skip
    assert done.status_code == 302 and done["Location"] == "/requests/"
    assert client.get("/requests/").status_code == 200
    person = Staff.objects.get(pk=world.handler.pk)
    assert clock.now() - person.password_changed_at < dt.timedelta(minutes=1)


def test_89_days_old_is_still_good(world):
    Staff.objects.filter(pk=world.handler.pk).update(
        password_changed_at=clock.now() - dt.timedelta(days=89, hours=23))  # fmt: skip
    client = Client()
    sign_in(client, "handler")
    assert client.get("/requests/").status_code == 200


def test_an_expired_password_gets_no_api_token(world):
    Staff.objects.filter(pk=world.handler.pk).update(
        password_changed_at=clock.now() - dt.timedelta(days=91))  # fmt: skip
    answer = token_of(APIClient(), "handler")
    assert answer.status_code == 401 and answer.json()["code"] == "password_expired"
    assert "超过 90 天" in answer.json()["detail"] and not ApiToken.objects.exists()


# --- the security administrator's resets ------------------------------------------------------


def resets() -> int:
    return AuditEvent.objects.filter(action__in=["staff.password_reset", "staff.otp_reset"]).count()


def test_the_secadmin_resets_a_password_shown_once_and_changed_at_next_sign_in(world):
    victim = Client()
    sign_in(victim, "handler")
    token = token_of(APIClient(), "handler").json()["token"]
    for n in range(4):
        sign_in(Client(), "handler", f"wrong-{n}")
    sign_in(Client(), "handler", "wrong-4")  # locked
    admin = signed_in(Client(), world.secadmin)
    nothing = admin.post(f"/staff/{world.handler.pk}/password-reset/", {"reason": ""})
    assert nothing.status_code == 302 and resets() == 0
    shown = admin.post(f"/staff/{world.handler.pk}/password-reset/", {"reason": "本人忘记密码"})
    temporary = re.search(r'id="temporary-password"[^>]*>([^<]+)<', page(shown)).group(1)
    validate_password(temporary, world.handler.user)
    assert temporary not in page(admin.get(f"/staff/{world.handler.pk}/"))  # shown once
    assert not reaches_dashboard(victim)  # the session ended
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/requests/").status_code == 401
    assert sign_in(Client(), "handler").status_code == 200  # the old password is gone
    client = Client()
    assert sign_in(client, "handler", temporary).status_code == 302  # the lock was lifted
    held = client.get("/")
    assert held["Location"].startswith("/password/")
    assert "您的密码是安全管理员设置的" in page(client.get(held["Location"]))
    new = "Eigenes-Passwort-2027"
    client.post("/password/", {"old_password": temporary, "new_password1": new,
                               "new_password2": new})  # fmt: skip
    assert reaches_dashboard(client)
    (event,) = events("staff.password_reset")
    assert event.actor == "secadmin" and event.detail["reason"] == "本人忘记密码"
    assert event.detail["unlocked"] is True and temporary not in str(event.detail)
    assert resets() == 1


def test_the_secadmin_resets_a_second_factor_and_the_person_enrols_again(world):
    old = totp_device(world.handler)
    victim = Client()
    sign_in(victim, "handler")
    admin = signed_in(Client(), world.secadmin)
    answer = admin.post(f"/staff/{world.handler.pk}/otp-reset/", {"reason": "手机丢失"})
    assert "已重置动态验证码" in page(admin.get(answer["Location"]))
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert not reaches_dashboard(victim)
    client = Client()
    assert sign_in(client, "handler", code="").status_code == 302
    assert client.get("/requests/")["Location"].startswith("/second-factor/")
    (event,) = events("staff.otp_reset")
    assert event.detail == {"username": "handler", "reason": "手机丢失", "devices": 1,
                            "sessions_ended": 1}  # fmt: skip
    assert resets() == 1


def test_resets_are_refused_on_ones_own_account_and_another_units_staff(world):
    other_admin = make_staff(world.national, "national-secadmin", Role.SECADMIN)
    own = signed_in(Client(), world.secadmin)
    refused = own.post(f"/staff/{world.secadmin.pk}/password-reset/", {"reason": "试"})
    assert "不能重置本人的账号" in page(own.get(refused["Location"]))
    other = signed_in(Client(), other_admin)
    assert other.post(f"/staff/{world.handler.pk}/otp-reset/", {"reason": "试"}).status_code == 404
    assert other.get(f"/workstations/{workstation_for(world.bj)[0].pk}/code/").status_code == 404
    assert resets() == 0


def test_a_new_enrolment_code_leaves_the_enrolled_browser_working_until_it_is_used(world):
    ws, _credential = workstation_for(world.bj)
    admin = signed_in(Client(), world.secadmin)
    shown = admin.post(f"/workstations/{ws.pk}/code/")
    code = re.search(r'id="enrolment-code"[^>]*>([A-Z0-9-]+)<', page(shown)).group(1)
    assert sign_in(Client(), "handler").status_code == 302  # the old browser still works
    Client().post("/workstation/enrol/", {"code": code})
    assert sign_in(Client(), "reviewer_a").status_code == 200  # its credential was replaced
    assert len(events("workstation.code")) == 1


# --- a locked account, seen and lifted by the security administrator -------------------------


def test_the_secadmin_sees_a_lock_and_lifts_it_and_the_person_signs_in(world):
    admin = signed_in(Client(), world.secadmin)
    person_page = f"/staff/{world.handler.pk}/"
    assert "已锁定" not in page(admin.get(person_page))
    assert "<legend>解除锁定</legend>" not in page(admin.get(person_page))
    for n in range(5):
        sign_in(Client(), "handler", f"wrong-{n}")
    locked = sign_in(Client(), "handler")  # the right password, but locked
    assert locked.status_code == 429
    assert '<a href="/login/">返回登录页</a>' in page(locked) and "返回工作台" not in page(locked)
    shown = page(admin.get(person_page))
    assert re.search(r"已锁定（至 \d\d:\d\d）", shown) and "<legend>解除锁定</legend>" in shown
    nothing = admin.post(f"{person_page}unlock/", {"reason": ""})
    assert nothing.status_code == 302 and not events("staff.unlock")
    assert admin.get(f"{person_page}unlock/")["Location"] == person_page  # POST only
    lifted = admin.post(f"{person_page}unlock/", {"reason": "本人来电核实，系输错密码"})
    after = page(admin.get(lifted["Location"]))
    assert "已解除锁定" in after and "已锁定（至" not in after
    assert sign_in(Client(), "handler").status_code == 302  # the same password works again
    (event,) = events("staff.unlock")
    assert event.actor == "secadmin" and event.object_id == str(world.handler.pk)
    assert event.detail["username"] == "handler"
    assert event.detail["reason"] == "本人来电核实，系输错密码"
    again = admin.post(f"{person_page}unlock/", {"reason": "再试"})
    assert "该账号未被锁定" in page(admin.get(again["Location"]))
    assert len(events("staff.unlock")) == 1


def test_unlocking_is_refused_on_ones_own_account_and_another_units_staff(world):
    other_admin = make_staff(world.national, "national-secadmin", Role.SECADMIN)
    for n in range(5):
        sign_in(Client(), "handler", f"wrong-{n}")
    for n in range(5):
        sign_in(Client(), "secadmin", f"wrong-{n}")
    own = signed_in(Client(), world.secadmin)
    refused = own.post(f"/staff/{world.secadmin.pk}/unlock/", {"reason": "试"})
    assert "不能解除锁定本人的账号" in page(own.get(refused["Location"]))
    other = signed_in(Client(), other_admin)
    assert other.post(f"/staff/{world.handler.pk}/unlock/", {"reason": "试"}).status_code == 404
    assert not events("staff.unlock")
    assert sign_in(Client(), "handler").status_code == 429  # still locked
