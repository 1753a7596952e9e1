"""Work queues that say what to do next (issue 9): per request the next step, who must act, the
candidate count and the deadline, sorted by urgency; dashboards that fit the role; setup
warnings for the system administrator; a request stuck at 待分派 says why, and the supervisor
appoints its handler by hand (指派) — never someone the draw could not pick; the unit's
register (台账) as XLSX, masked. Real SQLite, real files."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from gongxin.accounts.models import Recusal, Staff
from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.inquiry import services
from gongxin.inquiry.choices import RequestState
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.queues import next_step, status_label
from gongxin.inquiry.rules import RULES, allowed_actions, appointable
from gongxin.platform.errors import WorkflowError
from tests.factories import (
    LI,
    ZHANG,
    World,
    make_staff,
    matched_candidates,
    set_trained,
    signed_in,
)

pytestmark = pytest.mark.django_db
S = RequestState
TODAY = dt.date(2026, 3, 2)
NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def world(tmp_path):
    with clock.pinned(NOON):
        yield World(tmp_path)


def fresh(req):
    return InquiryRequest.objects.get(pk=req.pk)


def page(person, url="/") -> str:
    client = Client()
    signed_in(client, person.user)
    answer = client.get(url)
    assert answer.status_code == 200, url
    return answer.content.decode()


def sections(html: str) -> dict[str, str]:
    """A dashboard's sections by heading (「我的待办（2）」 → 我的待办), each its own text."""
    parts = re.split(r"<h2>([^<（]+)（\d+）</h2>", html)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def drive(world, state, people=(ZHANG,)):
    """A request in ``state``, taken there through the services."""
    if state == S.RECEIVED:
        set_trained(world.handler, False)  # nobody to draw
        req = world.register(people=people)
        set_trained(world.handler, True)
        return fresh(req)
    req = world.register(people=people)
    if state == S.RETURNED:
        services.return_request(world.handler, req.pk, "来文格式不符")
        return fresh(req)
    steps = [S.SCREENED, S.IN_REVIEW, S.AWAITING_SIGNOFF, S.SIGNED, S.ISSUED]
    order = [S.ASSIGNED, *steps]
    for step in steps[: order.index(state)]:
        if step == S.SCREENED:
            services.screen_request(world.handler, req.pk, today=TODAY)
        elif step == S.IN_REVIEW:
            services.submit(world.handler, req.pk)
        elif step == S.AWAITING_SIGNOFF:
            for candidate in matched_candidates(req):
                for reviewer in (world.reviewer_a, world.reviewer_b):
                    services.review(reviewer, candidate.pk, "confirm", "一致", today=TODAY)
        elif step == S.SIGNED:
            services.sign_off(world.signer, req.pk, confirmed=True)
        elif step == S.ISSUED:
            services.issue(world.handler, req.pk)
    req = fresh(req)
    assert req.state == state
    return req


# Per state: (how lists read the state, 下一步, who must act). Derived from RequestState below,
# so a new state fails here until it is said what it waits for.
NEXT = {
    S.RECEIVED: ("待分派", "补抽经办人", "待补抽经办人 1 名"),  # then why, if none can be
    S.ASSIGNED: ("已分派", "查询", "handler"),
    S.SCREENED: ("已查询", "提交", "handler"),
    S.IN_REVIEW: ("复核中", "复核", "reviewer_a、reviewer_b"),  # in draw order
    S.AWAITING_SIGNOFF: ("待签发", "签发", "signer"),
    S.SIGNED: ("待反馈", "反馈", "handler"),
    S.ISSUED: ("已反馈", "", ""),
    S.RETURNED: ("已退回", "", ""),
}


def test_the_table_names_every_state():
    assert set(NEXT) == set(S.values)
    # Every state an advancing rule starts from has a next step in the table.
    for action, spec in RULES.items():
        if spec.advances:
            assert spec.states <= set(NEXT), action


@pytest.mark.parametrize("state", list(S))
def test_next_step_and_who_for_every_state(world, state):
    with clock.pinned(NOON):
        req = drive(world, state)
        label, step, who = NEXT[state]
        found = next_step(req)
        assert status_label(req) == label
        assert found.step == step
        assert sorted(found.who.split("、")) == sorted(who.split("、")) or found.who.startswith(who)
        assert found.stuck == ""
        # The list shows the same words (已签发 reads 待反馈).
        html = page(world.supervisor, "/requests/")
        row = html.split(req.letter_number)[1].split("</tr>")[0]
        assert f"<td>{label}</td>" in row and f"<td>{step or '—'}</td>" in row
        assert f"<td>{found.who or '—'}</td>" in row


def test_a_reviewer_who_has_reviewed_is_no_longer_who_must_act(world):
    with clock.pinned(NOON):
        req = drive(world, S.IN_REVIEW)
        (candidate,) = matched_candidates(req)
        services.review(world.reviewer_a, candidate.pk, "confirm", "一致", today=TODAY)
        assert next_step(fresh(req)).who == "reviewer_b"


def test_lists_and_dashboards_sort_by_urgency(world):
    with clock.pinned(NOON):
        later, overdue, soon = (world.register(people=[LI]) for _ in range(3))
        done = drive(world, S.ISSUED, people=(LI,))
        for req, deadline in ((later, TODAY + dt.timedelta(days=9)),
                              (overdue, TODAY - dt.timedelta(days=1)), (soon, TODAY)):  # fmt: skip
            InquiryRequest.objects.filter(pk=req.pk).update(deadline=deadline)
        listed = page(world.handler, "/requests/")
        order = [r.letter_number for r in (overdue, soon, later, done)]
        assert sorted(order, key=listed.index) == order
        assert "已超期" in listed.split(overdue.letter_number)[1].split("</tr>")[0]
        todo = sections(page(world.handler))["我的待办"]
        assert sorted(order[:3], key=todo.index) == order[:3]
        assert done.letter_number not in todo
        # The candidate count is shown, never the candidates.
        row = listed.split(later.letter_number)[1].split("</tr>")[0]
        assert "<td>1</td>" in row and LI[0] not in listed


def test_a_page_of_requests_costs_the_same_queries_for_few_or_many(world):
    """The rules are asked per request and person, but what they read is read once per page."""
    with clock.pinned(NOON):
        states = [S.ASSIGNED, S.SCREENED, S.IN_REVIEW, S.AWAITING_SIGNOFF, S.SIGNED]

        def cost(person, url):
            client = Client()
            signed_in(client, person.user)
            client.get(url)  # warm: the session, caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            return len(queries)

        for state in states:
            drive(world, state)
        few = {(p.pk, url): cost(p, url) for p in (world.handler, world.reviewer_a)
               for url in ("/", "/requests/")}  # fmt: skip
        for url in ("/", "/requests/"):
            few[(world.supervisor.pk, url)] = cost(world.supervisor, url)
        for _ in range(3):
            for state in states:
                drive(world, state)
        assert InquiryRequest.objects.count() == 20
        many = {key: cost(Staff.objects.get(pk=key[0]), key[1]) for key in few}
        assert many == few


def test_dashboards_fit_the_role(world):
    with clock.pinned(NOON):
        reviewing = drive(world, S.IN_REVIEW)
        signing = drive(world, S.AWAITING_SIGNOFF)
        handling = drive(world, S.ASSIGNED)
        reviewer = sections(page(world.reviewer_a))
        assert reviewing.letter_number in reviewer["待我复核"]
        assert "待我签发" not in reviewer and "本单位在办" not in reviewer
        signer = sections(page(world.signer))
        assert signing.letter_number in signer["待我签发"]
        assert reviewing.letter_number not in signer["我的待办"]
        handler = sections(page(world.handler))
        assert handling.letter_number in handler["我的待办"]
        assert "待我复核" not in handler
        supervisor = sections(page(world.supervisor))
        for req in (reviewing, signing, handling):
            assert req.letter_number in supervisor["本单位在办"]
        assert "无人可办理" not in supervisor


@pytest.fixture
def sysadmin(world):
    return make_staff(world.bj, "sysadmin", "sysadmin")


def test_next_years_holidays_missing_warns_from_1_december(world, settings):
    settings.PUBLIC_URL = "https://xinyong.example.gov.cn"
    east8 = dt.timezone(dt.timedelta(hours=8))
    with clock.pinned(dt.datetime(2026, 11, 30, 18, 0, tzinfo=east8)):
        sysadmin = make_staff(world.national, "sysadmin", "sysadmin")  # a password of November
        province = make_staff(world.bj, "bj-sysadmin", "sysadmin")
        assert "2027 年节假日安排尚未录入" not in page(sysadmin)
    with clock.pinned(dt.datetime(2026, 12, 1, 9, 0, tzinfo=east8)):
        html = page(sysadmin)
        assert "2027 年节假日安排尚未录入" in html
        assert "2027 年节假日安排尚未录入" not in page(make_staff(world.bj, "aud", "auditor"))
        # A province's administrator is told who enters it: the calendar is the country's.
        assert "请联系国家公共信用信息中心系统管理员录入" in page(province)
        client = Client()
        signed_in(client, sysadmin.user)
        client.post("/calendar/", {"year": 2027, "holidays": "2027-01-01", "workdays": ""})
        assert "2027 年节假日安排尚未录入" not in page(sysadmin)


def test_no_public_verification_address_warns(world, sysadmin, settings):
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    with clock.pinned(NOON):
        assert "未配置公开核验地址" in page(sysadmin)
        settings.PUBLIC_URL = "https://xinyong.example.gov.cn"
        assert "未配置公开核验地址" not in page(sysadmin)


def _certificate(path, days: int):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试")])
    now = clock.now()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=300))
            .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256()))  # fmt: skip
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def test_certificates_ending_within_30_days_warn(world, sysadmin, settings, tmp_path):
    settings.PUBLIC_URL = "https://xinyong.example.gov.cn"
    settings.CERT_DIR = tmp_path / "certs"
    (settings.CERT_DIR / "trust").mkdir(parents=True)
    with clock.pinned(NOON):
        _certificate(settings.CERT_DIR / "bj.cert.pem", 20)
        _certificate(settings.CERT_DIR / "trust" / "ca.pem", 400)
        _certificate(settings.CERT_DIR / "sh.cert.pem", 31)
        html = page(sysadmin)
        assert "证书 bj.cert.pem 将于2026年3月22日到期（剩 19 天）" in html or (
            "证书 bj.cert.pem 将于2026年3月22日到期" in html
        )
        assert "ca.pem" not in html and "sh.cert.pem" not in html
        _certificate(settings.CERT_DIR / "bj.cert.pem", -2)
        assert "证书 bj.cert.pem 已于" in page(sysadmin)


def recuse(staff, agency):
    Recusal.objects.create(staff=staff, agency=agency, reason="近亲属在该单位任职",
                           starts_on=TODAY - dt.timedelta(days=30))  # fmt: skip


def test_a_request_stuck_at_unassigned_says_why_and_the_supervisor_appoints(world):
    with clock.pinned(NOON):
        recuse(world.handler, world.agency)
        spare = make_staff(world.bj, "handler2", "handler", trained=False)
        req = world.register(people=[ZHANG])
        assert req.state == S.RECEIVED and req.handler_id is None
        board = sections(page(world.supervisor))
        stuck = board["无人可办理"]
        assert req.letter_number in stuck and "没有可抽取的经办人" in stuck
        assert "handler：已登记回避该发起查询单位" in stuck
        assert "handler2：未取得业务培训合格记录" in stuck
        assert "appoint" not in allowed_actions(world.supervisor, fresh(req))  # nobody to name

        set_trained(spare, True)  # trained since: the supervisor may name them
        req = fresh(req)
        assert [s.pk for s in appointable(req)] == [spare.pk]
        supervisor = Staff.objects.get(pk=world.supervisor.pk)
        assert "appoint" in allowed_actions(supervisor, req)
        detail = page(world.supervisor, f"/requests/{req.pk}/")
        offered = detail.split('id="appoint_handler"')[1].split("</select>")[0]
        assert "handler2" in offered and ">handler<" not in offered  # never the recused one

        client = Client()
        signed_in(client, world.supervisor.user)
        url = f"/requests/{req.pk}/appoint/"
        refused = client.post(url, {"handler": spare.pk, "reason": ""}, follow=True)
        assert "请填写指派理由" in refused.content.decode()
        assert fresh(req).handler_id is None
        done = client.post(url, {"handler": spare.pk, "reason": "唯一经办人回避"}, follow=True)
        assert "已指派handler2为经办人" in done.content.decode()
        req = fresh(req)
        assert (req.state, req.handler_id) == (S.ASSIGNED, spare.pk)
        (event,) = AuditEvent.objects.filter(action="request.appoint")
        assert event.outcome == "ok"
        assert event.detail["appointed"] == spare.pk and event.detail["replaced"] is None
        assert event.detail["reason"] == "唯一经办人回避"
        history = page(world.supervisor, f"/requests/{req.pk}/")
        assert "指派handler2为经办人，理由：唯一经办人回避" in history
        assert next_step(req).who == "handler2"


def test_appointing_refuses_a_recused_person_and_changes_nothing(world):
    with clock.pinned(NOON):
        req = drive(world, S.ASSIGNED)
        other = make_staff(world.bj, "handler2", "handler")
        recuse(other, world.agency)
        make_staff(world.bj, "handler3", "handler")  # someone may be appointed, not handler2
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with pytest.raises(WorkflowError) as exc:
            services.appoint(world.supervisor, req.pk, other.pk, "经办人外出")
        assert exc.value.message == "不能指派handler2：已登记回避该发起查询单位"
        assert fresh(req).handler_id == world.handler.pk
        (refusal,) = AuditEvent.objects.filter(pk__gt=before).values_list("action", "outcome")
        assert refusal == ("request.appoint", "refused")
        with pytest.raises(WorkflowError):  # nor by someone who is not a supervisor
            services.appoint(world.handler, req.pk, other.pk, "经办人外出")


def test_appointing_refuses_a_reviewer_of_any_round_as_handler(world, monkeypatch):
    from gongxin.inquiry.services import draws

    with clock.pinned(NOON):
        both = make_staff(world.bj, "handler_reviewer", "handler", "reviewer")
        monkeypatch.setattr(draws, "draw", lambda pool: pool[-1] if len(pool) > 2 else pool[0])
        req = world.register(people=[ZHANG])
        if req.handler_id == both.pk:  # drawn as handler: hand it to the other handler
            services.appoint(world.supervisor, req.pk, world.handler.pk, "调整分工")
        req = fresh(req)
        services.screen_request(req.handler, req.pk, today=TODAY)
        services.submit(req.handler, req.pk)
        reviewers = set(fresh(req).participants.values_list("staff_id", flat=True))
        assert both.pk in reviewers  # the last of the pool: drawn to review
        for candidate in matched_candidates(req):
            for reviewer in Staff.objects.filter(pk__in=reviewers):
                services.review(reviewer, candidate.pk, "confirm", "一致", today=TODAY)
        services.sign_off(world.signer, req.pk, confirmed=True)
        req = fresh(req)
        make_staff(world.bj, "handler3", "handler")  # someone may be appointed, not them
        assert req.state == S.SIGNED and both not in appointable(req)
        with pytest.raises(WorkflowError) as exc:
            services.appoint(world.supervisor, req.pk, both.pk, "经办人外出")
        assert "复核人、签发人不能担任经办人" in exc.value.message
        assert fresh(req).handler_id == req.handler_id


def _rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_register_exports_the_units_requests_filtered_and_masked(world):
    with clock.pinned(NOON):
        issued = drive(world, S.ISSUED, people=(ZHANG, LI))
        open_ = drive(world, S.ASSIGNED)
        world.outsider.unit.requests.exists()  # another unit's request is not in the register
        national = world.register(people=[LI], agency=world.central, actor=world.outsider)
        client = Client()
        signed_in(client, world.supervisor.user)
        answer = client.get("/requests/register.xlsx")
        assert answer.status_code == 200
        assert answer["Content-Disposition"].startswith("attachment;")
        header, *rows = _rows(answer.content)
        assert header[:7] == [
            "序号",
            "发起查询单位",
            "来文文号",
            "收文日期",
            "类别",
            "人选数",
            "状态",
        ]
        numbers = [r[2] for r in rows]
        assert set(numbers) == {issued.letter_number, open_.letter_number}
        assert national.letter_number not in numbers
        row = dict(zip(header, next(r for r in rows if r[2] == issued.letter_number),
                       strict=True))  # fmt: skip
        assert row["人选数"] == 2 and row["状态"] == "已反馈" and row["经办人"] == "handler"
        assert row["被列为失信联合惩戒对象"] == 1 and row["未发现"] == 1
        assert row["复函文号"].startswith("京信用函〔2026〕") and row["反馈日期"] == "2026-03-02"
        text = repr(rows)
        for name, number in (ZHANG, LI):  # masked: no candidate at all
            assert name not in text and number not in text and number[-4:] not in text
        # The list's filters hold: only what the list shows.
        filtered = client.get("/requests/register.xlsx?state=assigned")
        assert [r[2] for r in _rows(filtered.content)[1:]] == [open_.letter_number]
        exports = AuditEvent.objects.filter(action="request.export_register")
        assert exports.count() == 2 and exports.last().detail["rows"] == 1
