"""提醒: per person, what is due — the requests where that person must act next and whose
deadline falls today, on the next working day, or has passed; and the 延期/超期说明 records
made without an agency contact, for the request's handler and the unit's supervisors.

Who must act is the rules' answer (gongxin.inquiry.rules.who_may_act, the same question the
工作台's 待办 asks of each request); nothing here decides it. Deadlines are the requests' own
(working days from the platform calendar); the next working day comes from the same calendar.

"Due tomorrow" means due on the next working day (下一工作日到期): on a Friday a request due on
Monday is listed — the last working day before its deadline is the day to be told. A deadline
on a day off before that working day (only an agreed 延期 can set one) is listed with it. When
the calendar cannot say which day is the next working day (next year not entered), only a
deadline tomorrow is listed and the reminders say why.

Reminders hold no candidate: a request is named by its number, agency and letter number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gongxin.accounts.models import RULE_PREFETCH, Staff
from gongxin.core import clock
from gongxin.core.workdays import CalendarUnavailable
from gongxin.inquiry import queues
from gongxin.inquiry.choices import OPEN_STATES
from gongxin.inquiry.models import Extension, InquiryRequest
from gongxin.inquiry.rules import RULES, who_may_act
from gongxin.platform.calendar import work_calendar
from gongxin.platform.roles import BUSINESS_ROLES, Role

OVERDUE, DUE_TODAY, DUE_NEXT = "overdue", "today", "next"
WHEN = {OVERDUE: "已超期", DUE_TODAY: "今日到期", DUE_NEXT: "下一工作日到期"}


@dataclass(frozen=True)
class Due:
    """One request a person must act on, and when it is due."""

    request: InquiryRequest
    step: str  # the step the person may take (「查询」「复核」…)
    when: str  # OVERDUE | DUE_TODAY | DUE_NEXT

    @property
    def when_label(self) -> str:
        return WHEN[self.when]


@dataclass
class Reminders:
    """What one person is reminded of on one day."""

    person: Staff
    overdue: list[Due] = field(default_factory=list)
    due_today: list[Due] = field(default_factory=list)
    due_next: list[Due] = field(default_factory=list)
    no_contact: list[Extension] = field(default_factory=list)

    def add(self, due: Due) -> None:
        {OVERDUE: self.overdue, DUE_TODAY: self.due_today, DUE_NEXT: self.due_next}[
            due.when
        ].append(due)

    @property
    def due(self) -> list[Due]:
        return self.overdue + self.due_today + self.due_next

    @property
    def count(self) -> int:
        return len(self.due) + len(self.no_contact)


@dataclass
class UnitReminders:
    """Everyone's reminders in one unit on one day (those with none included)."""

    day: dt.date
    next_workday: dt.date | None  # None: the calendar cannot say
    calendar_problem: str
    people: list[Reminders]

    def of(self, person) -> Reminders:
        return next((r for r in self.people if r.person.pk == person.pk), Reminders(person))

    def counts(self) -> dict[str, int]:
        return {
            "people": sum(1 for r in self.people if r.count),
            "overdue": sum(len(r.overdue) for r in self.people),
            "today": sum(len(r.due_today) for r in self.people),
            "next": sum(len(r.due_next) for r in self.people),
            "no_contact": sum(len(r.no_contact) for r in self.people),
        }


def next_workday(day: dt.date) -> tuple[dt.date | None, str]:
    """(the first working day after ``day``, ""), or (None, why it cannot be computed)."""
    try:
        return work_calendar().add_workdays(day, 1), ""
    except CalendarUnavailable as exc:
        return None, exc.message


def business_staff(unit_id: int) -> list[Staff]:
    """The unit's active staff holding a business role, with what the rules read."""
    people = (Staff.objects.filter(unit_id=unit_id, active=True)
              .select_related("user", "unit").prefetch_related(*RULE_PREFETCH)
              .order_by("full_name", "pk"))  # fmt: skip
    return [p for p in people if set(p.roles) & BUSINESS_ROLES]


def _when(deadline: dt.date | None, today: dt.date, last: dt.date) -> str | None:
    if deadline is None:  # a deadline that cannot be computed is the 工作台's warning
        return None
    if deadline < today:
        return OVERDUE
    if deadline == today:
        return DUE_TODAY
    return DUE_NEXT if deadline <= last else None


def unit_reminders(unit_id: int, today: dt.date | None = None, only=None) -> UnitReminders:
    """Every business staff member's reminders in the unit on ``today`` (or, given ``only``,
    a staff member, that person's alone: the rules are asked of nobody else)."""
    today = today or clock.today()
    following, problem = next_workday(today)
    last = following or today + dt.timedelta(days=1)
    people = business_staff(unit_id)
    if only is not None:
        people = [p for p in people if p.pk == only.pk]
    by_person = {p.pk: Reminders(p) for p in people}
    open_ = list(queues.prefetched(
        InquiryRequest.objects.filter(unit_id=unit_id, state__in=OPEN_STATES)
        .filter(deadline__lte=last)
    ).order_by("deadline", "pk"))  # fmt: skip
    queues.prime(open_)
    for req in open_:
        when = _when(req.deadline, today, last)
        if when is None:
            continue
        step = queues.next_step(req).step  # the request's 下一步, as the 工作台 says it
        seen: set[int] = set()
        for person, action in who_may_act(req, people):  # the rules say who must act
            if person.pk not in seen:
                seen.add(person.pk)
                by_person[person.pk].add(Due(req, step or RULES[action].label, when))
    supervisors = [p for p in people if Role.SUPERVISOR in p.roles]  # (of those asked about)
    missing = (Extension.objects.filter(request__unit_id=unit_id, agency_contact="",
                                        request__state__in=OPEN_STATES)
               .select_related("request__agency").order_by("recorded_at", "pk"))  # fmt: skip
    for ext in missing:
        told = {p.pk for p in supervisors}
        if ext.request.handler_id in by_person:
            told.add(ext.request.handler_id)
        for pk in told:
            by_person[pk].no_contact.append(ext)
    return UnitReminders(today, following, problem, list(by_person.values()))
