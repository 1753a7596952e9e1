"""A history of issued requests for the statistics: the demo's months of work (``LOADERS``) and
the tests' known history (tests/history.py).

``History`` writes the rows the inquiry's services record (request, rounds, sealed candidates,
draws, last screening, reviews, 反馈, 延期, 退回, 更正) with the dates given, without running
each step's screening and letters: the statistics read only what was recorded, so months of it
are laid down quickly and every figure is known in advance. Every request gets round 1 and its
deadline from the platform calendar (3 working days after 收文日期); ``issue`` adds the round's
draws, last screening, reviews and 反馈 at the given hour, local time.
"""

from __future__ import annotations

import datetime as dt

from gongxin.core import clock
from gongxin.core.matching import MatchClass
from gongxin.inquiry.choices import (
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
from gongxin.inquiry.services.identity import seal
from gongxin.platform.calendar import work_calendar


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), clock.ZONE)


class History:
    """Requests of one unit, handled by ``handler``, reviewed by two reviewers, signed by
    ``signer``."""

    def __init__(self, unit, agency, handler, reviewers, signer):
        self.unit, self.agency, self.handler = unit, agency, handler
        self.reviewers, self.signer = tuple(reviewers), signer
        self.letters = 0

    def request(self, received: dt.date, people, kind="recruitment", agency=None):
        """A request registered on ``received`` with ``people`` [(name, ID number)]."""
        self.letters += 1
        agency = agency or self.agency
        number = f"{self.unit.code}组函〔{received.year}〕{self.letters}号"
        req = InquiryRequest.objects.create(
            unit=self.unit, agency=agency, letter_number=number, letter_key=number,
            received_on=received, kind=kind, registered_by=self.handler, handler=self.handler,
            registered_at=at(received, 9), deadline=work_calendar().add_workdays(received),
            state=RequestState.ASSIGNED,
        )  # fmt: skip
        Round.objects.create(request=req, number=1, opened_by=self.handler, opened_at=at(received))
        Candidate.objects.bulk_create(
            Candidate(request=req, row=i, position="科员", **seal(name, number))
            for i, (name, number) in enumerate(people, start=1)
        )
        return req

    def issue(self, req, on: dt.date, listed=(), disagree=False, hour=10):
        """The round in progress screened, reviewed (``listed``: the rows found listed, both
        reviewers confirming unless ``disagree``: then the second rejects and the first's
        view is kept) and issued on ``on``."""
        req.refresh_from_db()
        number = req.round
        for staff, role in [(r, ParticipantRole.REVIEWER) for r in self.reviewers] + [
            (self.signer, ParticipantRole.SIGNER)
        ]:
            Participant.objects.create(request=req, staff=staff, role=role, round=number)
        screening = Screening.objects.create(
            request=req, round=number, as_of=on, screened_by=self.handler, screened_at=at(on, 0)
        )
        for candidate in Candidate.objects.current(req):
            hit = candidate.row in listed
            Finding.objects.create(
                screening=screening, candidate=candidate,
                match=MatchClass.EXACT if hit else MatchClass.NONE,
                result=CandidateResult.LISTED if hit else CandidateResult.NOT_LISTED,
            )  # fmt: skip
            if hit:
                second = "reject" if disagree else "confirm"
                for reviewer, decision in zip(self.reviewers, ("confirm", second), strict=True):
                    Review.objects.create(
                        candidate=candidate, reviewer=reviewer, decision=decision,
                        reason="复核", still_listed=True, round=number,
                    )  # fmt: skip
        Round.objects.filter(request=req, number=number).update(
            signed_at=at(on, 0), signed_by=self.signer, issued_at=at(on, hour), sent_on=on
        )
        req.state, req.closed_at = RequestState.ISSUED, at(on, hour)
        req.save(update_fields=["state", "closed_at"])
        return req

    def extend(self, req, new_deadline: dt.date, on: dt.date | None = None):
        req.refresh_from_db()
        Extension.objects.create(
            request=req, kind=ExtensionKind.EXTENSION, reason="人选较多",
            agency_contact="王科长", agreed_on=on or req.deadline, method="电话",
            previous_deadline=req.deadline, new_deadline=new_deadline,
            recorded_by=self.handler,
        )  # fmt: skip
        req.deadline = new_deadline
        req.save(update_fields=["deadline"])
        return req

    def explain_overdue(self, req):
        Extension.objects.create(
            request=req, kind=ExtensionKind.OVERDUE, reason="系统故障", recorded_by=self.handler
        )
        return req

    def return_(self, req, on: dt.date):
        req.state, req.closed_at, req.return_reason = RequestState.RETURNED, at(on), "材料不全"
        req.save(update_fields=["state", "closed_at", "return_reason"])
        return req

    def correct(self, req, on: dt.date):
        """更正: round n+1 opens (the request is open again)."""
        req.refresh_from_db()
        req.round += 1
        Round.objects.create(
            request=req, number=req.round, reason="人选信息有误", opened_by=self.handler,
            opened_at=at(on, 11),
        )  # fmt: skip
        req.state, req.closed_at = RequestState.ASSIGNED, None
        req.save(update_fields=["round", "state", "closed_at"])
        return req


# --- the demo's months ------------------------------------------------------------------------

DEMO_MARK = "演示统计"  # in the 来文文号 of every request this loader adds


def _staff(unit):
    from gongxin.accounts.models import Staff

    people = Staff.objects.filter(unit=unit, active=True).order_by("pk")

    def holding(role):
        return people.filter(role_grants__role=role, role_grants__revoked_at__isnull=True)

    handler = holding("handler").first()
    reviewers = list(holding("reviewer")[:2])
    signer = holding("signer").first()
    return handler, reviewers, signer


def load_history(today: dt.date) -> str:
    """Four months of issued work for each demo unit (before ``today``): most answered within
    3 working days, some late, extended, returned, corrected, a few listed, one disagreement.
    Safe to run twice: a unit that has them is left alone."""
    import random

    from gongxin.accounts.models import PlatformUnit, RequestingAgency
    from gongxin.core.synthetic import Generator

    calendar, made = work_calendar(), 0
    for unit in PlatformUnit.objects.order_by("pk"):
        if InquiryRequest.objects.filter(unit=unit, letter_number__contains=DEMO_MARK).exists():
            continue
        handler, reviewers, signer = _staff(unit)
        agencies = list(RequestingAgency.objects.filter(unit=unit).order_by("pk"))
        if not (handler and len(reviewers) == 2 and signer and agencies):
            continue
        rng, people = random.Random(unit.code), Generator(seed=sum(map(ord, unit.code)))
        history = History(unit, agencies[0], handler, reviewers, signer)
        history.letters = 0
        first = (today.replace(day=1) - dt.timedelta(days=100)).replace(day=1)
        day = first
        while day < today - dt.timedelta(days=7):
            if calendar.is_workday(day):
                for _ in range(rng.choice((0, 1, 1, 2))):
                    made += _one(history, rng, people, agencies, day, calendar)
            day += dt.timedelta(days=1)
    return f"服务统计演示数据：新增 {made} 件已办结的查询需求" if made else ""


def _one(history, rng, people, agencies, received, calendar) -> int:
    kind = "transfer" if rng.random() < 0.2 else "recruitment"
    history.letters += 1
    count = rng.choice((1, 1, 2, 3, 5))
    req = history.request(received, [(people.name(), people.id_number()) for _ in range(count)],
                          kind=kind, agency=rng.choice(agencies))  # fmt: skip
    req.letter_number = req.letter_key = f"{DEMO_MARK}〔{received.year}〕{history.letters}号"
    req.save(update_fields=["letter_number", "letter_key"])
    roll = rng.random()
    if roll < 0.04:
        history.return_(req, calendar.add_workdays(received, 1))
        return 1
    days = rng.choice((1, 1, 2, 2, 2, 3, 3)) if roll < 0.85 else rng.choice((4, 5, 6))
    if roll > 0.93:
        history.extend(req, calendar.add_workdays(received, 6), on=received)
    listed = {1} if rng.random() < 0.08 else set()
    history.issue(req, calendar.add_workdays(received, days), listed=listed,
                  disagree=bool(listed) and rng.random() < 0.3)  # fmt: skip
    if rng.random() < 0.03:
        history.correct(req, calendar.add_workdays(received, days + 1))
    return 1
