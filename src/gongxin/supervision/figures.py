"""服务统计: every figure of a unit's (or the country's) work in a period, computed from what
was recorded, in working days from the same calendar as the deadlines.

CONTRACT (the lead's scaffold for parallel work; the statistics helper implements it and may
add fields, but keeps these names and meanings so reports, the national page and the bench
can rely on them):

- The period is a closed range of 收文日期 (``received_on``): the cohort is the requests
  received in it. Every count below is about that cohort, as of today.
- A request is *issued* when its first round was 反馈'd (``Round.issued_at``); its turnaround
  is the working days from ``received_on`` to the local date of that first issue
  (``WorkCalendar.workdays_between``), within limit when ≤ 3 (DEADLINE_WORKDAYS).
- *returned*: 退回 (state returned); *extended*: has an 延期 (ExtensionKind.EXTENSION);
  *overdue*: issued after its deadline, or open past it today; *corrected*: has a round > 1.
- *listed*: candidates found listed in the issued results; the rate is over candidates whose
  result was issued.
- Aggregated with GROUP BY in SQL (by unit, by date pair), never per request in Python: the
  national page is a fixed number of queries however many units and requests there are.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field

import chinese_calendar
from django.db import transaction
from django.db.models import Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate

from gongxin.accounts.models import RequestingAgency
from gongxin.core import clock
from gongxin.core.workdays import DEADLINE_WORKDAYS, CalendarUnavailable
from gongxin.inquiry.choices import (
    CLOSED_STATES,
    OPEN_STATES,
    CandidateResult,
    ExtensionKind,
    ParticipantRole,
    RequestState,
)
from gongxin.inquiry.models import (
    Candidate,
    Extension,
    Finding,
    InquiryRequest,
    Participant,
    Review,
    Round,
    Screening,
)
from gongxin.inquiry.rules import REVIEWS_NEEDED
from gongxin.platform.calendar import work_calendar
from gongxin.platform.models import CalendarYear
from gongxin.platform.roles import Role
from gongxin.supervision import consultations, spotchecks
from gongxin.supervision.models import RequestTally
from gongxin.supervision.periods import Period


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide (shown as 「—」, never 0 %)."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Turnaround:
    issued: int  # requests with a first issue
    median: float | None  # working days
    p90: float | None
    maximum: int | None
    within_limit: int  # issued within 3 working days
    distribution: tuple[tuple[int, int], ...] = ()  # (working days, requests), ascending

    @property
    def on_time_share(self) -> float | None:
        return share(self.within_limit, self.issued)


@dataclass(frozen=True)
class AgencyRow:
    agency: str
    kind: str  # RequestKind value (录用/调任)
    requests: int
    candidates: int


@dataclass(frozen=True)
class PersonLoad:
    name: str  # staff, never a candidate
    role: str  # Role value
    requests: int


@dataclass(frozen=True)
class MonthRow:
    month: dt.date  # first day of the month
    requests: int
    issued: int
    within_limit: int
    overdue: int


@dataclass(frozen=True)
class Figures:
    period: Period
    units: tuple[str, ...]  # unit codes covered
    requests: int
    candidates: int
    by_agency: tuple[AgencyRow, ...]
    by_kind: dict[str, tuple[int, int]]  # RequestKind value -> (requests, candidates)
    issued: int
    returned: int
    extended: int
    overdue: int
    corrected: int
    listed: int
    screened_candidates: int  # candidates whose result was issued (the listed rate's base)
    turnaround: Turnaround
    workload: tuple[PersonLoad, ...]
    reviews: int  # candidates with a completed review
    disagreements: int  # of them, where the two reviewers disagreed
    spot_checked: int = 0
    spot_agreed: int = 0
    consultations: int = 0
    monthly: tuple[MonthRow, ...] = field(default=())
    pending: int = 0  # neither issued nor returned yet (open in its first round)

    @property
    def listed_rate(self) -> float | None:
        return share(self.listed, self.screened_candidates)

    @property
    def disagreement_rate(self) -> float | None:
        return share(self.disagreements, self.reviews)

    @property
    def spot_agreement_rate(self) -> float | None:
        return share(self.spot_agreed, self.spot_checked)


# --- computing them ------------------------------------------------------------------------------
#
# Each query groups the cohort by unit and by what a figure needs (dates, state, agency, kind)
# and counts in SQL; Python only turns each distinct (收文日期, 反馈日期) pair into working days
# and weighs it by its count. The number of queries is fixed: 6 for per_unit, 8 with workload.


def median(distribution) -> float | None:
    """The middle value of a weighted distribution ((value, count), ascending), the mean of the
    two middle ones when the count is even."""
    total = sum(n for _, n in distribution)
    if not total:
        return None
    lower, upper = (total + 1) // 2, total // 2 + 1  # 1-based ranks of the middle value(s)
    return (nearest_rank(distribution, lower) + nearest_rank(distribution, upper)) / 2


def nearest_rank(distribution, rank: int) -> int:
    """The value at 1-based ``rank`` of a weighted distribution."""
    seen = 0
    for value, n in distribution:
        seen += n
        if seen >= rank:
            return value
    raise ValueError(rank)


def percentile(distribution, p: int) -> int | None:
    """Nearest-rank percentile: the smallest value with at least p % of the requests at or
    below it (the value at rank ⌈p/100·N⌉)."""
    total = sum(n for _, n in distribution)
    if not total:
        return None
    return nearest_rank(distribution, max(1, -(-p * total // 100)))


def turnaround(days: dict[int, int]) -> Turnaround:
    distribution = tuple(sorted(days.items()))
    issued = sum(days.values())
    return Turnaround(
        issued=issued,
        median=median(distribution),
        p90=percentile(distribution, 90),
        maximum=distribution[-1][0] if distribution else None,
        within_limit=sum(n for d, n in distribution if d <= DEADLINE_WORKDAYS),
        distribution=distribution,
    )


def _unit_ids(units) -> dict[int, str]:
    """id -> code of ``units`` (a queryset or a list of PlatformUnit)."""
    return {unit.pk: unit.code for unit in units}


class LocalDate(TruncDate):
    """The local (Asia/Shanghai) date of a moment. On SQLite, the built-in date() shifted by
    the zone's offset rather than Django's per-row Python function: China keeps one offset all
    year (no summer time since 1991), and this is the query a national page runs on every row."""

    def as_sqlite(self, compiler, connection, **extra_context):
        offset = dt.datetime(2026, 1, 1, tzinfo=clock.ZONE).utcoffset()
        minutes = int(offset.total_seconds() // 60)
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, '{minutes:+d} minutes')", params


def _cohort(ids, period) -> QuerySet:
    """The requests of ``ids`` received in ``period``: every figure's cohort."""
    return InquiryRequest.objects.filter(unit_id__in=ids,
                                         received_on__range=(period.start, period.end))  # fmt: skip


# Each query below counts a set of requests (their ids: the cohort's open ones, or closed ones
# to tally; a list rather than a subquery, which SQLite's planner read from the wrong end),
# grouped by unit (``by="unit"``) or by request (``by="request"``, for the tallies):
# one definition of each count, whichever way it is grouped.
KEYS = {"unit": "unit_id", "request": "id"}


def _rounds(requests, today, by="unit"):
    """Per (key, 收文日期, local date of the first 反馈): requests, and of them the extended,
    corrected, returned, pending and overdue ones (counted in SQL)."""
    extended = Extension.objects.filter(
        request=OuterRef("request_id"), kind=ExtensionKind.EXTENSION
    )
    open_ = Q(issued_at__isnull=True, request__state__in=OPEN_STATES)
    late = Q(issued_on__gt=F("request__deadline")) | (open_ & Q(request__deadline__lt=today))
    return (
        Round.objects.filter(request__in=requests, number=1)
        .annotate(issued_on=LocalDate("issued_at"))
        .values("issued_on", key=F(f"request__{KEYS[by]}"), received=F("request__received_on"))
        .order_by()
        .annotate(
            n=Count("id"), extended=Count("id", filter=Q(Exists(extended))),
            corrected=Count("id", filter=Q(request__round__gt=1)),
            returned=Count("id", filter=Q(request__state=RequestState.RETURNED)),
            pending=Count("id", filter=open_), overdue=Count("id", filter=late),
        )
    )  # fmt: skip


def _count(queryset):
    """COUNT(*) of a correlated queryset, as a subquery."""
    return Subquery(queryset.order_by().annotate(n=Func(F("id"), function="COUNT")).values("n"))


def _agencies(requests, by="unit"):
    """Per (key, agency, kind): requests, and their candidates in force (counted per request
    through its index, then summed)."""
    candidates = Candidate.objects.filter(request=OuterRef("pk"), until_round__isnull=True)
    return (
        InquiryRequest.objects.filter(pk__in=requests)
        .values("kind", key=F(KEYS[by]), agency_name=F("agency__name"))
        .order_by()
        .annotate(n=Count("id"), candidates=Sum(_count(candidates)))
    )


def _results(requests, by="unit"):
    """Per (key, result): the candidates of each request's last issued round (the current
    round when it is issued, else the one before it: a 更正 opens only after an issue), as that
    round's last screening decided them (none when the candidates were changed after it)."""
    last_issued = Q(request__state=RequestState.ISSUED, round=F("request__round")) | Q(
        ~Q(request__state=RequestState.ISSUED), round=F("request__round") - 1
    )
    later = Screening.objects.filter(
        request=OuterRef("request_id"), round=OuterRef("round"), id__gt=OuterRef("id")
    )
    screenings = Screening.objects.filter(
        last_issued, ~Exists(later), request__in=requests, outdated=False
    )
    return (
        Finding.objects.filter(screening__in=screenings)
        .exclude(result=CandidateResult.PENDING)
        .values("result", key=F(f"screening__request__{KEYS[by]}"))
        .order_by()
        .annotate(n=Count("id"))
    )


def _reviews(requests, by="unit"):
    """Per (key, candidate, round) reviewed by enough reviewers: whether they disagreed."""
    return (
        # The candidates named first (a subquery), or SQLite starts from every review not set
        # aside (bench/bench_supervision.py: 35 ms instead of 3).
        Review.objects.filter(set_aside_by__isnull=True,
                              candidate__in=Candidate.objects.filter(request__in=requests))
        .values("candidate_id", "round", key=F(f"candidate__request__{KEYS[by]}"))
        .order_by()
        .annotate(n=Count("id"), decisions=Count("decision", distinct=True))
        .filter(n__gte=REVIEWS_NEEDED)
        .values_list("key", "decisions")
    )  # fmt: skip


class _Days:
    """Working days from 收文日期 to a local 反馈 date, each pair counted once per load; None
    when a year has no schedule (counted, not timed)."""

    def __init__(self):
        self.calendar, self.spans = work_calendar(), {}

    def __call__(self, received, issued_on) -> int | None:
        if issued_on is None:
            return None
        if (received, issued_on) not in self.spans:
            try:
                self.spans[received, issued_on] = self.calendar.workdays_between(
                    received, issued_on
                )
            except CalendarUnavailable:
                self.spans[received, issued_on] = None
        return self.spans[received, issued_on]


def calendar_stamp() -> str:
    """Which calendar working days were counted with: the entered years and the package's
    version; a tally counted with another is counted again."""
    entered = list(CalendarYear.objects.order_by("year").values_list("year", "entered_at"))
    seen = repr((entered, getattr(chinese_calendar, "__version__", "")))
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


TALLY_BATCH = 2000  # requests tallied per round of queries


FINGERPRINT = ("n", "rounds", "issued")


def _fingerprint(rows) -> dict[str, int]:
    """How many closed requests there are, the sum of their rounds and how many are issued:
    what the tallies' own sums are compared with (tallies_current)."""
    issued = Q(state=RequestState.ISSUED)
    return rows.aggregate(n=Count("pk"), rounds=Coalesce(Sum("round"), 0),
                          issued=Count("pk", filter=issued))  # fmt: skip


def tallies_current(cohort, kept: dict[str, int]) -> bool:
    """Whether the tallies of a cohort (summed in ``kept``: how many, the sum of their rounds,
    how many issued, how many counted with today's calendar; no open request's among them)
    are exactly its closed requests', keyed as they are now. One aggregate instead of a lookup
    per request, exact because of how a request moves (gongxin.inquiry.rules.RULES): a request
    keeps its unit and 收文日期; a 退回 request never moves again; an issued one reopens only by
    更正, which adds a round. So every tally belongs to a closed request of the cohort with a
    round no higher than the request's; equal counts make that one tally per closed request,
    equal sums of rounds make every round the request's (none can be lower), and then an
    equal number issued makes every state the request's. The workflow state machine
    (tests/test_inquiry_stateful.py) checks the kept counts against a recount after every
    step, so a rule that broke this would fail there."""
    if kept["stamped"] != kept["n"]:
        return False
    closed = _fingerprint(cohort.filter(state__in=CLOSED_STATES))
    return all(closed[key] == kept[key] for key in FINGERPRINT)


def refresh_tallies(cohort, today, stamp: str, days: _Days) -> int:
    """Count again the closed requests of ``cohort`` whose tally is missing or keyed otherwise
    (another round, state or calendar). With the tallies of its open requests dropped first
    (reopened since they were counted), the tallies of the cohort are then exactly its closed
    requests'. Returns how many were counted."""
    fresh = RequestTally.objects.filter(request=OuterRef("pk"), round=OuterRef("round"),
                                        state=OuterRef("state"), calendar=stamp)  # fmt: skip
    stale = list(cohort.filter(state__in=CLOSED_STATES).filter(~Exists(fresh))
                 .values_list("pk", flat=True))  # fmt: skip
    for start in range(0, len(stale), TALLY_BATCH):
        chunk = stale[start : start + TALLY_BATCH]
        rows = {pk: RequestTally(request_id=pk, unit_id=unit, received_on=received,
                                 month=received.replace(day=1), agency_id=agency,
                                 kind=kind, round=rnd, state=state, calendar=stamp)
                for pk, unit, received, agency, kind, rnd, state in
                InquiryRequest.objects.filter(pk__in=chunk).values_list(
                    "pk", "unit_id", "received_on", "agency_id", "kind", "round", "state")
                }  # fmt: skip
        for row in _rounds(chunk, today, "request"):
            tally = rows[row["key"]]
            tally.workdays = days(row["received"], row["issued_on"])
            tally.extended, tally.corrected = bool(row["extended"]), bool(row["corrected"])
            tally.returned, tally.overdue = bool(row["returned"]), bool(row["overdue"])
        for row in _agencies(chunk, "request"):
            rows[row["key"]].candidates = row["candidates"] or 0
        for row in _results(chunk, "request"):
            rows[row["key"]].decided += row["n"]
            rows[row["key"]].listed += row["n"] if row["result"] == CandidateResult.LISTED else 0
        for key, decisions in _reviews(chunk, "request"):
            rows[key].reviews += 1
            rows[key].disagreements += 1 if decisions > 1 else 0
        with transaction.atomic():  # two loads counting the same request write the same row
            RequestTally.objects.bulk_create(
                rows.values(), update_conflicts=True, unique_fields=["request"],
                update_fields=[f.name for f in RequestTally._meta.concrete_fields
                               if not f.primary_key],
            )  # fmt: skip
    return len(stale)


def _workload(ids, period) -> tuple[PersonLoad, ...]:
    cohort = Q(request__unit_id__in=ids, request__received_on__range=(period.start, period.end))
    received = Q(unit_id__in=ids, received_on__range=(period.start, period.end))
    handlers = (
        InquiryRequest.objects.filter(received, handler__isnull=False)
        .values("handler_id", name=F("handler__full_name"))
        .order_by()
        .annotate(n=Count("id"))
    )  # fmt: skip
    drawn = (
        Participant.objects.filter(cohort)
        .values("staff_id", "role", name=F("staff__full_name"))
        .order_by()
        .annotate(n=Count("request_id", distinct=True))
    )
    loads = [PersonLoad(row["name"], Role.HANDLER.value, row["n"]) for row in handlers]
    roles = {
        ParticipantRole.REVIEWER: Role.REVIEWER.value,
        ParticipantRole.SIGNER: Role.SIGNER.value,
    }
    loads += [PersonLoad(row["name"], roles[row["role"]], row["n"]) for row in drawn]
    order = [Role.HANDLER.value, Role.REVIEWER.value, Role.SIGNER.value]
    return tuple(sorted(loads, key=lambda p: (order.index(p.role), -p.requests, p.name)))


class _Tally:
    """The counts of one unit (or of all), filled row by row from the grouped queries."""

    def __init__(self):
        self.requests = self.returned = self.extended = self.overdue = self.corrected = 0
        self.pending = self.listed = self.screened = self.reviews = self.disagreements = 0
        self.spot_checked = self.spot_agreed = self.consultations = 0
        self.days: dict[int, int] = {}
        self.agencies: dict[tuple[str, str], list[int]] = {}
        self.months: dict[dt.date, list[int]] = {}  # requests, issued, within, overdue

    def agency(self, name, kind) -> list[int]:
        return self.agencies.setdefault((name, kind), [0, 0])

    def figures(self, period: Period, codes: tuple[str, ...], workload=()) -> Figures:
        by_kind: dict[str, tuple[int, int]] = {}
        for (_, kind), (requests, candidates) in self.agencies.items():
            r, c = by_kind.get(kind, (0, 0))
            by_kind[kind] = (r + requests, c + candidates)
        rows = tuple(
            AgencyRow(name, kind, requests, candidates)
            for (name, kind), (requests, candidates) in sorted(
                self.agencies.items(), key=lambda item: (-item[1][0], item[0])
            )
        )
        ta = turnaround(self.days)
        return Figures(
            period=period, units=codes, requests=self.requests,
            candidates=sum(c for _, c in by_kind.values()), by_agency=rows, by_kind=by_kind,
            issued=ta.issued, returned=self.returned, extended=self.extended,
            overdue=self.overdue, corrected=self.corrected, listed=self.listed,
            screened_candidates=self.screened, turnaround=ta, workload=tuple(workload),
            reviews=self.reviews, disagreements=self.disagreements,
            monthly=tuple(MonthRow(m, *counts) for m, counts in sorted(self.months.items())),
            pending=self.pending, spot_checked=self.spot_checked, spot_agreed=self.spot_agreed,
            consultations=self.consultations,
        )  # fmt: skip


def _tally(units, period: Period) -> tuple[dict[str, str], dict[int, _Tally], _Tally]:
    """Every count of ``units`` for ``period``: the closed requests from their tallies (counted
    again first where stale: refresh_tallies), the open ones from the rows."""
    codes = _unit_ids(units)
    ids = list(codes)
    each = {pk: _Tally() for pk in ids}
    total = _Tally()
    today, days, stamp = clock.today(), _Days(), calendar_stamp()
    cohort = _cohort(ids, period)
    # The open requests are few (the closed are kept): read once, named by id to each query.
    opened = list(cohort.filter(state__in=OPEN_STATES).order_by().values_list("pk", flat=True))
    # The cohort's tallies, read by their own indexed columns (a closed request's unit, date,
    # agency and kind do not change) in three groupings, each a few hundred rows whatever the
    # number of requests: by unit and month (with the sums that tell whether they are current,
    # tallies_current, and the unit's other counts), by unit and working days (the turnaround
    # distribution) and by unit, agency and kind. (Counted by ``unit``, a column of every
    # index: counting the key made SQLite read the rows; the month's range, implied by the
    # dates', lets it use the index's order.)
    closed = RequestTally.objects.filter(unit_id__in=ids,
                                         received_on__range=(period.start, period.end))  # fmt: skip
    n = functools.partial(Count, "unit")

    def kept_months():
        months = closed.filter(month__range=(period.start.replace(day=1), period.end))
        return list(
            months.values("unit_id", "month").order_by()
            .annotate(n=n(), timed=n(filter=Q(workdays__isnull=False)),
                      within=n(filter=Q(workdays__lte=DEADLINE_WORKDAYS)),
                      ext=n(filter=Q(extended=True)), cor=n(filter=Q(corrected=True)),
                      late=n(filter=Q(overdue=True)), ret=n(filter=Q(returned=True)),
                      listed=Sum("listed"), decided=Sum("decided"), reviews=Sum("reviews"),
                      disagreements=Sum("disagreements"), rounds=Sum("round"),
                      issued=n(filter=Q(state=RequestState.ISSUED)),
                      stamped=n(filter=Q(calendar=stamp)))
        )  # fmt: skip

    RequestTally.objects.filter(request_id__in=opened).delete()
    kept = kept_months()
    sums = {key: sum(row[key] for row in kept) for key in (*FINGERPRINT, "stamped")}
    if not tallies_current(cohort, sums):
        refresh_tallies(cohort, today, stamp, days)
        kept = kept_months()

    def add(tally, month, n, extended, corrected, overdue, returned, pending, timed, within):
        tally.requests += n
        tally.extended += extended
        tally.corrected += corrected
        tally.overdue += overdue
        tally.returned += returned
        tally.pending += pending
        month_row = tally.months.setdefault(month, [0, 0, 0, 0])
        month_row[0] += n
        month_row[1] += timed
        month_row[2] += within
        month_row[3] += overdue

    for row in kept:
        for tally in (each[row["unit_id"]], total):
            add(tally, row["month"], row["n"], row["ext"], row["cor"], row["late"], row["ret"],
                0, row["timed"], row["within"])  # fmt: skip
            tally.screened += row["decided"] or 0
            tally.listed += row["listed"] or 0
            tally.reviews += row["reviews"] or 0
            tally.disagreements += row["disagreements"] or 0
    timed = closed.filter(workdays__isnull=False).values_list("unit_id", "workdays")
    for unit, workdays, count in timed.order_by().annotate(n()):
        for tally in (each[unit], total):
            tally.days[workdays] = tally.days.get(workdays, 0) + count
    for row in _rounds(opened, today):
        n, workdays = row["n"], days(row["received"], row["issued_on"])
        timed = n if workdays is not None else 0
        within = timed if timed and workdays <= DEADLINE_WORKDAYS else 0
        for tally in (each[row["key"]], total):
            add(tally, row["received"].replace(day=1), n, row["extended"], row["corrected"],
                row["overdue"], row["returned"], row["pending"], timed, within)  # fmt: skip
            if timed:
                tally.days[workdays] = tally.days.get(workdays, 0) + n
    names = dict(RequestingAgency.objects.values_list("pk", "name"))
    agencies = list(_agencies(opened)) + [
        {**row, "key": row["unit_id"], "agency_name": names[row["agency_id"]]} for row in
        closed.values("unit_id", "kind", "agency_id")
        .order_by().annotate(n=Count("unit"), candidates=Sum("candidates"))
    ]  # fmt: skip
    for row in agencies:
        for tally in (each[row["key"]], total):
            counts = tally.agency(row["agency_name"], row["kind"])
            counts[0] += row["n"]
            counts[1] += row["candidates"] or 0
    results = [(row["key"], row["result"], row["n"]) for row in _results(opened)]
    for unit, result, n in results:
        for tally in (each[unit], total):
            tally.screened += n
            tally.listed += n if result == CandidateResult.LISTED else 0
    for unit, decisions in _reviews(opened):
        for tally in (each[unit], total):
            tally.reviews += 1
            tally.disagreements += 1 if decisions > 1 else 0
    for unit, (checked, agreed) in spotchecks.agreement_by_unit(ids, period).items():
        for tally in (each[unit], total):
            tally.spot_checked += checked
            tally.spot_agreed += agreed
    for unit, calls in consultations.count_by_unit(ids, period).items():
        for tally in (each[unit], total):
            tally.consultations += calls
    return codes, each, total


def unit_figures(units, period: Period) -> Figures:
    """The figures of ``units`` (a queryset or list of PlatformUnit) together for ``period``."""
    codes, _, total = _tally(units, period)
    return total.figures(period, tuple(codes.values()), _workload(list(codes), period))


def per_unit(units, period: Period) -> dict[str, Figures]:
    """unit code -> that unit's Figures (without workload), in a fixed number of queries."""
    return national(units, period)[1]


def national(units, period: Period) -> tuple[Figures, dict[str, Figures]]:
    """The figures of all ``units`` together (without workload) and of each, from one pass."""
    codes, each, total = _tally(units, period)
    return (
        total.figures(period, tuple(codes.values())),
        {codes[pk]: tally.figures(period, (codes[pk],)) for pk, tally in each.items()},
    )


def fill_tallies(units) -> int:
    """Count every closed request of ``units`` not yet counted as it is now (the kept counts
    a first load of the statistics would otherwise count, at once): for a timer after an
    import or a calendar change. Returns how many were counted."""
    ids = list(_unit_ids(units))
    every = InquiryRequest.objects.filter(unit_id__in=ids)
    opened = list(every.filter(state__in=OPEN_STATES).values_list("pk", flat=True))
    RequestTally.objects.filter(request_id__in=opened).delete()
    return refresh_tallies(every, clock.today(), calendar_stamp(), _Days())
