"""定期轮换 and 业务培训 as the supervisor watches them: who of the unit's business staff is past
the unit's tenure on a rotating post or passes it soon, and whose training has lapsed or lapses
soon.

Nothing here decides who is drawn. The dates are the ones the rules read (Staff.tenure_ends(),
gongxin.platform.rules.trained_until) and whether a person is drawn, and why not, is the draw's
own answer (gongxin.platform.rules.draw_blockers): the page and the draw cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongxin.accounts.models import RULE_PREFETCH, Staff
from gongxin.core import clock
from gongxin.platform.roles import BUSINESS_ROLES, Role
from gongxin.platform.rules import DRAWN_ROLES, TENURE_ROLES, draw_blockers, trained_until

TENURE_SOON = (30, 60)  # days ahead the page warns of a tenure's end
TRAINING_SOON = 30  # days ahead it warns of a training's lapse

# What a row is about (the page's words; ``kind`` keeps them apart for counting).
TENURE_PAST = "tenure_past"
TENURE_30 = "tenure_30"
TENURE_60 = "tenure_60"
TRAINING_LAPSED = "training_lapsed"
TRAINING_SOON_ = "training_soon"
KINDS = {
    TENURE_PAST: "已超过任职期限",
    TENURE_30: f"{TENURE_SOON[0]} 天内任职期满",
    TENURE_60: f"{TENURE_SOON[0] + 1} 至 {TENURE_SOON[1]} 天内任职期满",
    TRAINING_LAPSED: "业务培训已过期或未培训",
    TRAINING_SOON_: f"{TRAINING_SOON} 天内业务培训过期",
}


@dataclass(frozen=True)
class Concern:
    """One thing about one person: what, on which date, and whether the draw leaves them out
    today (with the draw's reasons)."""

    person: Staff
    kind: str
    day: dt.date | None  # the tenure's end / the training's last valid day (None: never trained)
    blockers: tuple[tuple[str, str], ...]  # draw_blockers: (roles, reason)
    drawn_roles: str  # 「经办人、复核人」: the drawn roles the person holds

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def drawn(self) -> bool:
        """Still drawn today for every drawn role held (no reason keeps them out)."""
        return not self.blockers

    @property
    def days_left(self) -> int | None:
        return None if self.day is None else (self.day - clock.today()).days


def unit_staff(unit_id: int):
    """The unit's active business staff, with what the rules read."""
    return (Staff.objects.filter(unit_id=unit_id, active=True)
            .select_related("user", "unit").prefetch_related(*RULE_PREFETCH)
            .order_by("full_name", "pk"))  # fmt: skip


def concerns_of(person, today: dt.date) -> list[Concern]:
    """What the supervisor should know of ``person`` today (nothing for someone without a
    business role)."""
    roles = set(person.roles)
    if not roles & BUSINESS_ROLES:
        return []
    found: list[tuple[str, dt.date | None]] = []
    if roles & TENURE_ROLES:
        ends = person.tenure_ends()  # the first day past the tenure (rules.within_tenure)
        if ends <= today:
            found.append((TENURE_PAST, ends))
        elif ends <= today + dt.timedelta(days=TENURE_SOON[0]):
            found.append((TENURE_30, ends))
        elif ends <= today + dt.timedelta(days=TENURE_SOON[1]):
            found.append((TENURE_60, ends))
    if roles & set(DRAWN_ROLES):  # training decides the draws (rules.trained)
        until = trained_until(person, today)
        if until is None or until < today:
            found.append((TRAINING_LAPSED, until))
        elif until <= today + dt.timedelta(days=TRAINING_SOON):
            found.append((TRAINING_SOON_, until))
    if not found:
        return []
    blockers = tuple(draw_blockers(person))
    drawn = "、".join(Role(r).label for r in DRAWN_ROLES if r in roles)
    return [Concern(person, kind, day, blockers, drawn) for kind, day in found]


def rotation(unit_id: int, today: dt.date | None = None) -> list[Concern]:
    """Every concern about the unit's business staff: past or near the tenure's end, training
    lapsed or lapsing; the most pressing first (past before near, sooner before later)."""
    today = today or clock.today()
    rows = [c for person in unit_staff(unit_id) for c in concerns_of(person, today)]
    past = (TENURE_PAST, TRAINING_LAPSED)
    return sorted(rows, key=lambda c: (c.kind not in past, c.day or dt.date.min,
                                       c.person.full_name))  # fmt: skip


def count_rows(concerns: list[Concern]) -> list[tuple[str, int]]:
    """(what, how many people) for each kind, in the page's order."""
    return [(KINDS[kind], n) for kind, n in counts(concerns).items()]


def counts(concerns: list[Concern]) -> dict[str, int]:
    """kind -> how many people (each person counts once per kind)."""
    found: dict[str, set[int]] = {kind: set() for kind in KINDS}
    for c in concerns:
        found[c.kind].add(c.person.pk)
    return {kind: len(people) for kind, people in found.items()}
