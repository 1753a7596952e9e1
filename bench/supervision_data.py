"""A national store for the supervision benchmark: the national center and 32 provincial units,
their agencies and staff, and two years of requests with their rounds, candidates, screenings,
findings, reviews, participants and extensions — written with bulk inserts (executemany on
SQLite, COPY on PostgreSQL), not through the services: 100,000 requests in minutes, not days.

What it writes is what the services would have left, as far as the statistics read it: states,
deadlines from the working-day calendar, 反馈 times (``Round.issued_at``), 延期 and 超期说明,
更正 (round 2), 退回 and the letter sent again (``follows``), matched candidates reviewed by two
(a disagreement settled by a third), results, drawn reviewers and signers. Candidates' names and
numbers are one valid ciphertext repeated, their blind indexes random bytes: the statistics never
open them. No audit events, letters or files (the figures do not read them).

``generate(requests, candidates)`` on an empty migrated database; ``Shape`` says what it wrote.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from gongxin.core import clock
from gongxin.core.workdays import CalendarUnavailable, WorkCalendar

TODAY = dt.date(2026, 11, 30)  # the bench pins the product's clock here (inside chinesecalendar)
YEARS = 2

# (code, province, region code, letter prefix, weight ~ workload): 31 provinces and the 兵团.
PROVINCES = [
    ("bj", "北京市", "11", "京", 4), ("tj", "天津市", "12", "津", 2),
    ("he", "河北省", "13", "冀", 5), ("sx", "山西省", "14", "晋", 3),
    ("nm", "内蒙古自治区", "15", "蒙", 2), ("ln", "辽宁省", "21", "辽", 3),
    ("jl", "吉林省", "22", "吉", 2), ("hl", "黑龙江省", "23", "黑", 3),
    ("sh", "上海市", "31", "沪", 4), ("js", "江苏省", "32", "苏", 7),
    ("zj", "浙江省", "33", "浙", 6), ("ah", "安徽省", "34", "皖", 5),
    ("fj", "福建省", "35", "闽", 4), ("jx", "江西省", "36", "赣", 4),
    ("sd", "山东省", "37", "鲁", 8), ("ha", "河南省", "41", "豫", 8),
    ("hb", "湖北省", "42", "鄂", 5), ("hn", "湖南省", "43", "湘", 5),
    ("gd", "广东省", "44", "粤", 10), ("gx", "广西壮族自治区", "45", "桂", 4),
    ("hi", "海南省", "46", "琼", 1), ("cq", "重庆市", "50", "渝", 3),
    ("sc", "四川省", "51", "川", 7), ("gz", "贵州省", "52", "贵", 3),
    ("yn", "云南省", "53", "云", 4), ("xz", "西藏自治区", "54", "藏", 1),
    ("sn", "陕西省", "61", "陕", 3), ("gs", "甘肃省", "62", "甘", 2),
    ("qh", "青海省", "63", "青", 1), ("nx", "宁夏回族自治区", "64", "宁", 1),
    ("xj", "新疆维吾尔自治区", "65", "新", 2), ("bt", "新疆生产建设兵团", "66", "兵", 1),
]  # fmt: skip
NATIONAL_WEIGHT = 9
CENTRAL_AGENCIES = ("中央组织部", "人力资源社会保障部", "国家公务员局", "中央和国家机关工作委员会")
AGENCY_KINDS = (("委组织部", "provincial"), ("人力资源和社会保障厅", "provincial"),
                ("省会市委组织部", "municipal"), ("第二市委组织部", "municipal"),
                ("第三市委组织部", "municipal"), ("首县委组织部", "county"))  # fmt: skip
# Staff of each unit by role (the national center has twice as many of each).
STAFF = (("handler", 4), ("reviewer", 4), ("signer", 2), ("supervisor", 1))

# Shares of requests (and of candidates) that the statistics count apart.
RETURNED = 0.03  # 退回 (half of them sent again and registered anew)
EXTENDED = 0.03  # 延期 agreed before the deadline
CORRECTED = 0.01  # 更正: a second round after the first was issued
STALLED = 0.002  # open past the deadline today (a draw waiting, a reviewer away)
RECEIVED_ONLY = 0.01  # of the newest: no handler drawn yet
MATCHED = 0.015  # candidates matching a list entry at screening
DISAGREED = 0.05  # of the matched: the two reviewers disagreed (a third decides)
TURNAROUND = ((0, 5), (1, 31), (2, 32), (3, 23), (4, 4), (5, 2), (6, 1.5), (8, 1), (12, 0.5))
SIZES = ((1, 3, 45), (4, 10, 35), (11, 30, 15), (31, 100, 4.5), (101, 500, 0.5))
MATCH_KINDS = (("exact", 60, 0.9), ("id_only", 25, 0.5), ("possible", 15, 0.1))  # P(listed)

CORRECTION = "来函单位反映人选信息有误，更正"
WHY = {"extension": "人选较多，需补充核实", "overdue": "复核人出差，未能按期办结"}
EVIDENCE = ("失信被执行人名单", "北京市朝阳区人民法院", "（2024）京0105执1号失信决定书",
            dt.date(2024, 6, 3))  # fmt: skip

# The request's stage in its round in progress: how far it got (state values).
STAGES = ("received", "assigned", "screened", "in_review", "awaiting_signoff", "signed", "issued")


@dataclass
class Shape:
    """What ``generate`` wrote: row counts per table, requests per state, seconds per step."""

    rows: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)
    returned: int = 0
    extended: int = 0
    overdue_notes: int = 0
    corrected: int = 0
    followed: int = 0
    listed: int = 0
    disagreements: int = 0
    first: dt.date | None = None
    last: dt.date | None = None
    sizes: tuple[int, int] = (0, 0)  # smallest and largest request
    seconds: dict[str, float] = field(default_factory=dict)


class Writer:
    """Bulk inserts of whole rows: the given fields in order, every other concrete field its
    default (fields added later with a default need nothing here). Ids are given by the caller,
    so rows can point at each other without reading anything back; sequences are reset after."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        self.models = []

    def insert(self, model, names: tuple[str, ...], rows, batch: int = 20_000) -> int:
        from django.db.models import DateField, DateTimeField

        ops = self.connection.ops
        given = {name: i for i, name in enumerate(names)}
        fields = [f for f in model._meta.concrete_fields]
        unknown = set(names) - {f.attname for f in fields}
        assert not unknown, f"{model.__name__} has no {unknown}"
        plan = []  # (index in the given row, or None with a constant)
        for f in fields:
            if f.attname in given:
                adapt = None
                if isinstance(f, DateTimeField):
                    adapt = ops.adapt_datetimefield_value
                elif isinstance(f, DateField):
                    adapt = ops.adapt_datefield_value
                plan.append((given[f.attname], adapt))
            else:
                value = f.get_db_prep_save(f.get_default(), self.connection)
                plan.append((None, value))
        table = ops.quote_name(model._meta.db_table)
        columns = ", ".join(ops.quote_name(f.column) for f in fields)

        def whole(row):
            return tuple(
                (row[i] if adapt is None or row[i] is None else adapt(row[i]))
                if i is not None else adapt
                for i, adapt in plan
            )  # fmt: skip

        self.connection.ensure_connection()
        raw = self.connection.connection
        count = 0
        if self.vendor == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(whole(row))
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(fields))})"
            cur = raw.cursor()
            chunk = []
            for row in rows:
                chunk.append(whole(row))
                if len(chunk) >= batch:
                    cur.executemany(sql, chunk)
                    count += len(chunk)
                    chunk.clear()
            if chunk:
                cur.executemany(sql, chunk)
                count += len(chunk)
            cur.close()
        self.models.append(model)
        return count

    def reset_sequences(self) -> None:
        from django.core.management.color import no_style

        statements = self.connection.ops.sequence_reset_sql(no_style(), self.models)
        with self.connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)


class Days:
    """The working days of the calendar around the store: the n-th working day after a day."""

    def __init__(self, first: dt.date, last: dt.date):
        cal = WorkCalendar()
        self.days = []
        day = first
        while day <= last:
            try:
                if cal.is_workday(day):
                    self.days.append(day)
            except CalendarUnavailable:
                break
            day += dt.timedelta(days=1)
        self.index = {d: i for i, d in enumerate(self.days)}

    def after(self, day: dt.date, n: int) -> dt.date | None:
        """``n`` working days after the working day ``day`` (None beyond the calendar)."""
        i = self.index[day] + n
        return self.days[i] if i < len(self.days) else None


def _at(day: dt.date, hour: float) -> dt.datetime:
    """An instant on a business day, at a local hour (Asia/Shanghai), as stored (UTC)."""
    local = dt.datetime.combine(day, dt.time(int(hour), int(hour % 1 * 60)), clock.ZONE)
    return local.astimezone(dt.UTC)


def _pick(rng, table):
    """A value from ((value, weight), …)."""
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def organisation(shape: Shape, today: dt.date):
    """Units, agencies, staff with their roles and training: (units, agencies by unit, staff by
    unit and role). Small: written through the ORM."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from gongxin.accounts.models import (
        PlatformUnit,
        RequestingAgency,
        RoleGrant,
        Staff,
        TrainingRecord,
    )

    units = [PlatformUnit(code="national", name="国家公共信用信息中心", level="national",
                          region_code="", letter_prefix="信用函")]  # fmt: skip
    units += [PlatformUnit(code=code, name=f"{name}公共信用信息中心", level="provincial",
                           region_code=region, letter_prefix=f"{prefix}信用函")
              for code, name, region, prefix, _ in PROVINCES]  # fmt: skip
    units = PlatformUnit.objects.bulk_create(units)
    agencies = {}
    for unit in units:
        if unit.code == "national":
            rows = [RequestingAgency(name=n, level="central", region_code="", unit=unit)
                    for n in CENTRAL_AGENCIES]  # fmt: skip
        else:
            province = unit.name.removesuffix("公共信用信息中心")
            rows = [RequestingAgency(name=f"{province}{suffix}", level=level,
                                     region_code=unit.region_code, unit=unit)
                    for suffix, level in AGENCY_KINDS]  # fmt: skip
        agencies[unit.pk] = RequestingAgency.objects.bulk_create(rows)
    password = make_password("gongxin-bench-2026")
    users, people = [], []
    for unit in units:
        times = 2 if unit.code == "national" else 1
        for role, count in STAFF:
            for i in range(count * times):
                users.append(get_user_model()(username=f"{unit.code}-{role}{i + 1}",
                                              password=password))  # fmt: skip
                people.append((unit, role))
    users = get_user_model().objects.bulk_create(users)
    staff = Staff.objects.bulk_create([
        Staff(user=user, unit=unit, full_name=user.username, post_since=today - dt.timedelta(400))
        for user, (unit, _) in zip(users, people, strict=True)
    ])  # fmt: skip
    RoleGrant.objects.bulk_create([
        RoleGrant(staff=s, role=role, granted_by="bench")
        for s, (_, role) in zip(staff, people, strict=True)
    ])  # fmt: skip
    TrainingRecord.objects.bulk_create([
        TrainingRecord(staff=s, course="业务培训", trained_on=today - dt.timedelta(200),
                       valid_until=today + dt.timedelta(500), recorded_by="bench")
        for s in staff
    ])  # fmt: skip
    by_role = {}
    for s, (unit, role) in zip(staff, people, strict=True):
        by_role.setdefault((unit.pk, role), []).append(s.pk)
    shape.rows.update(units=len(units), agencies=sum(map(len, agencies.values())),
                      staff=len(staff))  # fmt: skip
    return units, agencies, by_role


def _sizes(rng, requests: int, candidates: int) -> list[int]:
    """Candidates per request: mostly a few, some dozens, rarely hundreds; summing exactly to
    ``candidates``."""
    if candidates < requests:
        raise ValueError("at least one candidate per request")
    buckets = [((lo, hi), w) for lo, hi, w in SIZES]
    drawn = [rng.randint(*_pick(rng, buckets)) for _ in range(requests)]
    scale = candidates / sum(drawn)
    sizes = [max(1, round(n * scale)) for n in drawn]
    diff = candidates - sum(sizes)
    order = sorted(range(requests), key=sizes.__getitem__, reverse=True)
    i = 0
    while diff:
        j = order[i % requests]
        if diff > 0:
            sizes[j] += 1
            diff -= 1
        elif sizes[j] > 1:
            sizes[j] -= 1
            diff += 1
        i += 1
    return sizes


def _list_entries(workdir) -> list[int]:
    """A few real list entries for the matches to point at (imported the ordinary way)."""
    from gongxin.registry.models import ListEntry
    from tests.factories import Lists, ensure_builtin_sources, make_id, person_row

    ensure_builtin_sources()
    rows = [person_row(f"名单{i}", make_id(seq=i + 1), listed_on="2024-06-03",
                       case=f"（2024）京0105执{i + 1}号") for i in range(20)]  # fmt: skip
    Lists(workdir).load(rows, as_of="2024-06-10")
    return list(ListEntry.objects.values_list("pk", flat=True))


def generate(requests: int, candidates: int, *, today: dt.date = TODAY, seed: int = 1,
             workdir=None, progress=print) -> Shape:  # fmt: skip
    """Write the store on an empty migrated database (see the module). ``workdir``: where the
    small list file is written (a temporary directory by default)."""
    import tempfile
    from pathlib import Path

    from django.db import transaction

    from gongxin.core.docnumber import letter_key
    from gongxin.inquiry.models import (
        Candidate,
        CandidateMatch,
        Extension,
        Finding,
        InquiryRequest,
        Participant,
        Review,
        Round,
        Screening,
    )
    from gongxin.inquiry.services.identity import seal

    rng = random.Random(seed)
    shape = Shape()
    started = time.perf_counter()
    mark = started

    def lap(name):
        nonlocal mark
        now = time.perf_counter()
        shape.seconds[name] = now - mark
        mark = now
        progress(f"  {name:<28} {now - started:7.1f} s")

    first = today - dt.timedelta(days=365 * YEARS)
    days = Days(first - dt.timedelta(days=10), today + dt.timedelta(days=60))
    receipt_days = [d for d in days.days if first <= d < today]
    # More letters in the recruitment season (March to July), as the exams fall.
    day_weights = [1.6 if 3 <= d.month <= 7 else 1.0 for d in receipt_days]
    with transaction.atomic():
        units, agencies, by_role = organisation(shape, today)
        entries = _list_entries(Path(workdir or tempfile.mkdtemp(prefix="gongxin-bench-")))
    lap("organisation, list")
    sealed = seal("基准测试", "11010519491231002X")
    cipher, key_id = sealed["subject_cipher"], sealed["key_id"]

    # --- requests: drawn, then numbered in order of receipt ---------------------------------
    weights = [NATIONAL_WEIGHT] + [w for *_, w in PROVINCES]
    received = sorted(rng.choices(receipt_days, weights=day_weights, k=requests))
    sizes = _sizes(rng, requests, candidates)
    plans = []
    serial = Counter()
    for when, size in zip(received, sizes, strict=True):
        unit = rng.choices(units, weights=weights)[0]
        agency = rng.choice(agencies[unit.pk])
        serial[agency.pk] += 1
        plans.append(_plan(rng, days, today, when, size, unit, agency, serial[agency.pk],
                           by_role))  # fmt: skip
    # Half the returned letters come again: the unit's next letter received after it is that
    # letter registered anew (same agency and 文号, ``follows``), so the totals stay as asked.
    later = {}
    for i, plan in enumerate(plans):
        later.setdefault(plan["unit"].pk, []).append(i)
    taken = set()
    for i, plan in enumerate(plans):
        if not plan["returned"] or rng.random() < 0.5:
            continue
        mine = later[plan["unit"].pk]
        at = bisect.bisect_right(mine, i)
        for j in mine[at : at + 20]:
            other = plans[j]
            if j not in taken and not other["returned"] and other["received"] > plan["received"]:
                taken.add(j)
                other.update(agency=plan["agency"], serial=plan["serial"], follows=plan)
                break
    for pk, plan in enumerate(plans, start=1):
        plan["pk"] = pk
        plan["matched"] = _matches(rng, plan)
    lap("plans")

    w = Writer()
    request_rows, round_rows, extension_rows = [], [], []
    round_pk = extension_pk = 0
    for p in plans:
        state = p["state"]
        shape.states[state] += 1
        shape.returned += p["returned"]
        shape.corrected += len(p["rounds"]) > 1
        shape.followed += "follows" in p
        number = f"{p['agency'].name[:2]}组函〔{p['received'].year}〕{p['serial']}号"
        request_rows.append((
            p["pk"], p["unit"].pk, p["agency"].pk, number, letter_key(number),
            p["follows"]["pk"] if "follows" in p else None, p["received"], p["kind"], state,
            p["deadline"], p["registrar"], _at(p["received"], 9 + rng.random() * 7),
            p["handler"], "来函材料不全，请补充后重新报送" if p["returned"] else "",
            len(p["rounds"]), p["closed_at"],
        ))  # fmt: skip
        for number_, r in enumerate(p["rounds"], start=1):
            round_pk += 1
            r["pk"] = round_pk
            issued = r.get("issued")
            round_rows.append((
                round_pk, p["pk"], number_, "" if number_ == 1 else CORRECTION,
                p["handler"] if number_ > 1 else None, r["opened"],
                r.get("signed"), r.get("signer") if r.get("signed") else None,
                "0" * 64 if r.get("signed") else "", issued,
                "confidential" if issued else "", issued.astimezone(clock.ZONE).date()
                if issued else None,
            ))  # fmt: skip
        for kind, prev, new, agreed, contact in p["extensions"]:
            extension_pk += 1
            shape.extended += kind == "extension"
            shape.overdue_notes += kind == "overdue"
            extension_rows.append((
                extension_pk, p["pk"], kind, WHY[kind], contact, agreed,
                "电话" if kind == "extension" else "",
                prev, new, p["handler"], _at(agreed or prev, 10.5),
            ))  # fmt: skip
    shape.first, shape.last = plans[0]["received"], plans[-1]["received"]
    shape.sizes = (min(sizes), max(sizes))
    with transaction.atomic():
        shape.rows["requests"] = w.insert(InquiryRequest, (
            "id", "unit_id", "agency_id", "letter_number", "letter_key", "follows_id",
            "received_on", "kind", "state", "deadline", "registered_by_id", "registered_at",
            "handler_id", "return_reason", "round", "closed_at",
        ), request_rows)  # fmt: skip
        shape.rows["rounds"] = w.insert(Round, (
            "id", "request_id", "number", "reason", "opened_by_id", "opened_at", "signed_at",
            "signed_by_id", "result_digest", "issued_at", "sent_by", "sent_on",
        ), round_rows)  # fmt: skip
        shape.rows["extensions"] = w.insert(Extension, (
            "id", "request_id", "kind", "reason", "agency_contact", "agreed_on", "method",
            "previous_deadline", "new_deadline", "recorded_by_id", "recorded_at",
        ), extension_rows)  # fmt: skip
    del request_rows, round_rows, extension_rows
    lap("requests, rounds, extensions")

    # --- candidates, screenings, findings, matches, reviews, participants ---------------------
    candidate_rows, screening_rows, finding_rows, match_rows = [], [], [], []
    review_rows, participant_rows = [], []
    ids = {"candidate": 0, "screening": 0, "finding": 0, "match": 0, "review": 0, "part": 0}
    positions = ("科员", "一级科员", "四级主任科员", "二级主任科员", "副处长")

    def next_id(name):
        ids[name] += 1
        return ids[name]

    for p in plans:
        first_candidate = ids["candidate"] + 1
        for row in range(1, p["size"] + 1):
            candidate_rows.append((next_id("candidate"), p["pk"], row, cipher, rng.randbytes(16),
                                   rng.randbytes(16), key_id, rng.choice(positions)))  # fmt: skip
        # candidate id -> (match kind, listed?, disagreed?)
        matched = {first_candidate + row - 1: m for row, m in p["matched"].items()}
        reviewers = by_role[(p["unit"].pk, "reviewer")]
        for number, r in enumerate(p["rounds"], start=1):
            stage = r["stage"]
            if stage < 2:  # not screened yet
                continue
            day = r["screened"]
            sid = next_id("screening")
            screening_rows.append((sid, p["pk"], number, day.astimezone(clock.ZONE).date(),
                                   p["handler"], day))  # fmt: skip
            drawn = rng.sample(reviewers, 3)
            disagreed = False
            for cid in range(first_candidate, ids["candidate"] + 1):
                m = matched.get(cid)
                if m is None:
                    decided = stage >= 3
                    finding_rows.append((next_id("finding"), sid, cid, "none",
                                         "not_listed" if decided else "",
                                         "未匹配任何名单记录" if decided else ""))  # fmt: skip
                    continue
                kind, listed, split = m
                decided = stage >= 4
                result = ("listed" if listed else "not_listed") if decided else ""
                reason = ("经两名复核人确认" if listed else "经两名复核人排除") if decided else ""
                fid = next_id("finding")
                finding_rows.append((fid, sid, cid, kind, result, reason))
                match_rows.append((next_id("match"), fid, rng.choice(entries), kind,
                                   *EVIDENCE))  # fmt: skip
                if not decided:
                    continue
                shape.listed += listed and number == len(p["rounds"]) and p["state"] == "issued"
                yes, no = ("confirm", "reject") if listed else ("reject", "confirm")
                opinions = [(drawn[0], yes), (drawn[1], yes)]
                if split:
                    disagreed = True
                    shape.disagreements += 1
                    opinions = [(drawn[0], no), (drawn[1], yes), (drawn[2], yes)]
                for k, (who, decision) in enumerate(opinions):
                    review_rows.append((next_id("review"), cid, who, decision,
                                        "与名单记录核对" + ("一致" if decision == "confirm"
                                                            else "不一致"),
                                        decision == "confirm", number,
                                        day + dt.timedelta(hours=2 + k)))  # fmt: skip
            if stage >= 3 and matched:
                for who in drawn[: 3 if disagreed else 2]:
                    participant_rows.append((next_id("part"), p["pk"], who, "reviewer", number,
                                             day + dt.timedelta(minutes=30)))  # fmt: skip
            if stage >= 4:
                participant_rows.append((next_id("part"), p["pk"], r["signer"], "signer", number,
                                         day + dt.timedelta(hours=5)))  # fmt: skip
    lap("candidates drawn")
    with transaction.atomic():
        shape.rows["candidates"] = w.insert(Candidate, (
            "id", "request_id", "row", "subject_cipher", "id_index", "name_index", "key_id",
            "position",
        ), candidate_rows)  # fmt: skip
        del candidate_rows
        lap("candidates written")
        shape.rows["screenings"] = w.insert(Screening, (
            "id", "request_id", "round", "as_of", "screened_by_id", "screened_at",
        ), screening_rows)  # fmt: skip
        shape.rows["findings"] = w.insert(Finding, (
            "id", "screening_id", "candidate_id", "match", "result", "result_reason",
        ), finding_rows)  # fmt: skip
        del finding_rows
        lap("screenings, findings written")
        shape.rows["matches"] = w.insert(CandidateMatch, (
            "id", "finding_id", "entry_id", "match", "source_name", "authority",
            "basis_document", "listed_on",
        ), match_rows)  # fmt: skip
        shape.rows["reviews"] = w.insert(Review, (
            "id", "candidate_id", "reviewer_id", "decision", "reason", "still_listed", "round",
            "created_at",
        ), review_rows)  # fmt: skip
        shape.rows["participants"] = w.insert(Participant, (
            "id", "request_id", "staff_id", "role", "round", "assigned_at",
        ), participant_rows)  # fmt: skip
        w.reset_sequences()
    lap("reviews, participants; commit")  # PostgreSQL checks the deferred keys here
    _analyse()
    lap("analyse")
    shape.seconds["total"] = time.perf_counter() - started
    return shape


def _analyse() -> None:
    """On PostgreSQL, fresh planner statistics, as autovacuum leaves them after a bulk load.
    Not on SQLite, where the product runs ANALYZE after a migration and with the nightly
    `gongxin tally` (gongxin.platform.planner): the store is measured as it is before the first
    night, with no statistics of its rows (the harder case for the planner)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def _matches(rng, plan: dict) -> dict[int, tuple[str, bool, bool]]:
    """Which candidate rows matched a list entry at screening: row -> (match kind, listed after
    review?, did the two reviewers disagree?). A request under review has one at least; one
    without any goes from submission straight to sign-off."""
    kinds = [(m, weight) for m, weight, _ in MATCH_KINDS]
    listed = {m: p for m, _, p in MATCH_KINDS}
    found = {}
    for row in range(1, plan["size"] + 1):
        if rng.random() < MATCHED:
            kind = _pick(rng, kinds)
            found[row] = (kind, rng.random() < listed[kind], rng.random() < DISAGREED)
    for number, r in enumerate(plan["rounds"], start=1):
        if r.get("stage") == 3 and not found:
            r["stage"] = 4
            if number == len(plan["rounds"]):
                plan["state"] = STAGES[4]
    return found


def _plan(rng, days: Days, today: dt.date, received: dt.date, size: int, unit, agency,
          serial: int, by_role) -> dict:  # fmt: skip
    """One request's history as of ``today``: state, deadline, rounds with their times,
    extensions. Times are instants (UTC) at plausible local hours."""
    handlers = by_role[(unit.pk, "handler")]
    signer = rng.choice(by_role[(unit.pk, "signer")])
    deadline = days.after(received, 3)
    elapsed = bisect.bisect_right(days.days, today) - days.index[received] - 1  # working days
    plan = {"received": received, "size": size, "unit": unit, "agency": agency, "serial": serial,
            "kind": "recruitment" if rng.random() < 0.8 else "transfer", "returned": False,
            "registrar": rng.choice(handlers), "handler": rng.choice(handlers),
            "deadline": deadline, "extensions": [], "closed_at": None}  # fmt: skip
    opened = _at(received, 9 + rng.random() * 7)
    if rng.random() < RETURNED and elapsed >= 1:
        closed = _at(days.after(received, rng.randint(0, 1)), 16)
        plan.update(state="returned", returned=True, closed_at=closed,
                    rounds=[{"opened": opened, "stage": 1}])  # fmt: skip
        return plan
    k = _pick(rng, TURNAROUND)
    if rng.random() < EXTENDED:
        k = rng.randint(4, 8)
        new = days.after(received, k + rng.randint(0, 2))
        agreed = days.after(received, rng.randint(1, 2))
        contact = "" if rng.random() < 0.1 else "王科长 010-00000000"
        plan["extensions"].append(("extension", deadline, new, agreed, contact))
        plan["deadline"] = new
    elif rng.random() < STALLED:
        k = 10_000  # never issued: open, past its deadline today
    issue_day = days.after(received, k) if k < 10_000 else None
    rounds = [{"opened": opened, "signer": signer}]
    plan["rounds"] = rounds
    if issue_day is not None and issue_day < today:
        rounds[0].update(_issued(rng, received, issue_day, signer))
        if k > 3 and not plan["extensions"] and rng.random() < 0.8:
            plan["extensions"].append(("overdue", deadline, None, None, ""))
        plan["closed_at"] = rounds[0]["issued"]
        plan["state"] = "issued"
        if rng.random() < CORRECTED:
            again = min(days.after(issue_day, rng.randint(2, 25)) or today, today)
            if again < today:
                opened2 = _at(again, 9 + rng.random() * 3)
                second = {"opened": opened2, "signer": rng.choice(by_role[(unit.pk, "signer")])}
                done = days.after(again, rng.randint(1, 3))
                if done is not None and done < today:
                    second.update(_issued(rng, again, done, second["signer"]))
                    plan["closed_at"] = second["issued"]
                else:
                    second.update(stage=rng.choice((2, 4)), screened=opened2 +
                                  dt.timedelta(hours=1))  # fmt: skip
                    plan["state"] = STAGES[second["stage"]]
                    plan["closed_at"] = None
                rounds.append(second)
        return plan
    # Open: as far along as the working days since receipt allow.
    if elapsed == 0:
        stage = 0 if rng.random() < RECEIVED_ONLY else rng.choice((1, 1, 2))
    else:
        stage = min(5, rng.choice((2, 3, 4)) + (elapsed >= 2))
    if k == 10_000:
        stage = rng.choice((1, 3, 4))  # waiting for a handler, a reviewer or a signer
    if stage == 0:
        plan["handler"] = None
    rounds[0].update(stage=stage, screened=opened + dt.timedelta(hours=1))
    plan["state"] = STAGES[stage]
    if stage >= 5:
        rounds[0]["signed"] = opened + dt.timedelta(hours=6)
    return plan


def _issued(rng, start: dt.date, day: dt.date, signer: int) -> dict:
    """A round issued on ``day`` (screened on its first day, signed and sent on ``day``)."""
    sent = _at(day, 15 + rng.random() * 2.5)
    return {
        "stage": 6,
        "screened": _at(start, 10 + rng.random() * 5),
        "signed": sent - dt.timedelta(minutes=40),
        "signer": signer,
        "issued": sent,
    }
