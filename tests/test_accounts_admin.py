"""人员管理 as the security administrator uses it, through Django's test client: opening
accounts, granting and revoking roles with their history, stopping accounts (which ends their
sessions), 三权分立, scope (another unit's staff and anyone but the secadmin see 404), and one
trail event per change."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from gongxin.accounts.models import RoleGrant, Staff
from gongxin.audit.models import AuditEvent
from gongxin.platform.roles import Role
from tests.factories import World, make_staff, signed_in
from tests.factories import sign_in as page_sign_in

pytestmark = pytest.mark.django_db

STRONG = "Gongxin-Test-2026!"


@pytest.fixture
def world(tmp_path):
    world = World(tmp_path)
    world.secadmin = make_staff(world.bj, "secadmin", "secadmin")
    return world


def as_person(staff) -> Client:
    client = Client()
    signed_in(client, staff.user)
    return client


def sign_in(username, password="x" * 16, client=None, code=None):
    """Through the sign-in page on the unit's workstation, with a TOTP code (axes needs the
    request): 302 signed in, 200 refused."""
    return page_sign_in(client or Client(), username, password, code)


def events(action):
    return list(AuditEvent.objects.filter(action=action))


def changes() -> int:
    """Account and role changes in the trail (sign-ins are recorded too)."""
    return AuditEvent.objects.filter(action__regex=r"^(staff|role)\.").count()


def snapshot():
    """Everything a refused change must leave as it was."""
    return (
        sorted(RoleGrant.objects.values_list("pk", "staff_id", "role", "revoked_at")),
        sorted(Staff.objects.values_list("pk", "active")),
        get_user_model().objects.count(),
        AuditEvent.objects.count(),
    )


def new_account(**changes):
    data = {
        "username": "newhandler", "full_name": "赵六", "post_since": "2026-01-05",
        "trained_on": "2026-02-01", "roles": ["handler", "reviewer"],
        "password": STRONG, "password_again": STRONG,
    }  # fmt: skip
    data.update(changes)
    return data


# --- the list and scope ------------------------------------------------------------------------


def test_the_list_shows_the_units_staff_only(world):
    page = as_person(world.secadmin).get("/staff/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "人员管理" in text and "handler" in text and "经办人" in text
    assert "outsider" not in text  # the national center's
    assert "2025年6月1日" in text  # post_since


def test_the_menu_offers_staff_management_to_the_secadmin_only(world):
    assert 'href="/staff/"' in as_person(world.secadmin).get("/").content.decode()
    assert 'href="/staff/"' not in as_person(world.handler).get("/").content.decode()


def test_another_units_staff_is_404(world):
    client = as_person(world.secadmin)
    assert client.get(f"/staff/{world.outsider.pk}/").status_code == 404
    before = snapshot()
    answer = client.post(f"/staff/{world.outsider.pk}/deactivate/", {"reason": "调离"})
    assert answer.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("who", ["handler", "signer", "sysadmin", "auditor", "other_secadmin"])
def test_nobody_but_the_units_secadmin_gets_in(world, who):
    if who in ("sysadmin", "auditor"):
        person = make_staff(world.bj, who, who)
    elif who == "other_secadmin":
        person = make_staff(world.national, who, "secadmin")
    else:
        person = getattr(world, who)
    client = as_person(person)
    assert client.get(f"/staff/{world.handler.pk}/").status_code == 404
    if who != "other_secadmin":
        assert client.get("/staff/").status_code == 404
    before = snapshot()
    answer = client.post(f"/staff/{world.handler.pk}/revoke/", {"role": "handler", "reason": "x"})
    assert answer.status_code == 404
    assert snapshot() == before


def test_a_get_on_an_action_goes_back_to_the_persons_page(world):
    answer = as_person(world.secadmin).get(f"/staff/{world.handler.pk}/deactivate/")
    assert answer.status_code == 302 and answer["Location"] == f"/staff/{world.handler.pk}/"
    assert Staff.objects.get(pk=world.handler.pk).active


# --- opening an account ------------------------------------------------------------------------


def test_open_an_account_that_can_sign_in(world):
    answer = as_person(world.secadmin).post("/staff/new/", new_account())
    person = Staff.objects.get(user__username="newhandler")
    assert answer.status_code == 302 and answer["Location"] == f"/staff/{person.pk}/"
    assert person.unit == world.bj and person.full_name == "赵六"
    assert person.post_since == dt.date(2026, 1, 5)
    (training,) = person.training_records.all()  # valid for the default period
    assert (training.trained_on, training.valid_until) == (dt.date(2026, 2, 1), dt.date(2028, 2, 1))
    assert person.roles == {"handler", "reviewer"}
    assert all(g.granted_by == "secadmin" for g in person.role_grants.all())
    (event,) = events("staff.create")
    assert event.actor == "secadmin" and event.object_id == str(person.pk)
    assert STRONG not in str(event.detail)
    assert changes() == 1  # the grants are part of the one creation
    assert sign_in("newhandler", STRONG).status_code == 302


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"password": "short1A!", "password_again": "short1A!"}, "初始密码"),
        ({"password": "alllowercaseletters", "password_again": "alllowercaseletters"}, "初始密码"),
        ({"password_again": STRONG + "x"}, "两次输入的密码不一致"),
        ({"username": "handler"}, "该用户名已被使用"),
        ({"post_since": "2026-02-30"}, "日期格式不正确"),
        ({"full_name": ""}, "请填写姓名"),
    ],
)
def test_a_bad_account_form_is_refused_in_chinese_and_nothing_stored(world, changes, said):
    before = snapshot()
    answer = as_person(world.secadmin).post("/staff/new/", new_account(**changes))
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "未保存" in text and said in text
    assert STRONG not in text  # the password is not echoed back
    assert snapshot() == before


def test_opening_an_account_with_conflicting_roles_is_refused(world):
    before = snapshot()
    answer = as_person(world.secadmin).post(
        "/staff/new/", new_account(roles=["handler", "auditor"])
    )
    assert "管理员角色不能与业务角色" in answer.content.decode()
    assert snapshot() == before


# --- roles -------------------------------------------------------------------------------------


def grant(client, person, role, reason="工作需要"):
    return client.post(f"/staff/{person.pk}/grant/", {"role": role, "reason": reason})


def revoke(client, person, role, reason="调整分工"):
    return client.post(f"/staff/{person.pk}/revoke/", {"role": role, "reason": reason})


def test_grant_a_role_with_who_when_why(world):
    client = as_person(world.secadmin)
    answer = grant(client, world.handler, "signer", "新任签发人")
    assert answer.status_code == 302
    assert Staff.objects.get(pk=world.handler.pk).roles == {"handler", "signer"}
    new = RoleGrant.objects.get(staff=world.handler, role="signer")
    assert (new.granted_by, new.grant_reason) == ("secadmin", "新任签发人")
    (event,) = events("role.grant")
    assert event.detail["role"] == "signer" and event.detail["reason"] == "新任签发人"
    assert changes() == 1
    assert "已授予角色" in client.get(answer["Location"]).content.decode()


def test_revoke_keeps_the_history_and_the_role_admits_no_more(world):
    handler = as_person(world.handler)
    assert handler.get("/requests/new/").status_code == 200
    client = as_person(world.secadmin)
    revoke(client, world.handler, "handler", "轮岗")
    assert Staff.objects.get(pk=world.handler.pk).roles == frozenset()
    (kept,) = RoleGrant.objects.filter(staff=world.handler)
    assert kept.revoked_at is not None and kept.revoked_by == "secadmin"
    assert kept.revoke_reason == "轮岗" and kept.granted_by == "test"
    (event,) = events("role.revoke")
    assert event.detail["role"] == "handler" and changes() == 1
    assert handler.get("/requests/new/").status_code == 404
    page = client.get(f"/staff/{world.handler.pk}/").content.decode()
    assert "轮岗" in page and "角色授权记录" in page
    # Granted again: a new row beside the revoked one, both kept.
    grant(client, world.handler, "handler", "轮岗结束")
    grants = RoleGrant.objects.filter(staff=world.handler, role="handler").order_by("pk")
    assert [g.revoked_at is None for g in grants] == [False, True]
    assert handler.get("/requests/new/").status_code == 200


def test_a_revoked_handler_is_not_drawn(world):
    from gongxin.accounts.eligibility import pool
    from gongxin.platform.rules import eligible

    req = world.register()
    assert world.handler in pool(world.bj, Role.HANDLER, eligible(Role.HANDLER), req)
    revoke(as_person(world.secadmin), world.handler, "handler")
    assert world.handler not in pool(world.bj, Role.HANDLER, eligible(Role.HANDLER), req)


@pytest.mark.parametrize(
    ("person", "role", "said"),
    [
        ("handler", "auditor", "管理员角色不能与业务角色"),
        ("sysadmin", "auditor", "不能由同一人兼任"),
        ("sysadmin", "handler", "管理员角色不能与业务角色"),
    ],
)
def test_role_conflict_is_refused_and_nothing_changes(world, person, role, said):
    target = world.handler if person == "handler" else make_staff(world.bj, person, person)
    client = as_person(world.secadmin)
    before = snapshot()
    answer = grant(client, target, role)
    assert answer.status_code == 302
    assert said in client.get(answer["Location"]).content.decode()
    assert snapshot() == before


def test_a_grant_without_a_reason_or_of_a_held_role_changes_nothing(world):
    client = as_person(world.secadmin)
    before = snapshot()
    answer = grant(client, world.handler, "signer", reason="")
    assert "请填写理由" in client.get(answer["Location"]).content.decode()
    answer = grant(client, world.handler, "handler")
    assert "已有经办人角色" in client.get(answer["Location"]).content.decode()
    answer = revoke(client, world.handler, "signer")
    assert "没有签发人角色" in client.get(answer["Location"]).content.decode()
    assert snapshot() == before


def test_the_secadmin_cannot_change_their_own_account(world):
    client = as_person(world.secadmin)
    me = world.secadmin
    before = snapshot()
    for attempt in (
        lambda: grant(client, me, "auditor"),
        lambda: revoke(client, me, "secadmin"),
        lambda: client.post(f"/staff/{me.pk}/deactivate/", {"reason": "自己"}),
    ):
        said = client.get(attempt()["Location"]).content.decode()
        assert "本人的账号" in said and "另一名安全管理员" in said
    assert snapshot() == before
    page = client.get(f"/staff/{me.pk}/").content.decode()
    assert "另一名安全管理员" in page


# --- stopping and restarting -------------------------------------------------------------------


def test_deactivating_ends_the_persons_sessions_and_sign_in(world):
    victim = Client()
    assert sign_in("handler", client=victim).status_code == 302
    assert victim.get("/requests/").status_code == 200
    client = as_person(world.secadmin)
    answer = client.post(f"/staff/{world.handler.pk}/deactivate/", {"reason": "离职"})
    assert "登录均已失效" in client.get(answer["Location"]).content.decode()
    after = victim.get("/requests/")
    assert after.status_code == 302 and after["Location"].startswith("/login/")
    assert sign_in("handler").status_code == 200  # the sign-in page again, refused
    (event,) = events("staff.deactivate")
    assert event.detail == {"username": "handler", "reason": "离职"}
    assert changes() == 1
    # Restarted: the old session stays ended; a new sign-in works.
    client.post(f"/staff/{world.handler.pk}/activate/", {"reason": "返岗"})
    assert Staff.objects.get(pk=world.handler.pk).active
    assert victim.get("/requests/").status_code == 302
    assert sign_in("handler").status_code == 302
    assert len(events("staff.activate")) == 1 and changes() == 2


def test_deactivating_without_a_reason_changes_nothing(world):
    client = as_person(world.secadmin)
    before = snapshot()
    answer = client.post(f"/staff/{world.handler.pk}/deactivate/", {"reason": ""})
    assert "请填写理由" in client.get(answer["Location"]).content.decode()
    assert snapshot() == before


def test_the_list_shows_current_roles_only(world):
    revoke(as_person(world.secadmin), world.signer, "signer")
    text = as_person(world.secadmin).get("/staff/").content.decode()
    row = text[text.index(">signer<") :].split("</tr>")[0]
    assert "签发人" not in row and "无" in row


def test_every_problem_of_a_new_account_is_said_in_one_round(world):
    """Passwords that differ, roles that conflict, a common password that is also the username,
    a training date to come: one submission, every problem, each by its field's label."""
    before = snapshot()
    answer = as_person(world.secadmin).post("/staff/new/", new_account(
        username="qwerty123456", password="qwerty123456", password_again="qwerty123456x",
        roles=["handler", "auditor"], trained_on="2099-01-01",
    ))  # fmt: skip
    text = answer.content.decode()
    assert answer.status_code == 200
    for said in ["「再次输入初始密码」：两次输入的密码不一致",
                 "「角色」：管理员角色不能与业务角色（经办、复核、签发、监督）兼任（三权分立），账号未开设",
                 "「初始密码」：这个密码太常见了",
                 "「初始密码」：密码与用户名或姓名过于相似",
                 "「初始密码」：密码须包含大写字母、小写字母、数字、符号中的至少 3 类",
                 "「业务培训合格日期」：不能晚于今天"]:  # fmt: skip
        assert said in text, said
    assert "。；" not in text and "未作任何修改" not in text and "密码跟" not in text
    assert "提交的内容有 6 处问题" in text
    assert snapshot() == before


def test_a_role_conflict_is_said_with_the_password_problems_of_a_valid_form(world):
    answer = as_person(world.secadmin).post("/staff/new/", new_account(
        username="zhaoliu", full_name="赵六", password="Zhaoliu-2026",
        password_again="Zhaoliu-2026", roles=["signer", "secadmin"],
    ))  # fmt: skip
    text = answer.content.decode()
    assert "账号未开设" in text and "「初始密码」：密码与用户名或姓名过于相似" in text
    assert not Staff.objects.filter(user__username="zhaoliu").exists()
