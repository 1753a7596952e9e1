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
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Func, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate

from gongxin.core import clock
from gongxin.core.workdays import DEADLINE_WORKDAYS, CalendarUnavailable
from gongxin.inquiry.choices import (
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
from gongxin.platform.roles import Role
from gongxin.supervision import consultations, spotchecks
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


def _cohort(ids, period, prefix=""):
    return Q(**{f"{prefix}unit_id__in": ids,
                f"{prefix}received_on__range": (period.start, period.end)})  # fmt: skip


def _rounds(ids, period, today):
    """Per (unit, 收文日期, local date of the first 反馈): requests, and of them the extended,
    corrected, returned, pending and overdue ones (counted in SQL)."""
    extended = Extension.objects.filter(
        request=OuterRef("request_id"), kind=ExtensionKind.EXTENSION
    )
    open_ = Q(issued_at__isnull=True, request__state__in=OPEN_STATES)
    late = Q(issued_on__gt=F("request__deadline")) | (open_ & Q(request__deadline__lt=today))
    return (
        Round.objects.filter(_cohort(ids, period, "request__"), number=1)
        .annotate(issued_on=LocalDate("issued_at"))
        .values("issued_on", unit=F("request__unit_id"), received=F("request__received_on"))
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


def _agencies(ids, period):
    """Per (unit, agency, kind): requests, and their candidates in force (counted per request
    through its index, then summed)."""
    candidates = Candidate.objects.filter(request=OuterRef("pk"), until_round__isnull=True)
    return (
        InquiryRequest.objects.filter(_cohort(ids, period))
        .values("unit_id", "kind", agency_name=F("agency__name"))
        .order_by()
        .annotate(n=Count("id"), candidates=Sum(_count(candidates)))
    )


def _results(ids, period):
    """Per (unit, result): the candidates of each request's last issued round (the current
    round when it is issued, else the one before it: a 更正 opens only after an issue), as that
    round's last screening decided them (none when the candidates were changed after it)."""
    last_issued = Q(request__state=RequestState.ISSUED, round=F("request__round")) | Q(
        ~Q(request__state=RequestState.ISSUED), round=F("request__round") - 1
    )
    later = Screening.objects.filter(
        request=OuterRef("request_id"), round=OuterRef("round"), id__gt=OuterRef("id")
    )
    screenings = Screening.objects.filter(
        last_issued, ~Exists(later), _cohort(ids, period, "request__"), outdated=False
    )
    return (
        Finding.objects.filter(screening__in=screenings)
        .exclude(result=CandidateResult.PENDING)
        .values("result", unit=F("screening__request__unit_id"))
        .order_by()
        .annotate(n=Count("id"))
    )


def _reviews(ids, period):
    """Per (unit, candidate, round) reviewed by enough reviewers: whether they disagreed."""
    return (
        Review.objects.filter(
            set_aside_by__isnull=True, candidate__request__unit_id__in=ids,
            candidate__request__received_on__range=(period.start, period.end),
        )
        .values("candidate_id", "round", unit=F("candidate__request__unit_id"))
        .order_by()
        .annotate(n=Count("id"), decisions=Count("decision", distinct=True))
        .filter(n__gte=REVIEWS_NEEDED)
        .values_list("unit", "decisions")
    )  # fmt: skip


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
    codes = _unit_ids(units)
    ids = list(codes)
    each = {pk: _Tally() for pk in ids}
    total = _Tally()
    calendar, today, spans = work_calendar(), clock.today(), {}
    for row in _rounds(ids, period, today):
        n, received, issued_on = row["n"], row["received"], row["issued_on"]
        days = None
        if issued_on is not None:
            if (received, issued_on) not in spans:
                try:
                    spans[received, issued_on] = calendar.workdays_between(received, issued_on)
                except CalendarUnavailable:  # no schedule that year: counted, not timed
                    spans[received, issued_on] = None
            days = spans[received, issued_on]
        for tally in (each[row["unit"]], total):
            tally.requests += n
            tally.extended += row["extended"]
            tally.corrected += row["corrected"]
            tally.overdue += row["overdue"]
            tally.returned += row["returned"]
            tally.pending += row["pending"]
            month_row = tally.months.setdefault(received.replace(day=1), [0, 0, 0, 0])
            month_row[0] += n
            month_row[3] += row["overdue"]
            if days is not None:
                tally.days[days] = tally.days.get(days, 0) + n
                month_row[1] += n
                month_row[2] += n if days <= DEADLINE_WORKDAYS else 0
    for row in _agencies(ids, period):
        for tally in (each[row["unit_id"]], total):
            counts = tally.agency(row["agency_name"], row["kind"])
            counts[0] += row["n"]
            counts[1] += row["candidates"] or 0
    for row in _results(ids, period):
        for tally in (each[row["unit"]], total):
            tally.screened += row["n"]
            tally.listed += row["n"] if row["result"] == CandidateResult.LISTED else 0
    for unit, decisions in _reviews(ids, period):
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
