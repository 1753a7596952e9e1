"""Demo organisation and requests for `gongxin demo load` (synthetic people only).

Everything goes through the services, as staff would do it, so the demo shows real draws,
deadlines and audit trails. Safe to run twice: what exists is left alone.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from gongxin.accounts import secondfactor, workstations
from gongxin.accounts.models import (
    PlatformUnit,
    Recusal,
    RequestingAgency,
    RoleGrant,
    Staff,
    TrainingRecord,
    Workstation,
)
from gongxin.core import clock
from gongxin.documents.models import LetterWording
from gongxin.inquiry import services
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.queries import findings
from gongxin.platform.roles import Role
from gongxin.registry.screening import CandidateInput

DEMO_PASSWORD = "gongxin-demo-2026"  # noqa: S105 - demo homes only, printed at start-up

UNITS = [
    ("national", "国家公共信用信息中心", "national", "", "信用函"),
    ("bj", "北京市公共信用信息中心", "provincial", "11", "京信用函"),
    ("sh", "上海市公共信用信息服务中心", "provincial", "31", "沪信用函"),
    ("gd", "广东省公共信用信息管理中心", "provincial", "44", "粤信用函"),
]
AGENCIES = [
    ("中央组织部", "central", "", "national"),
    ("人力资源社会保障部", "central", "", "national"),
    ("北京市委组织部", "provincial", "11", "bj"),
    ("北京市人力资源和社会保障局", "provincial", "11", "bj"),
    ("北京市朝阳区委组织部", "county", "11", "bj"),
    ("上海市委组织部", "provincial", "31", "sh"),
    ("广东省委组织部", "provincial", "44", "gd"),
    ("广州市委组织部", "municipal", "44", "gd"),
]
# (username suffix, roles): two handlers so the draw means something, three reviewers so a
# disagreement can be settled, one of each other role.
STAFF = [
    ("handler1", [Role.HANDLER]), ("handler2", [Role.HANDLER]),
    ("reviewer1", [Role.REVIEWER]), ("reviewer2", [Role.REVIEWER]), ("reviewer3", [Role.REVIEWER]),
    ("signer", [Role.SIGNER]), ("supervisor", [Role.SUPERVISOR]), ("sysadmin", [Role.SYSADMIN]),
    ("secadmin", [Role.SECADMIN]), ("auditor", [Role.AUDITOR]),
]  # fmt: skip
NAMES = ("赵明", "钱丽", "孙华", "李强", "周静", "吴军", "郑芳", "王杰", "冯敏", "陈涛")
# Each demo unit's workstation accepts browsers on this machine only.
DEMO_WORKSTATION = "演示专机"
DEMO_RANGES = "127.0.0.0/8"


def demo_usernames() -> set[str]:
    return {f"{code}-{suffix}" for code, *_ in UNITS for suffix, _ in STAFF}


def load_organisation(today: dt.date) -> list[tuple[str, str, str]]:
    """Units, agencies, staff; returns (username, unit, roles) for the credentials table."""
    units = {}
    for code, name, level, region, prefix in UNITS:
        units[code], _ = PlatformUnit.objects.get_or_create(
            code=code, defaults=dict(name=name, level=level, region_code=region,
                                     letter_prefix=prefix),
        )  # fmt: skip
    for unit in units.values():  # the contact printed on the letters (公文措辞 page)
        LetterWording.objects.get_or_create(unit=unit, defaults={"texts": {
            "contact.person": "王明", "contact.phone": "010-00000000"}})  # fmt: skip
    for name, level, region, unit in AGENCIES:
        RequestingAgency.objects.get_or_create(
            name=name, defaults=dict(level=level, region_code=region, unit=units[unit])
        )
    users = get_user_model()
    rows = []
    for code, unit in units.items():
        for i, (suffix, roles) in enumerate(STAFF):
            username = f"{code}-{suffix}"
            user, created = users.objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            staff, _ = Staff.objects.get_or_create(user=user, defaults=dict(
                unit=unit, full_name=NAMES[i],
                post_since=today - dt.timedelta(days=400 + 100 * i)))  # fmt: skip
            trained_on = today - dt.timedelta(days=200)
            TrainingRecord.objects.get_or_create(staff=staff, defaults=dict(
                course="公务员录用调任人选信用记录查询业务培训", trained_on=trained_on,
                valid_until=TrainingRecord.period(trained_on, None, today)[1],
                recorded_by="demo"))  # fmt: skip
            for role in roles:
                RoleGrant.objects.get_or_create(staff=staff, role=role, revoked_at=None,
                                                defaults={"granted_by": "demo"})  # fmt: skip
            rows.append((username, unit.name, "、".join(Role(r).label for r in roles)))
    # Both Beijing handlers are recused for one agency: its letters wait for assignment.
    hrss = RequestingAgency.objects.get(name="北京市人力资源和社会保障局")
    for staff in Staff.objects.filter(
        unit=units["bj"], role_grants__role=Role.HANDLER, role_grants__revoked_at__isnull=True
    ):
        reason = {"reason": "近亲属在该单位任职（演示）", "starts_on": today, "recorded_by": "demo"}
        Recusal.objects.get_or_create(staff=staff, agency=hrss, defaults=reason)
    return rows


def load_security() -> tuple[list[tuple[str, str]], dict[str, str]]:
    """What a newcomer needs to sign in: a workstation of each demo unit on this machine
    (127.0.0.0/8), with a fresh one-time enrolment code each time (unit name, code), and a TOTP
    device for each demo account, whose secret is printed (username -> secret)."""
    codes = []
    for unit in PlatformUnit.objects.filter(code__in=[u[0] for u in UNITS]).order_by("pk"):
        ws = Workstation.objects.filter(unit=unit, name=DEMO_WORKSTATION, active=True).first()
        if ws is None:
            ws, code = workstations.register("demo", unit, DEMO_WORKSTATION, DEMO_RANGES)
        else:
            ws, code = workstations.reissue_code("demo", ws.pk)
        codes.append((unit.name, code))
    totp_secrets = {}
    users = get_user_model().objects.filter(username__in=demo_usernames()).order_by("username")
    for user in users:
        devices = secondfactor.confirmed_devices(user)
        if not devices:
            device = secondfactor.pending_device(user)
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            devices = [device]
        totp_secrets[user.username] = secondfactor.secret_of(devices[0])
    return codes, totp_secrets


def demo_account(username: str):
    """The user of a demo account that still has the demo password, else None: a real
    account, or a demo one whose password was changed, is never helped past its second factor."""
    if username not in demo_usernames():
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.check_password(DEMO_PASSWORD):
        return None
    return user


def _hits(files: Path, count: int) -> list[tuple[str, str]]:
    """People on the demo court list (full numbers only), to make matches."""
    people = []
    with open(files / "list-sxbzxr.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["主体类型"] == "自然人" and "*" not in row["证件号码"]:
                people.append((row["姓名或名称"], row["证件号码"]))
            if len(people) >= count:
                break
    return people


def load_requests(files: Path, today: dt.date) -> int:
    """Requests in every state, in Beijing (and one returned from Shanghai). Returns how many
    were created this time."""
    from gongxin.core.synthetic import Generator

    if InquiryRequest.objects.filter(letter_number__startswith="演示").exists():
        return 0
    gen = Generator(seed=77)
    hits = iter(_hits(files, 20))
    who = {s.user.username: s for s in Staff.objects.select_related("user", "unit")}
    registrar = who["bj-handler1"]
    agency = RequestingAgency.objects.get(name="北京市委组织部")

    def new(n, *, agency=agency, match=1, clean=3, registrar=registrar):
        people = [next(hits) for _ in range(match)] + [(gen.name(), gen.id_number())
                                                        for _ in range(clean)]  # fmt: skip
        reg = services.Registration(
            agency, f"演示组函〔{today.year}〕{n}号", today - dt.timedelta(days=n % 3),
            "recruitment",
            [CandidateInput(i + 2, name, number, "一级科员")
             for i, (name, number) in enumerate(people)],
        )  # fmt: skip
        return services.register(registrar, reg, today=today)

    def reviewers(req):
        return [p.staff for p in req.participants.filter(role="reviewer")]

    with transaction.atomic():
        new(1, agency=RequestingAgency.objects.get(name="北京市人力资源和社会保障局"))  # received
        new(2)  # assigned
        screened = new(3)
        services.screen_request(screened.handler, screened.pk, today=today)
        in_review = new(4)
        services.screen_request(in_review.handler, in_review.pk, today=today)
        services.submit(in_review.handler, in_review.pk)
        for n, final in ((5, "awaiting_signoff"), (6, "signed"), (7, "issued")):
            req = new(n, match=1 if n != 7 else 0)
            services.screen_request(req.handler, req.pk, today=today)
            services.submit(req.handler, req.pk)
            for finding in [f for f in findings(req) if f.matched]:
                for reviewer in reviewers(req):
                    services.review(reviewer, finding.candidate_id, "confirm",
                                    "姓名、号码与名单记录一致", today=today)  # fmt: skip
            if final in ("signed", "issued"):
                signer = req.participants.get(role="signer").staff
                services.sign_off(signer, req.pk, confirmed=True)
            if final == "issued":
                services.issue(req.handler, req.pk, services.Sending("confidential", today))
        returned = new(8)
        services.return_request(returned.handler, returned.pk, "来文未附人选名单")
        new(9, agency=RequestingAgency.objects.get(name="上海市委组织部"))  # wrong unit
    return 9


def load(files: Path) -> tuple[list, int, list, dict]:
    """Everything; ``files`` holds the demo's generated list files. Returns the accounts,
    how many requests were created, the workstations' enrolment codes and the accounts'
    TOTP secrets."""
    from gongxin.documents.signing import ensure_demo_certificates

    today = clock.today()
    with transaction.atomic():
        rows = load_organisation(today)
        codes, totp_secrets = load_security()
    ensure_demo_certificates(PlatformUnit.objects.all())  # demo CA and unit certificates
    return rows, load_requests(files, today), codes, totp_secrets
