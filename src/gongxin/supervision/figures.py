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

from gongxin.core.dates import zh_date


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        return f"{zh_date(self.start)}至{zh_date(self.end)}"


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

    @property
    def listed_rate(self) -> float | None:
        return share(self.listed, self.screened_candidates)

    @property
    def disagreement_rate(self) -> float | None:
        return share(self.disagreements, self.reviews)

    @property
    def spot_agreement_rate(self) -> float | None:
        return share(self.spot_agreed, self.spot_checked)


def unit_figures(units, period: Period) -> Figures:
    """The figures of ``units`` (a queryset or list of PlatformUnit) together for ``period``."""
    raise NotImplementedError  # the statistics helper writes it


def per_unit(units, period: Period) -> dict[str, Figures]:
    """unit code -> that unit's Figures (without workload), in a fixed number of queries."""
    raise NotImplementedError  # the statistics helper writes it
