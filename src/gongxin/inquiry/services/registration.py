"""来文登记 and 随机抽取办理; 退回.

Registration checks everything first and saves all or nothing. Every problem found — in the
form or body, in any candidate row — is reported at once, with the problems the caller found
while reading the input (``Registration.problems``). The same letter registered twice (a double
submit) is a Conflict naming the request that exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from gongxin.accounts.models import RequestingAgency
from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.docnumber import letter_key
from gongxin.core.text import InvalidText, clean
from gongxin.documents.alphabet import letter_text
from gongxin.inquiry.choices import RequestKind, RequestState
from gongxin.inquiry.models import Candidate, InquiryRequest, Round
from gongxin.inquiry.rules import MAY_REGISTER
from gongxin.inquiry.services.actions import act
from gongxin.inquiry.services.draws import draw_if_needed
from gongxin.inquiry.services.identity import seal
from gongxin.platform.calendar import deadline_for
from gongxin.platform.errors import (
    Conflict,
    InvalidSubmission,
    Problem,
    WorkflowError,
    invalid,
)
from gongxin.platform.limits import candidates_max, too_many_candidates
from gongxin.registry.screening import CandidateInput, validate_candidates

S = RequestState
LETTER_NUMBER_MAX = InquiryRequest._meta.get_field("letter_number").max_length
POSITION_MAX = Candidate._meta.get_field("position").max_length
RETURN_REASON_MAX = InquiryRequest._meta.get_field("return_reason").max_length
KEY_MAX = InquiryRequest._meta.get_field("letter_key").max_length
OLDEST_RECEIPT = dt.timedelta(days=366)  # a letter received longer ago than this is a typo


@dataclass
class Registration:
    """A letter as read from a form, an upload or the API, before any check (来文登记)."""

    agency: RequestingAgency | None
    letter_number: str
    received_on: dt.date | None
    kind: str
    candidates: list[CandidateInput]
    # Problems the caller found reading the input (a date that is not a date, an unreadable
    # file): reported with the rest; the service does not report the same field again.
    problems: list[Problem] = field(default_factory=list)


def validate(reg: Registration, today: dt.date) -> tuple[list, list[Problem], str]:
    """(valid candidates, every problem, the cleaned letter number)."""
    problems = list(reg.problems)
    reported = {p.field for p in problems if p.row is None}
    if reg.agency is None and "发起查询单位" not in reported:
        problems.append(Problem("发起查询单位", "请选择发起查询单位"))
    number = ""
    if "来文文号" not in reported:
        try:  # it is printed on the letter: only what the letter's fonts print
            number = letter_text(reg.letter_number, max_length=LETTER_NUMBER_MAX)
        except InvalidText as exc:
            problems.append(Problem("来文文号", "请填写来文文号" if exc.code == "required"
                                    else exc.reason))  # fmt: skip
    if "收文日期" not in reported:
        if reg.received_on is None:
            problems.append(Problem("收文日期", "请填写收文日期"))
        elif reg.received_on > today:
            problems.append(Problem("收文日期", "收文日期不能晚于今天"))
        elif reg.received_on < today - OLDEST_RECEIPT:
            problems.append(Problem("收文日期", f"收文日期 {reg.received_on} 早于一年前，请核对"))
    if reg.kind not in RequestKind.values and "类别" not in reported:
        problems.append(Problem("类别", "请选择录用或调任"))
    if not reg.candidates and "人选" not in reported:
        problems.append(Problem("人选", "请至少填写一名人选"))
    if len(reg.candidates) > candidates_max():  # one letter; a larger batch is split (分批登记)
        problems.append(Problem("人选", too_many_candidates(len(reg.candidates))))
        return [], problems, ""
    valid, errors = validate_candidates(reg.candidates, today=today)
    problems += errors
    for c in reg.candidates:
        try:
            c.position = clean(c.position, max_length=POSITION_MAX)
        except InvalidText as exc:
            problems.append(Problem("拟任职位", exc.reason, c.row))
    positions = {c.row: c.position for c in reg.candidates}
    for v in valid:
        v.position = positions[v.row]
    return valid, sorted(problems, key=lambda p: p.row or 0), number


def _key(number: str) -> str:
    # A compatibility character can unfold into several (㈱ → (株)): the column's length holds.
    return letter_key(number)[:KEY_MAX]


def _existing(agency, number: str) -> InquiryRequest | None:
    """The request this letter already is, however its number was typed (core.docnumber);
    a letter returned earlier may come again."""
    return (InquiryRequest.objects.filter(agency=agency, letter_key=_key(number))
            .exclude(state=S.RETURNED).first())  # fmt: skip


def returned_before(unit, agency, number: str) -> InquiryRequest | None:
    """The latest registration of this letter that was returned (退回): a new registration of
    it follows that one."""
    return (InquiryRequest.objects.filter(unit=unit, agency=agency, state=S.RETURNED,
                                          letter_key=_key(number))
            .order_by("-pk").first())  # fmt: skip


def _duplicate(actor, existing: InquiryRequest) -> Conflict:
    visible = InquiryRequest.objects.restrict(actor, "view").filter(pk=existing.pk).first()
    return Conflict("duplicate", "该单位的这份来文已经登记过", visible)


def register(actor, reg: Registration, *, today: dt.date | None = None) -> InquiryRequest:
    """Validate everything, then save it all or nothing and draw the handler.

    A letter from an agency outside the unit's service area is registered as returned, with
    the unit that should have received it. A refused registration is recorded (who, which
    agency, why: the problems' fields, never what was typed).
    """
    try:
        return _register(actor, reg, today or clock.today())
    except WorkflowError as exc:
        with transaction.atomic():
            problems = getattr(exc, "problems", [])
            record(actor, "request.register", outcome="refused", code=exc.code,
                   agency=reg.agency.pk if reg.agency else None,
                   candidates=len(reg.candidates),
                   fields=sorted({p.field for p in problems}))  # fmt: skip
        raise


def _register(actor, reg: Registration, today: dt.date) -> InquiryRequest:
    if reason := MAY_REGISTER(actor):
        raise WorkflowError("forbidden", f"只有经办人可以登记来文（{reason}）")
    valid, problems, number = validate(reg, today)
    if problems:
        if reg.agency and number and _existing(reg.agency, number):
            problems.append(Problem("来文文号", "该单位的这份来文已经登记过"))
        raise InvalidSubmission(problems)
    deadline, problem = deadline_for(reg.received_on)
    try:
        with transaction.atomic():
            if existing := _existing(reg.agency, number):
                raise _duplicate(actor, existing)
            follows = returned_before(actor.unit, reg.agency, number)
            req = InquiryRequest.objects.create(
                unit=actor.unit, agency=reg.agency, letter_number=number,
                letter_key=_key(number), follows=follows,
                received_on=reg.received_on, kind=reg.kind, registered_by=actor,
                deadline=deadline, deadline_problem=problem,
            )  # fmt: skip
            Round.objects.create(request=req, number=1, opened_by=actor)
            Candidate.objects.bulk_create(
                Candidate(request=req, row=i, position=c.position, **seal(c.name, c.id_number))
                for i, c in enumerate(valid, start=1)
            )
            record(actor, "request.register", req, candidates=len(valid), agency=reg.agency.pk,
                   follows=follows.pk if follows else None)  # fmt: skip
            if reg.agency.unit_id != actor.unit_id:
                req.state, req.closed_at = S.RETURNED, clock.now()
                req.return_reason = (
                    f"发起查询单位不属于本单位服务范围，应向{reg.agency.unit.name}提出"
                )
                req.save(update_fields=["state", "return_reason", "closed_at"])
                record(actor, "request.return", req, reason="service_area")
                return req
            draw_if_needed(actor, req)
    except IntegrityError:
        # Two identical registrations at once: the other one's insert won.
        existing = _existing(reg.agency, number)
        if existing is None:
            raise
        raise _duplicate(actor, existing) from None
    return req


def return_request(actor, request_id: int, reason: str) -> InquiryRequest:
    """退回 a letter (wrong unit, malformed letter, …) with the reason."""
    try:
        reason = clean(reason, max_length=RETURN_REASON_MAX, required=True)
    except InvalidText as exc:
        raise invalid(
            "退回原因", "请填写退回原因" if exc.code == "required" else exc.reason
        ) from None
    with act(actor, request_id, "return") as req:
        req.state, req.closed_at = S.RETURNED, clock.now()
        req.return_reason = reason
        req.save(update_fields=["state", "return_reason", "closed_at"])
        record(actor, "request.return", req)
    return req
