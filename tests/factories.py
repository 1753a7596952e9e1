"""Shared builders for list files, candidate files and imports. All ID numbers are synthetic."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from gongxin.core import idnumber
from gongxin.registry.screening import CandidateInput, screen
from gongxin.registry.services import import_list

LIST_HEADERS = ["主体类型", "姓名或名称", "证件号码", "列入日期", "认定机关", "认定文书号", "案号"]
DELTA_HEADERS = [*LIST_HEADERS, "操作", "移出日期", "移出原因"]

# Synthetic people (valid check characters; the first two are the GB 11643 vectors).
ZHANG = ("张三", "11010519491231002X")
LI = ("李四", "440524188001010014")
WANG = ("王五", "440524198001010013")
MAIMAITI = ("买买提·艾力", "650102198507150012")


# What Chinese input methods type for digits.
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def make_id(region: str = "110105", born: str = "19900101", seq: int = 1) -> str:
    first17 = f"{region}{born}{seq:03d}"
    return first17 + idnumber.check_char(first17)


def person_row(
    name,
    number,
    listed_on="2025-03-01",
    *,
    authority="北京市朝阳区人民法院",
    document=None,
    case="（2025）京0105执1号",
    **extra,
) -> dict:
    row = {
        "主体类型": "自然人",
        "姓名或名称": name,
        "证件号码": number,
        "列入日期": listed_on,
        "认定机关": authority,
        "认定文书号": document or f"{case}失信决定书",
        "案号": case,
    }
    row.update(extra)
    return row


def org_row(name, code, listed_on="2025-03-01") -> dict:
    return {
        "主体类型": "法人和其他组织",
        "姓名或名称": name,
        "证件号码": code,
        "列入日期": listed_on,
        "认定机关": "国家税务总局北京市税务局第一稽查局",
        "认定文书号": "京税稽罚〔2025〕3号",
        "案号": "",
    }


def write_csv(path: Path, rows: list[dict], headers=None, encoding="utf-8") -> Path:
    headers = headers or (list(rows[0]) if rows else LIST_HEADERS)
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(h, "") for h in headers])
    return path


def write_xlsx(path: Path, rows: list[dict], headers=None) -> Path:
    headers = headers or list(rows[0])
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    book.save(path)
    return path


class Lists:
    """Imports list files into the test database, one numbered file per call."""

    def __init__(self, tmp_path: Path):
        self.dir = tmp_path
        self.count = 0

    def load(
        self, rows, *, source="sxbzxr", mode="snapshot", as_of="2026-01-10", headers=None, **kwargs
    ):
        self.count += 1
        if headers is None and mode == "delta":
            headers = DELTA_HEADERS
        path = write_csv(self.dir / f"list-{self.count}.csv", rows, headers or LIST_HEADERS)
        return import_list(
            path,
            source_code=source,
            mode=mode,
            as_of=dt.date.fromisoformat(as_of),
            imported_by="test",
            **kwargs,
        )


def screen_people(people, as_of="2026-02-01"):
    """Screen (name, id) pairs; returns the results in order."""
    candidates = [CandidateInput(i + 2, name, number) for i, (name, number) in enumerate(people)]
    return screen(candidates, dt.date.fromisoformat(as_of))


def match_of(people, as_of="2026-02-01") -> list[str]:
    return [str(r.match) for r in screen_people(people, as_of).results]


# --- units, agencies, staff, requests ---------------------------------------------------------


def make_unit(code="bj", name="北京市公共信用信息中心", level="provincial", region="11",
              prefix="京信用函"):  # fmt: skip
    from gongxin.accounts.models import PlatformUnit

    return PlatformUnit.objects.create(code=code, name=name, level=level, region_code=region,
                                       letter_prefix=prefix)  # fmt: skip


def make_agency(unit, name="北京市委组织部", level="provincial", region="11"):
    from gongxin.accounts.models import RequestingAgency

    return RequestingAgency.objects.create(name=name, level=level, region_code=region, unit=unit)


def make_staff(unit, username, *roles, trained=True, post_since=dt.date(2025, 6, 1)):
    from django.contrib.auth import get_user_model

    from gongxin.accounts.models import RoleGrant, Staff

    user = get_user_model().objects.create_user(username=username, password="x" * 16)
    staff = Staff.objects.create(user=user, unit=unit, full_name=username, post_since=post_since)
    for role in roles:
        RoleGrant.objects.create(staff=staff, role=role, granted_by="test")
    if trained:
        set_trained(staff, True)
    return staff


def set_trained(staff, trained: bool):
    """Give ``staff`` a valid training record (trained 2025-06-01, valid to the end of 2029; the
    default post tenure, 24 months from 2025-06-01, ends on 2027-06-01), or withdraw every
    record they have (untrained)."""
    from gongxin.accounts.models import TrainingRecord
    from gongxin.core import clock

    if trained:
        TrainingRecord.objects.create(staff=staff, course="业务培训", recorded_by="test",
                                      trained_on=dt.date(2025, 6, 1),
                                      valid_until=dt.date(2029, 12, 31))  # fmt: skip
    else:
        TrainingRecord.objects.filter(staff=staff, withdrawn_at__isnull=True).update(
            withdrawn_at=clock.now(), withdrawn_by="test", withdraw_reason="test"
        )
    return staff


# --- signing in: workstations (专机) and the TOTP second factor --------------------------------

PASSWORD = "x" * 16  # make_staff's


def workstation_for(unit):
    """The unit's test workstation (registered, its browser enrolled) and its device credential,
    the value a registered browser's cookie holds."""
    from gongxin.accounts.models import Workstation

    credential = f"test-workstation-credential-{unit.code}"
    ws, _ = Workstation.objects.get_or_create(
        unit=unit, name="测试专机",
        defaults={"credential_digest": Workstation.digest_of(credential), "registered_by": "test"},
    )  # fmt: skip
    return ws, credential


def on_workstation(client, unit):
    """Give a test client the cookie of ``unit``'s registered workstation; returns it."""
    from gongxin.accounts.workstations import COOKIE

    ws, credential = workstation_for(unit)
    client.cookies[COOKIE] = credential
    return ws


def totp_device(user):
    """The person's confirmed TOTP device (made the first time), as after enrolment."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = getattr(user, "user", user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="测试", confirmed=True)


def totp_code(device) -> str:
    """A code the device accepts now: for the current time step, or the next one (the device
    accepts one step either side) when the current one was used. The previous step is never
    chosen: a step boundary passing before the code is checked would take it out of the window.
    More sign-ins than that within one step: the device is told its last code was two steps
    ago, as if a minute had passed."""
    from django_otp.oath import TOTP, hotp

    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits).t()
    step = max(now, device.last_t + 1)
    if step > now + device.tolerance:
        device.last_t = now - 1
        device.save(update_fields=["last_t"])
        step = now
    return f"{hotp(device.bin_key, step, device.digits):0{device.digits}d}"


def code_for(user) -> str:
    """A fresh code of the person's device (enrolled for them if not yet)."""
    return totp_code(totp_device(user))


def signed_in(client, person):
    """``force_login`` plus what a real sign-in leaves in the session: the second factor passed
    (django-otp's device in the session) on the registered workstation of the person's unit,
    whose cookie the client then carries. The sign-in gate lets such a session through, as it
    does one made through the sign-in page; returns the client."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from gongxin.accounts.signin import WORKSTATION_KEY
    from gongxin.platform.scope import staff_of

    user = getattr(person, "user", person)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    staff = staff_of(user)
    if staff is not None:
        session[WORKSTATION_KEY] = on_workstation(client, staff.unit).pk
    session.save()
    return client


def sign_in(client, username, password=PASSWORD, code=None, *, unit=None, **extra):
    """Through the sign-in page, on the registered workstation of the person's unit (or of
    ``unit``), with a fresh code of their TOTP device (``code=None``; the device is enrolled for
    them if not yet; "" to send none, as someone not enrolled does). 302 signed in, 200
    refused, 429 locked."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).select_related("staff").first()
    unit = unit or _unit_of(user)
    if unit is not None:
        on_workstation(client, unit)
    if code is None:
        code = code_for(user) if user is not None else ""
    data = {"username": username, "password": password, "otp": code, **extra}
    return client.post("/login/", data)


def token_of(client, username, password=PASSWORD, code=None, *, unit=None):
    """POST the API token endpoint as a client on the person's unit's workstation, with a fresh
    code of their device (enrolled for them if not yet): the answer."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).select_related("staff").first()
    unit = unit or _unit_of(user)
    if unit is not None:
        on_workstation(client, unit)
    if code is None:
        code = code_for(user) if user is not None else "123456"
    data = {"username": username, "password": password, "otp": code}
    return client.post("/api/v1/auth/token/", data, format="json")


def _unit_of(user):
    """The person's unit; for a name that is no one's, the first unit (a browser on some
    registered workstation types it)."""
    from gongxin.accounts.models import PlatformUnit

    if user is not None and hasattr(user, "staff"):
        return user.staff.unit
    return PlatformUnit.objects.order_by("pk").first()


def ensure_builtin_sources():
    """Transactional tests flush tables, data-migration rows included: put the sources back."""
    from gongxin.registry.choices import BUILTIN_SOURCES
    from gongxin.registry.models import ListSource

    for code, name, publisher, basis in BUILTIN_SOURCES:
        ListSource.objects.get_or_create(
            code=code, defaults={"name": name, "publisher": publisher, "legal_basis": basis,
                                 "builtin": True},
        )  # fmt: skip


class World:
    """One provincial unit with one handler, two reviewers, one signer and a supervisor; the
    national center with a handler; one agency for each; a list with ZHANG on it."""

    def __init__(self, tmp_path):
        ensure_builtin_sources()
        self.bj = make_unit()
        self.national = make_unit("national", "国家公共信用信息中心", "national", "", "信用函")
        self.agency = make_agency(self.bj)
        self.central = make_agency(self.national, "中央组织部", "central", "")
        self.handler = make_staff(self.bj, "handler", "handler")
        self.reviewer_a = make_staff(self.bj, "reviewer_a", "reviewer")
        self.reviewer_b = make_staff(self.bj, "reviewer_b", "reviewer")
        self.signer = make_staff(self.bj, "signer", "signer")
        self.supervisor = make_staff(self.bj, "supervisor", "supervisor")
        self.outsider = make_staff(self.national, "outsider", "handler", "reviewer", "signer")
        from gongxin.documents.signing import ensure_demo_certificates

        ensure_demo_certificates([self.bj, self.national])  # kept across tests: made once
        self.letters = 0
        Lists(tmp_path).load([person_row(*ZHANG, listed_on="2025-01-02")], as_of="2026-01-10")

    def register(self, people=(ZHANG, LI), agency=None, received_on=dt.date(2026, 3, 2),
                 actor=None, today=dt.date(2026, 3, 2)):  # fmt: skip
        from gongxin.inquiry.services import Registration, register
        from gongxin.registry.screening import CandidateInput

        self.letters += 1
        candidates = [CandidateInput(i + 2, n, number, "科员") for i, (n, number) in
                      enumerate(people)]  # fmt: skip
        reg = Registration(agency or self.agency, f"京组函〔2026〕{self.letters}号", received_on,
                           "recruitment", candidates)  # fmt: skip
        return register(actor or self.handler, reg, today=today)


# --- reading a request's record --------------------------------------------------------------


def findings_of(req):
    """The findings of the round in progress's last screening, by candidate row."""
    from gongxin.inquiry.queries import findings

    return findings(req)


def finding_of(candidate):
    """The candidate's finding in its request's round in progress."""
    from gongxin.inquiry.models import InquiryRequest

    req = InquiryRequest.objects.get(pk=candidate.request_id)
    return next(f for f in findings_of(req) if f.candidate_id == candidate.pk)


def matched_candidates(req):
    return [f.candidate for f in findings_of(req) if f.matched]


def current_round(req):
    from gongxin.inquiry.models import InquiryRequest

    return InquiryRequest.objects.get(pk=req.pk).current


def letter_of(req):
    """The letter of the request's latest signed round."""
    from gongxin.inquiry.models import Round

    return (Round.objects.filter(request=req, letter__isnull=False).order_by("-number")
            .first().letter)  # fmt: skip


def issued(world, people=(ZHANG, LI)):
    """A request taken through the whole workflow today: ZHANG (listed) confirmed by both
    reviewers, signed and issued. Returns the request as stored."""
    from gongxin.core import clock
    from gongxin.inquiry import services
    from gongxin.inquiry.models import InquiryRequest

    today = clock.today()
    req = world.register(people=people, received_on=today, today=today)
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    for candidate in matched_candidates(req):
        for reviewer in (world.reviewer_a, world.reviewer_b):
            services.review(reviewer, candidate.pk, "confirm", "一致", today=today)
    services.sign_off(world.signer, req.pk, confirmed=True)
    services.issue(world.handler, req.pk)
    return InquiryRequest.objects.get(pk=req.pk)


def stored_bytes() -> bytes:
    """Every value of every row of every table, as bytes (text as UTF-8): what a person who
    reads the database, not the product, finds there."""
    from django.db import connection

    out = bytearray()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        out += bytes(value)
                    elif value is not None:
                        out += str(value).encode()
                    out += b"\x1e"
    return bytes(out)


# --- supervision: the risk register, emergency plans, the consultation log -----------------------


def register_record(route: str, unit):
    """A risk point, plan or consultation of ``unit`` for a route of that kind (made directly:
    the services are tested in tests/test_registers.py)."""
    from gongxin.accounts.models import Staff
    from gongxin.core import clock
    from gongxin.supervision.register_models import Consultation, EmergencyPlan, RiskPoint

    someone = Staff.objects.filter(unit=unit).order_by("pk").first()
    now, today = clock.now(), clock.today()
    if "risk" in route:
        return RiskPoint.objects.create(
            unit=unit, title="名单库更新不及时", description="描述", owner=someone, measure="措施",
            review_months=3, next_review_on=today, created_at=now, created_by="test",
        )  # fmt: skip
    if "plan" in route:
        return EmergencyPlan.objects.create(
            unit=unit, title="系统故障应急预案", scenario="system", owner=someone, measures="措施",
            drill_months=6, next_drill_on=today, created_at=now, created_by="test",
        )  # fmt: skip
    return Consultation.objects.create(
        unit=unit, agency_name="北京市委组织部", caller="王科长", called_on=today, topic="progress",
        question="问", answer="答", follow_up=True, recorded_by=someone, recorded_at=now,
    )  # fmt: skip
