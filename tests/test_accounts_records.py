"""人员档案 as the security administrator keeps it — training records, post tenure, recusals of
an agency or of a named person — and what the draw and the check make of them (one rule,
gongxin.platform.rules, for both); and `gongxin accounts expire`, the daily stop of unused
accounts. The clock is pinned wherever a day matters."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client

from gongxin.accounts import records
from gongxin.accounts.models import RULE_PREFETCH, Recusal, RecusedPerson, Staff, TrainingRecord
from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.inquiry import services
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.rules import MAY_HANDLE, MAY_REVIEW, draw_needed, draw_pool
from gongxin.platform.errors import WorkflowError
from gongxin.platform.roles import Role
from tests.factories import LI, ZHANG, World, make_agency, make_staff, set_trained, signed_in

pytestmark = pytest.mark.django_db

MASKED_ZHANG = "110105********002X"


@pytest.fixture
def world(tmp_path):
    world = World(tmp_path)
    world.secadmin = make_staff(world.bj, "secadmin", "secadmin")
    return world


def at(day: str, hour: int = 10) -> dt.datetime:
    """An instant of a business day in China, for clock.pinned."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), clock.ZONE)


def as_person(staff) -> Client:
    """Signed in now (a session idle 30 minutes of the pinned clock ends: sign in again)."""
    client = Client()
    signed_in(client, staff.user)
    return client


def fresh(staff) -> Staff:
    return Staff.objects.prefetch_related(*RULE_PREFETCH).get(pk=staff.pk)


def drawable(req, staff, role=Role.HANDLER) -> bool:
    """Whether the draw for ``role`` on ``req`` may pick ``staff`` today."""
    req = InquiryRequest.objects.get(pk=req.pk)
    return staff.pk in {s.pk for s in draw_pool(req, role)}


def refusal(req, staff, rule=MAY_HANDLE):
    """What the check says when ``staff`` acts on ``req`` today (None: allowed)."""
    return rule(fresh(staff), InquiryRequest.objects.get(pk=req.pk))


def said(client, answer) -> str:
    """The page a POST action sent the administrator back to, with its message; or, for a
    refused form of the person's page, that page shown again with the problems by the form."""
    if answer.status_code == 200:
        return answer.content.decode()
    assert answer.status_code == 302, answer.status_code
    return client.get(answer["Location"]).content.decode()


def snapshot():
    """Everything a refused change must leave as it was."""
    return (
        sorted(TrainingRecord.objects.values_list("pk", "trained_on", "valid_until",
                                                  "withdrawn_at")),
        sorted(Recusal.objects.values_list("pk", "agency_id", "person_id", "starts_on",
                                           "ends_on", "ended_at")),
        sorted(Staff.objects.values_list("pk", "post_since", "active")),
        RecusedPerson.objects.count(),
        AuditEvent.objects.count(),
    )  # fmt: skip


def events(action):
    return list(AuditEvent.objects.filter(action=action))


# --- 业务培训 -----------------------------------------------------------------------------------


def test_a_training_record_is_added_with_the_default_validity_and_shown(world, settings):
    settings.GONGXIN_TRAINING_VALID_DAYS = 730
    client = as_person(world.secadmin)
    with clock.pinned(at("2026-03-02")):
        form = {"course": "2026年度查询业务培训", "trained_on": "2026-03-01"}
        answer = client.post(f"/staff/{world.handler.pk}/training/", form)
        page = said(client, answer)
    kept = TrainingRecord.objects.get(course="2026年度查询业务培训")
    assert (kept.staff, kept.recorded_by) == (world.handler, "secadmin")
    assert (kept.trained_on, kept.valid_until) == (dt.date(2026, 3, 1), dt.date(2028, 2, 29))
    assert "已登记业务培训记录" in page and "2028年2月29日" in page
    (event,) = events("training.record")
    assert event.detail == {"record": kept.pk, "course": "2026年度查询业务培训",
                            "trained_on": "2026-03-01", "valid_until": "2028-02-29"}  # fmt: skip


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"course": "", "trained_on": "2026-03-01"}, "请填写培训内容"),
        ({"course": "培训", "trained_on": "2026-03-03"}, "不能晚于今天"),
        ({"course": "培训", "trained_on": "2026-03-01", "valid_until": "2026-02-28"},
         "不能早于培训合格日期"),
        ({"course": "培训", "trained_on": "2026-02-30"}, "日期格式不正确"),
        ({"course": "培\u202e训", "trained_on": "2026-03-01"}, "U+202E"),
    ],
)  # fmt: skip
def test_a_bad_training_record_is_refused_in_chinese_and_nothing_changes(world, form, message):
    client = as_person(world.secadmin)
    before = snapshot()
    with clock.pinned(at("2026-03-02")):
        page = said(client, client.post(f"/staff/{world.handler.pk}/training/", form))
    assert message in page
    assert snapshot() == before


def test_an_expired_training_keeps_the_person_out_of_the_draw_and_the_check(world):
    req = world.register(people=[LI])  # drawn: the only handler
    handler2 = make_staff(world.bj, "handler2", "handler")
    set_trained(world.handler, False)
    TrainingRecord.objects.create(staff=world.handler, course="初训", recorded_by="test",
                                  trained_on=dt.date(2024, 7, 1),
                                  valid_until=dt.date(2026, 6, 30))  # fmt: skip
    with clock.pinned(at("2026-06-30", 23)):  # the last valid day
        assert drawable(req, world.handler) and refusal(req, world.handler) is None
    with clock.pinned(at("2026-07-01", 0)):
        assert not drawable(req, world.handler) and drawable(req, handler2)
        reason = refusal(req, world.handler)
        assert "培训已过期" in reason and "2026年6月30日" in reason
        with pytest.raises(WorkflowError, match="培训已过期"):
            services.screen_request(fresh(world.handler), req.pk)
        # Drawn again and again, the lapsed handler never comes up.
        assert {world.register(people=[ZHANG]).handler_id for _ in range(4)} == {handler2.pk}
        listing = as_person(world.secadmin).get("/staff/").content.decode()
        row = listing[listing.index(">handler<") :].split("</tr>")[0]
        assert "不能抽取为经办人" in row and "培训已过期" in row
        # A refresher training: respected again at once.
        records.record_training(world.secadmin, world.handler.pk, "复训", dt.date(2026, 7, 1))
        assert drawable(req, world.handler) and refusal(req, world.handler) is None


def test_a_training_in_the_future_or_withdrawn_does_not_count(world):
    set_trained(world.handler, False)
    req = world.register(people=[LI])
    assert refusal(req, world.handler) == "未取得业务培训合格记录"
    with clock.pinned(at("2026-03-02")):
        kept = records.record_training(world.secadmin, world.handler.pk, "培训",
                                       dt.date(2026, 3, 2))  # fmt: skip
        assert refusal(req, world.handler) is None
        client = as_person(world.secadmin)
        answer = client.post(f"/staff/{world.handler.pk}/training/withdraw/",
                             {"record": kept.pk, "reason": "日期登记错误"})  # fmt: skip
        assert "业务培训记录已作废" in said(client, answer)
        kept.refresh_from_db()
        assert kept.withdrawn_by == "secadmin" and kept.withdraw_reason == "日期登记错误"
        assert refusal(req, world.handler) == "未取得业务培训合格记录"
        (event,) = events("training.withdraw")
        assert event.detail == {"record": kept.pk, "reason": "日期登记错误"}
        before = snapshot()
        again = client.post(f"/staff/{world.handler.pk}/training/withdraw/",
                            {"record": kept.pk, "reason": "再次作废"})  # fmt: skip
        assert "已经作废" in said(client, again)
        # Another person's record, named under this person's address: not theirs.
        other = TrainingRecord.objects.filter(staff=world.signer).first()
        wrong = client.post(f"/staff/{world.handler.pk}/training/withdraw/",
                            {"record": other.pk, "reason": "x"})  # fmt: skip
        assert "没有这条业务培训记录" in said(client, wrong)
        assert snapshot() == before
    assert TrainingRecord.objects.filter(pk=kept.pk).exists()  # never deleted


# --- 任职 ---------------------------------------------------------------------------------------


def test_post_tenure_is_changed_with_the_old_date_in_the_trail(world):
    # The unit's tenure is the default 24 months: it ended on 2026-03-01.
    Staff.objects.filter(pk=world.handler.pk).update(post_since=dt.date(2024, 3, 1))
    handler2 = make_staff(world.bj, "handler2", "handler")
    with clock.pinned(at("2026-03-02")):
        req = world.register(people=[LI])
        assert not drawable(req, world.handler)
        assert "任职期限" in refusal(req, world.handler)
        assert req.handler_id == handler2.pk
        client = as_person(world.secadmin)
        row = client.get("/staff/").content.decode()
        row = row[row.index(">handler<") :].split("</tr>")[0]
        assert "不能抽取为经办人" in row and "已超过本岗位任职期限" in row
        page = client.get(f"/staff/{world.handler.pk}/").content.decode()
        assert "2026年3月1日" in page and "已期满" in page  # the tenure's end
        answer = client.post(f"/staff/{world.handler.pk}/tenure/",
                             {"post_since": "2026-02-01", "reason": "轮岗后重新任职"})  # fmt: skip
        assert "已修改本岗位任职起始日期" in said(client, answer)
        assert drawable(req, world.handler) and refusal(req, world.handler) is None
    assert Staff.objects.get(pk=world.handler.pk).post_since == dt.date(2026, 2, 1)
    (event,) = events("staff.post_since")
    assert event.detail == {"old": "2024-03-01", "new": "2026-02-01", "reason": "轮岗后重新任职"}


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"post_since": "2025-06-01", "reason": "核对"}, "与原来相同"),
        ({"post_since": "2026-03-03", "reason": "核对"}, "不能晚于今天"),
        ({"post_since": "2026-01-01", "reason": ""}, "请填写理由"),
    ],
)
def test_a_bad_tenure_change_is_refused_and_nothing_changes(world, form, message):
    client = as_person(world.secadmin)
    before = snapshot()
    with clock.pinned(at("2026-03-02")):
        assert message in said(client, client.post(f"/staff/{world.handler.pk}/tenure/", form))
    assert snapshot() == before


# --- 回避 ---------------------------------------------------------------------------------------


def recuse(client, staff, **form):
    return client.post(f"/staff/{staff.pk}/recusals/", {"reason": "近亲属任职", **form})


def test_an_agency_recusal_holds_in_its_period_for_the_draw_and_the_check(world):
    handler2 = make_staff(world.bj, "handler2", "handler")
    req = world.register(people=[LI])
    client = as_person(world.secadmin)
    with clock.pinned(at("2026-06-01")):
        page = said(client, recuse(client, world.handler, kind="agency", agency=world.agency.pk,
                                   starts_on="2026-07-01", ends_on="2026-07-31"))  # fmt: skip
    assert "已登记回避" in page
    recusal = Recusal.objects.get(staff=world.handler)
    (event,) = events("recusal.add")
    assert event.detail == {"recusal": recusal.pk, "kind": "agency", "agency": world.agency.pk,
                            "starts_on": "2026-07-01", "ends_on": "2026-07-31",
                            "reason": "近亲属任职"}  # fmt: skip
    for day, recused in [("2026-06-30", False), ("2026-07-01", True), ("2026-07-31", True),
                         ("2026-08-01", False)]:  # fmt: skip
        with clock.pinned(at(day)):
            assert drawable(req, world.handler) is not recused, day
            assert (refusal(req, world.handler) == "已登记回避该发起查询单位") is recused, day
            assert drawable(req, handler2), day
    with clock.pinned(at("2026-07-10")):
        drawn = {world.register(people=[ZHANG]).handler_id for _ in range(4)}
        assert drawn == {handler2.pk}
        listing = as_person(world.secadmin).get("/staff/").content.decode()
        row = listing[listing.index(">handler<") :].split("</tr>")[0]
        assert "回避" in row and world.agency.name in row


def test_ending_a_recusal_keeps_the_row_and_the_person_is_drawn_again(world):
    req = world.register(people=[LI])
    client = as_person(world.secadmin)
    with clock.pinned(at("2026-07-01")):
        said(client, recuse(client, world.handler, kind="agency", agency=world.agency.pk))
        recusal = Recusal.objects.get(staff=world.handler)
        assert recusal.starts_on == dt.date(2026, 7, 1) and recusal.ends_on is None
        assert not drawable(req, world.handler)
    with clock.pinned(at("2026-07-15")):
        client = as_person(world.secadmin)  # a new session: the last one ended idle
        answer = client.post(f"/staff/{world.handler.pk}/recusals/end/",
                             {"record": recusal.pk, "reason": "亲属已调离"})  # fmt: skip
        assert "已解除回避" in said(client, answer)
        assert drawable(req, world.handler) and refusal(req, world.handler) is None
        before = snapshot()
        again = client.post(f"/staff/{world.handler.pk}/recusals/end/",
                             {"record": recusal.pk, "reason": "再解除"})  # fmt: skip
        assert "已经解除" in said(client, again)
        assert snapshot() == before
    recusal.refresh_from_db()
    assert recusal.ended_by == "secadmin" and recusal.end_reason == "亲属已调离"
    assert recusal.ended_at is not None
    (event,) = events("recusal.end")
    assert event.detail == {"recusal": recusal.pk, "kind": "agency", "reason": "亲属已调离"}
    page = as_person(world.secadmin).get(f"/staff/{world.handler.pk}/").content.decode()
    assert "已解除" in page and "亲属已调离" in page


def test_a_named_person_recusal_keeps_the_person_off_requests_naming_that_candidate(world):
    naming = world.register(people=[LI, ZHANG])  # drawn: the only handler
    other = world.register(people=[LI])
    handler2 = make_staff(world.bj, "handler2", "handler")
    reviewer_c = make_staff(world.bj, "reviewer_c", "reviewer")
    client = as_person(world.secadmin)
    with clock.pinned(at("2026-07-01")):
        for person in (world.handler, world.reviewer_a):
            said(client, recuse(client, person, kind="person", name=" 张　三 ",
                                id_number=ZHANG[1].lower(), ends_on="2026-12-31"))  # fmt: skip
        assert Recusal.objects.filter(person__isnull=False).count() == 2
        # The draw and the check, for the handler and for a reviewer: the same rule.
        assert not drawable(naming, world.handler) and drawable(naming, handler2)
        assert refusal(naming, world.handler) == "已登记回避本件的一名人选"
        assert drawable(other, world.handler) and refusal(other, world.handler) is None
        assert not drawable(naming, world.reviewer_a, Role.REVIEWER)
        assert drawable(naming, reviewer_c, Role.REVIEWER)
        assert "回避本件的一名人选" in refusal(naming, world.reviewer_a, MAY_REVIEW)
        # The handler already drawn for it may no longer act on it (a new one is drawn); a new
        # letter naming the person never reaches them.
        with pytest.raises(WorkflowError, match="回避本件的一名人选"):
            services.screen_request(fresh(world.handler), naming.pk)
        assert draw_needed(InquiryRequest.objects.get(pk=naming.pk)) == (Role.HANDLER, 1)
        services.screen_request(fresh(world.handler), other.pk)  # a request not naming them
        drawn = {world.register(people=[ZHANG]).handler_id for _ in range(4)}
        assert drawn == {handler2.pk}
    with clock.pinned(at("2027-01-01")):  # the period is over
        assert drawable(naming, world.handler) and refusal(naming, world.handler) is None


def test_the_named_person_is_never_shown_logged_or_recorded_in_full(world, caplog):
    client = as_person(world.secadmin)
    with clock.pinned(at("2026-07-01")):
        answer = recuse(client, world.handler, kind="person", name=ZHANG[0], id_number=ZHANG[1])
        page = said(client, answer)
    assert ZHANG[1] not in answer["Location"]
    assert "已登记回避" in page and MASKED_ZHANG in page and "张*" in page
    for text in [page, client.get("/staff/").content.decode(), caplog.text,
                 str([(e.detail, e.object_id) for e in AuditEvent.objects.all()])]:  # fmt: skip
        assert ZHANG[1] not in text and ZHANG[0] not in text
    (event,) = events("recusal.add")
    assert event.detail["kind"] == "person" and "reason" not in event.detail
    assert not _plaintext_in_database(ZHANG[1]) and not _plaintext_in_database(ZHANG[0])


def _plaintext_in_database(value: str) -> bool:
    """Whether any column of any table holds ``value`` as text or UTF-8 bytes."""
    needle = value.encode()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for cell in row:
                    if isinstance(cell, str) and value in cell:
                        return True
                    if isinstance(cell, bytes | memoryview) and needle in bytes(cell):
                        return True
    return False


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "person", "name": "张三", "id_number": "110105194912310021"}, "校验码不正确"),
        ({"kind": "person", "name": "", "id_number": ZHANG[1]}, "请填写人选姓名"),
        ({"kind": "agency", "agency": ""}, "请选择本单位服务的发起查询单位"),
        ({"kind": "agency", "starts_on": "2026-07-02", "ends_on": "2026-07-01"},
         "不能早于回避起始日期"),
        ({"kind": "agency", "starts_on": "2026-01-01", "ends_on": "2026-06-30"}, "已经过去"),
        ({"kind": "agency", "reason": ""}, "请填写回避原因"),
        ({"kind": "someone"}, "请选择回避对象"),
    ],
)  # fmt: skip
def test_a_bad_recusal_is_refused_in_chinese_without_echo_and_nothing_changes(world, form, message):
    if form.get("kind") == "agency" and "agency" not in form:
        form["agency"] = world.agency.pk
    client = as_person(world.secadmin)
    before = snapshot()
    with clock.pinned(at("2026-07-01")):
        page = said(client, recuse(client, world.handler, **form))
    assert message in page and "110105194912310021" not in page
    assert snapshot() == before


def test_another_units_agency_and_a_second_overlapping_recusal_are_refused(world):
    client = as_person(world.secadmin)
    with clock.pinned(at("2026-07-01")):
        before = snapshot()
        page = said(client, recuse(client, world.handler, kind="agency", agency=world.central.pk))
        assert "请选择本单位服务的发起查询单位" in page
        assert snapshot() == before
        said(client, recuse(client, world.handler, kind="person", name="张三", id_number=ZHANG[1],
                            ends_on="2026-09-30"))  # fmt: skip
        before = snapshot()
        page = said(client, recuse(client, world.handler, kind="person", name="张三",
                                   id_number=ZHANG[1], starts_on="2026-09-01"))  # fmt: skip
        assert "已登记了同一回避" in page
        assert snapshot() == before
        # After the first one's period, the same person may be recorded again.
        said(client, recuse(client, world.handler, kind="person", name="张三", id_number=ZHANG[1],
                            starts_on="2026-10-01"))  # fmt: skip
    assert Recusal.objects.filter(staff=world.handler).count() == 2


def test_records_of_another_units_staff_are_404_and_change_nothing(world):
    client = as_person(world.secadmin)
    outsider = world.outsider
    before = snapshot()
    for path, form in [
        ("training/", {"course": "培训", "trained_on": "2026-01-01"}),
        ("training/withdraw/", {"record": outsider.training_records.get().pk, "reason": "x"}),
        ("tenure/", {"post_since": "2025-01-01", "reason": "x"}),
        ("recusals/", {"kind": "agency", "agency": world.central.pk, "reason": "x"}),
        ("recusals/end/", {"record": 1, "reason": "x"}),
    ]:
        assert client.post(f"/staff/{outsider.pk}/{path}", form).status_code == 404, path
        assert client.get(f"/staff/{outsider.pk}/{path}").status_code == 404, path
    assert snapshot() == before


def test_the_secadmin_cannot_change_their_own_records(world):
    client = as_person(world.secadmin)
    before = snapshot()
    with clock.pinned(at("2026-03-02")):
        form = {"course": "培训", "trained_on": "2026-03-01"}
        page = said(client, client.post(f"/staff/{world.secadmin.pk}/training/", form))
    assert "本人的账号" in page
    assert snapshot() == before


def test_a_named_person_recusal_survives_a_key_rotation(key_file, tmp_path):
    from gongxin.platform.sealed import remove_key, rotate

    key_file("gm")
    world = World(tmp_path)
    secadmin = make_staff(world.bj, "secadmin", "secadmin")
    with clock.pinned(at("2026-07-01")):
        records.add_recusal(secadmin, world.handler.pk, records.NewRecusal(
            kind="person", reason="亲属", starts_on=None, ends_on=None, name=ZHANG[0],
            id_number=ZHANG[1]))  # fmt: skip
        before = world.register(people=[ZHANG])  # sealed under the first key
        result = rotate()
        assert result.rows["accounts.RecusedPerson"] == 1
        assert RecusedPerson.objects.get().key_id == result.new_key
        after = world.register(people=[ZHANG])  # sealed under the new key
        for req in (before, after):
            assert refusal(req, world.handler) == "已登记回避本件的一名人选"
        remove_key(result.old_key)  # no recusal still needs the old key
        assert refusal(after, world.handler) == "已登记回避本件的一名人选"


def test_the_persons_page_shows_training_tenure_and_recusals(world):
    client = as_person(world.secadmin)
    with clock.pinned(at("2026-07-01")):
        said(client, recuse(client, world.handler, kind="agency", agency=world.agency.pk,
                            ends_on="2026-12-31"))  # fmt: skip
        page = client.get(f"/staff/{world.handler.pk}/").content.decode()
    for text in ("业务培训", "2025年6月1日", "2029年12月31日", "有效",  # the factory's training
                 "经办人任职期满日期", "2027年6月1日",  # 24 months from 2025-06-01
                 "回避", world.agency.name, "2026年7月1日至2026年12月31日", "回避中",
                 "今天可参加所担任角色的随机抽取"):  # fmt: skip
        assert text in page, text


# --- gongxin accounts expire --------------------------------------------------------------------

NOW = at("2026-06-01", 9)


def expire(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with clock.pinned(NOW):
        call_command("accounts", "expire", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def idle(world):
    """handler: last signed in 91 days ago, with a session open; secadmin (an administrator):
    opened 120 days ago, never signed in; reviewer_a: 89 days ago; everyone else: last week."""
    victim = Client()
    victim.force_login(world.handler.user)  # sets last_login to the wall clock: set below
    users = get_user_model().objects
    users.update(date_joined=NOW - dt.timedelta(days=200), last_login=NOW - dt.timedelta(days=7))
    users.filter(username="handler").update(last_login=NOW - dt.timedelta(days=91))
    users.filter(username="secadmin").update(last_login=None,
                                             date_joined=NOW - dt.timedelta(days=120))  # fmt: skip
    users.filter(username="reviewer_a").update(last_login=NOW - dt.timedelta(days=89))
    return world


def sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")
               == str(user.pk))  # fmt: skip


def test_expire_dry_run_lists_and_changes_nothing(idle):
    before = snapshot()
    out, _ = expire("--dry-run")
    assert "以下 2 个账号已超过 90 天未使用" in out and "未作修改" in out
    assert "handler（handler" in out and "最后登录于2026年3月2日" in out and "已 91 天未使用" in out
    assert "secadmin（secadmin" in out and "从未登录" in out and "安全管理员" in out
    assert "reviewer_a" not in out
    assert snapshot() == before and sessions_of(idle.handler.user) == 1


def test_expire_stops_unused_accounts_administrators_included_and_ends_their_sessions(idle):
    out, err = expire()
    assert "已停用 2 个账号" in out and "登录会话均已结束" in out
    stopped = {s.user.username for s in Staff.objects.filter(active=False)}
    assert stopped == {"handler", "secadmin"}
    assert not get_user_model().objects.get(username="handler").is_active
    assert sessions_of(idle.handler.user) == 0
    assert "已没有在岗的安全管理员" in err  # the unit's only secadmin was among them
    found = events("staff.expire")
    assert sorted(e.detail["username"] for e in found) == ["handler", "secadmin"]
    assert all(e.actor == "system" and e.detail["idle_days"] == 90 for e in found)
    assert [e.detail["signed_in"] for e in sorted(found, key=lambda e: e.detail["username"])] \
        == [True, False]  # fmt: skip
    # The next day's run finds nothing more to do.
    out, _ = expire()
    assert "没有超过 90 天未使用的账号" in out and len(events("staff.expire")) == 2


def test_the_idle_period_is_a_setting(idle, settings):
    settings.GONGXIN_ACCOUNT_IDLE_DAYS = 88
    out, _ = expire("--dry-run")
    assert "以下 3 个账号已超过 88 天未使用" in out and "reviewer_a" in out


# --- the migration of the single training date -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_old_training_date_becomes_a_record_valid_for_the_default_period(settings):
    from django.db.migrations.executor import MigrationExecutor

    settings.GONGXIN_TRAINING_VALID_DAYS = 730
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0004_api_tokens_hashed")])
    old = executor.loader.project_state([("accounts", "0004_api_tokens_hashed")]).apps
    unit = old.get_model("accounts", "PlatformUnit").objects.create(
        code="bj", name="北京", level="provincial", region_code="11", letter_prefix="京信用函"
    )
    user = old.get_model("auth", "User").objects.create(username="old_handler")
    staff_model = old.get_model("accounts", "Staff")
    trained = staff_model.objects.create(user=user, unit=unit, full_name="甲", post_since=dt.date(
        2024, 1, 1), trained_on=dt.date(2025, 6, 1))  # fmt: skip
    user2 = old.get_model("auth", "User").objects.create(username="untrained")
    staff_model.objects.create(
        user=user2, unit=unit, full_name="乙", post_since=dt.date(2024, 1, 1)
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    (kept,) = TrainingRecord.objects.all()
    assert kept.staff_id == trained.pk
    assert (kept.trained_on, kept.valid_until) == (dt.date(2025, 6, 1), dt.date(2027, 6, 1))


# --- what the person's page shows -------------------------------------------------------------


def _form(page: str, fieldset_id: str) -> str:
    """The HTML of one form of the person's page."""
    start = page.index(f'id="{fieldset_id}"')
    return page[start : page.index("</form>", start)]


def test_a_refused_recusal_keeps_what_was_typed_and_says_why_beside_the_form(world):
    second = make_agency(world.bj, "北京市人力资源和社会保障局")
    client = as_person(world.secadmin)
    before = snapshot()
    with clock.pinned(at("2026-07-01")):
        answer = recuse(client, world.handler, kind="agency", agency=second.pk,
                        reason="配偶在该局任职", starts_on="2026-08-01",
                        ends_on="2026-07-15")  # fmt: skip
    assert answer.status_code == 200 and snapshot() == before
    form = _form(answer.content.decode(), "form-recusal_agency")
    assert "「回避截止日期」：不能早于回避起始日期" in form
    assert f'<option value="{second.pk}" selected>' in form
    assert 'value="配偶在该局任职"' in form
    assert 'value="2026-08-01"' in form and 'value="2026-07-15"' in form
    other = _form(answer.content.decode(), "form-recusal_person")
    assert "不能早于" not in other and "配偶在该局任职" not in other
    # A named person's recusal keeps the reason and dates, never the name or the number.
    with clock.pinned(at("2026-07-01")):
        answer = recuse(client, world.handler, kind="person", name=ZHANG[0], id_number=ZHANG[1],
                        reason="亲属", ends_on="2026-01-01")  # fmt: skip
    page = answer.content.decode()
    form = _form(page, "form-recusal_person")
    assert "「回避截止日期」" in form and 'value="亲属"' in form
    assert ZHANG[0] not in page and ZHANG[1] not in page
    assert snapshot() == before


def test_a_refused_training_or_tenure_form_keeps_its_input(world):
    client = as_person(world.secadmin)
    with clock.pinned(at("2026-03-02")):
        answer = client.post(f"/staff/{world.handler.pk}/training/",
                             {"course": "保密培训", "trained_on": "2026-03-09"})  # fmt: skip
        form = _form(answer.content.decode(), "form-training")
        assert "「培训合格日期」：不能晚于今天" in form and 'value="保密培训"' in form
        answer = client.post(f"/staff/{world.handler.pk}/tenure/",
                             {"post_since": "2026-03-09", "reason": "轮岗"})  # fmt: skip
        form = _form(answer.content.decode(), "form-tenure")
        assert "不能晚于今天" in form and 'value="2026-03-09"' in form and 'value="轮岗"' in form


def test_the_tenure_end_is_shown_only_to_the_roles_it_applies_to(world):
    client = as_person(world.secadmin)
    handler = client.get(f"/staff/{world.handler.pk}/").content.decode()
    assert "经办人任职期满日期" in handler
    reviewer = client.get(f"/staff/{world.reviewer_a.pk}/").content.decode()
    assert "任职期满日期" not in reviewer
    assert "本岗位任职起始日期" in reviewer
