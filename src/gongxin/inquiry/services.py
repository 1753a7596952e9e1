"""The workflow of one inquiry request (DESIGN §1). Every state change happens here.

Each action runs in one transaction that locks the request row, checks the rule for the action
(state and person), changes what it changes and writes the audit event; a refused action
changes nothing and is itself recorded as refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gongxin.accounts.choices import Role
from gongxin.accounts.eligibility import draw, eligible
from gongxin.accounts.models import RequestingAgency, Staff
from gongxin.audit.services import record
from gongxin.core import idnumber
from gongxin.core.matching import MatchClass
from gongxin.documents.services import ResultCheckFailed, allocate_letter, render_and_check
from gongxin.documents.signing import SigningUnavailable
from gongxin.inquiry.calendar import deadline_for
from gongxin.inquiry.choices import (
    OPEN_STATES,
    CandidateResult,
    ExtensionKind,
    ParticipantRole,
    RequestKind,
    RequestState,
    ReviewDecision,
)
from gongxin.inquiry.errors import FieldProblem, InvalidSubmission, WorkflowError
from gongxin.inquiry.models import (
    Candidate,
    CandidateMatch,
    Extension,
    InquiryRequest,
    Participant,
    Review,
)
from gongxin.registry import keys
from gongxin.registry.models import ListEntry
from gongxin.registry.pipeline import split_subject, subject_plaintext
from gongxin.registry.screening import CandidateInput, screen, validate_candidates

S = RequestState
CANDIDATE_SUBJECT = b"candidate.subject"
CANDIDATE_ID = b"candidate.id"  # not person.id: candidates must not be linkable to entries
REVIEWS_NEEDED = 2


# --- who may do what, in which state ------------------------------------------------------


def _is_handler(staff: Staff, req: InquiryRequest) -> str | None:
    return None if req.handler_id == staff.pk else "只有本件的经办人可以办理此事项"


def _may_return(staff: Staff, req: InquiryRequest) -> str | None:
    if req.handler_id == staff.pk or (req.handler_id is None and staff.has_role(Role.HANDLER)):
        return None
    return "只有本件的经办人可以退回来文"


def _is_reviewer(staff: Staff, req: InquiryRequest) -> str | None:
    if req.handler_id == staff.pk:
        return "经办人不能复核本人经办的查询"
    if not req.participants.filter(
        staff=staff, role=ParticipantRole.REVIEWER, round=req.round
    ).exists():
        return "您不是本件抽取的复核人"
    return None


def _is_signer(staff: Staff, req: InquiryRequest) -> str | None:
    if (
        req.handler_id == staff.pk
        or req.participants.filter(staff=staff, role=ParticipantRole.REVIEWER).exists()
    ):
        return "签发人不能是本件的经办人或复核人"
    if not req.participants.filter(staff=staff, role=ParticipantRole.SIGNER).exists():
        return "您不是本件的签发人"
    return None


def _is_on_request(staff: Staff, req: InquiryRequest) -> str | None:
    return None if is_on_request(staff, req) else "只有本件的办理人员可以记录延期"


@dataclass(frozen=True)
class Rule:
    label: str
    states: frozenset
    person: Callable[[Staff, InquiryRequest], str | None]


RULES: dict[str, Rule] = {
    "return": Rule("退回", frozenset({S.RECEIVED, S.ASSIGNED}), _may_return),
    "screen": Rule("查询", frozenset({S.ASSIGNED, S.SCREENED}), _is_handler),
    "submit": Rule("提交", frozenset({S.SCREENED}), _is_handler),
    "review": Rule("复核", frozenset({S.IN_REVIEW}), _is_reviewer),
    "sign_off": Rule("签发", frozenset({S.AWAITING_SIGNOFF}), _is_signer),
    "issue": Rule("反馈", frozenset({S.SIGNED}), _is_handler),
    "extend": Rule("延期", OPEN_STATES, _is_on_request),
    "correct": Rule("更正", frozenset({S.ISSUED}), _is_handler),
}


def is_on_request(staff: Staff, req: InquiryRequest) -> bool:
    """Handler, drawn reviewers, the signer: the people who may see the candidates."""
    return req.handler_id == staff.pk or req.participants.filter(staff=staff).exists()


def allowed_actions(staff: Staff, req: InquiryRequest) -> list[str]:
    return [
        action for action, rule in RULES.items()
        if req.state in rule.states and staff.unit_id == req.unit_id
        and rule.person(staff, req) is None
    ]  # fmt: skip


@contextmanager
def _action(actor: Staff, request_id: int, action: str, **detail) -> Iterator[InquiryRequest]:
    """Lock the request, check the rule, yield it; record a refusal after rolling back."""
    rule = RULES[action]
    try:
        with transaction.atomic():
            req = InquiryRequest.objects.select_for_update().get(pk=request_id)
            if actor.unit_id != req.unit_id:
                raise WorkflowError("not_found", "查询需求不存在")
            if req.state not in rule.states:
                raise WorkflowError(
                    "wrong_state", f"本件当前状态为「{req.get_state_display()}」，不能{rule.label}"
                )
            if reason := rule.person(actor, req):
                raise WorkflowError("forbidden", reason)
            yield req
    except WorkflowError as exc:
        with transaction.atomic():
            record(actor, f"request.{action}", ref=("InquiryRequest", request_id),
                   outcome="refused", code=exc.code, **detail)  # fmt: skip
        raise


# --- registration and assignment ----------------------------------------------------------


@dataclass
class Registration:
    agency: RequestingAgency | None
    letter_number: str
    received_on: dt.date | None
    kind: str
    candidates: list[CandidateInput]


def register(actor: Staff, reg: Registration, *, today: dt.date | None = None) -> InquiryRequest:
    """来文登记 and 随机抽取办理: validate everything, then save it all or nothing.

    A letter from an agency outside the unit's service area is registered as returned, with
    the unit that should have received it.
    """
    today = today or timezone.localdate()
    if not actor.has_role(Role.HANDLER):
        raise WorkflowError("forbidden", "只有经办人可以登记来文")
    problems = []
    if reg.agency is None:
        problems.append(FieldProblem("发起查询单位", "请选择发起查询单位"))
    if not reg.letter_number.strip():
        problems.append(FieldProblem("来文文号", "请填写来文文号"))
    if reg.received_on is None:
        problems.append(FieldProblem("收文日期", "请填写收文日期"))
    elif reg.received_on > today:
        problems.append(FieldProblem("收文日期", "收文日期不能晚于今天"))
    if reg.kind not in RequestKind.values:
        problems.append(FieldProblem("类别", "请选择录用或调任"))
    if not reg.candidates:
        problems.append(FieldProblem("人选", "请至少填写一名人选"))
    valid, errors = validate_candidates(reg.candidates, today=today)
    problems += [FieldProblem(e.column, e.reason, e.row) for e in errors]
    if (
        reg.agency
        and reg.letter_number.strip()
        and InquiryRequest.objects.filter(
            agency=reg.agency, letter_number=reg.letter_number.strip()
        ).exists()
    ):
        problems.append(FieldProblem("来文文号", "该单位的这份来文已经登记过"))
    if problems:
        raise InvalidSubmission(problems)

    deadline, problem = deadline_for(reg.received_on)
    ring = keys.keyring()
    with transaction.atomic():
        req = InquiryRequest.objects.create(
            unit=actor.unit, agency=reg.agency, letter_number=reg.letter_number.strip(),
            received_on=reg.received_on, kind=reg.kind, registered_by=actor,
            deadline=deadline, deadline_problem=problem,
        )  # fmt: skip
        Candidate.objects.bulk_create(
            Candidate(
                request=req, row=i, position=c.position[:100],
                subject_cipher=ring.encrypt(subject_plaintext(c.name, c.id_number),
                                            CANDIDATE_SUBJECT),
                id_index=ring.blind_index(c.id_number, CANDIDATE_ID),
            )
            for i, c in enumerate(valid, start=1)
        )  # fmt: skip
        record(actor, "request.register", req, candidates=len(valid), agency=reg.agency.pk)
        if reg.agency.unit_id != actor.unit_id:
            req.state = S.RETURNED
            req.return_reason = f"发起查询单位不属于本单位服务范围，应向{reg.agency.unit.name}提出"
            req.save(update_fields=["state", "return_reason"])
            record(actor, "request.return", req, reason="service_area")
            return req
        _draw_handler(actor, req, today)
    return req


def _draw_handler(actor: Staff, req: InquiryRequest, today: dt.date) -> None:
    pool = eligible(req.unit, Role.HANDLER, req.agency, today)
    if not pool:
        record(actor, "request.assign", req, outcome="refused", code="no_handler")
        return  # stays registered; shown on the dashboard as unassigned
    winner = draw(pool)
    req.handler = winner
    req.state = S.ASSIGNED
    req.save(update_fields=["handler", "state"])
    record(actor, "request.assign", req, pool=[s.pk for s in pool], winner=winner.pk)


def return_request(actor: Staff, request_id: int, reason: str) -> InquiryRequest:
    if not reason.strip():
        raise WorkflowError("invalid", "请填写退回原因")
    with _action(actor, request_id, "return") as req:
        req.state = S.RETURNED
        req.return_reason = reason.strip()[:300]
        req.save(update_fields=["state", "return_reason"])
        record(actor, "request.return", req)
    return req


# --- screening and review -------------------------------------------------------------------


def candidate_identity(candidate: Candidate) -> tuple[str, str]:
    """(name, ID number) in plaintext; callers that show it must record the view."""
    return split_subject(keys.keyring().decrypt(candidate.subject_cipher, CANDIDATE_SUBJECT))


def masked_id(candidate: Candidate) -> str:
    return idnumber.mask(candidate_identity(candidate)[1])


def screen_request(actor: Staff, request_id: int, *, today: dt.date | None = None):
    """查询核实: match every candidate as of today; replaces an earlier screening's matches."""
    today = today or timezone.localdate()
    with _action(actor, request_id, "screen") as req:
        candidates = list(req.candidates.all())
        inputs = [CandidateInput(c.row, *candidate_identity(c), c.position) for c in candidates]
        result = screen(inputs, today)
        by_row = {r.row: r for r in result.results}
        CandidateMatch.objects.filter(candidate__request=req).delete()
        entries = ListEntry.objects.in_bulk([e.entry_id for r in result.results for e in r.entries])
        for c in candidates:
            found = by_row[c.row]
            c.match = found.match.value
            c.result, c.result_reason = CandidateResult.PENDING, ""
            CandidateMatch.objects.bulk_create(
                CandidateMatch(
                    candidate=c, entry=entries[e.entry_id], match=e.match.value,
                    source_name=e.source_name, authority=e.authority,
                    basis_document=e.basis_document, listed_on=e.listed_on,
                    removed_on=e.removed_on,
                )
                for e in found.entries
            )  # fmt: skip
        Candidate.objects.bulk_update(candidates, ["match", "result", "result_reason"])
        req.screened_on = today
        req.state = S.SCREENED
        req.save(update_fields=["screened_on", "state"])
        matched = sum(1 for c in candidates if c.match != MatchClass.NONE)
        record(actor, "request.screen", req, as_of=today.isoformat(),
               candidates=len(candidates), matched=matched)  # fmt: skip
    return req


def submit(actor: Staff, request_id: int, *, today: dt.date | None = None) -> InquiryRequest:
    """The handler submits the screening: to review if anyone matched, else to sign-off."""
    today = today or timezone.localdate()
    with _action(actor, request_id, "submit") as req:
        candidates = list(req.candidates.all())
        for c in candidates:
            if c.match == MatchClass.NONE:
                c.result = CandidateResult.NOT_LISTED
                c.result_reason = "未匹配任何名单记录"
        Candidate.objects.bulk_update(candidates, ["result", "result_reason"])
        if any(c.match != MatchClass.NONE for c in candidates):
            _draw_reviewers(actor, req, today, REVIEWS_NEEDED)
            req.state = S.IN_REVIEW
        else:
            _assign_signer(actor, req, today)
            req.state = S.AWAITING_SIGNOFF
        req.save(update_fields=["state"])
        record(actor, "request.submit", req, state=req.state)
    return req


def _draw_reviewers(actor: Staff, req: InquiryRequest, today: dt.date, count: int) -> None:
    taken = [p.staff for p in req.participants.filter(round=req.round).select_related("staff")]
    pool = eligible(req.unit, Role.REVIEWER, req.agency, today, exclude=[req.handler, *taken])
    if len(pool) < count:
        raise WorkflowError("no_reviewer", f"可抽取的复核人不足 {count} 人，请联系安全管理员")
    for _ in range(count):
        winner = draw(pool)
        pool.remove(winner)
        Participant.objects.create(request=req, staff=winner, role=ParticipantRole.REVIEWER,
                                   round=req.round)  # fmt: skip
        record(actor, "request.draw_reviewer", req, pool=[s.pk for s in [*pool, winner]],
               winner=winner.pk)  # fmt: skip


def _assign_signer(actor: Staff, req: InquiryRequest, today: dt.date) -> None:
    reviewers = [
        p.staff for p in req.participants.filter(role=ParticipantRole.REVIEWER, round=req.round)
    ]
    pool = eligible(req.unit, Role.SIGNER, req.agency, today, exclude=[req.handler, *reviewers])
    if not pool:
        raise WorkflowError("no_signer", "没有可签发本件的签发人（签发人不能是经办人或复核人）")
    winner = draw(pool)
    Participant.objects.create(request=req, staff=winner, role=ParticipantRole.SIGNER,
                               round=req.round)  # fmt: skip
    record(actor, "request.assign_signer", req, pool=[s.pk for s in pool], winner=winner.pk)


def review(actor: Staff, candidate_id: int, decision: str, reason: str,
           *, today: dt.date | None = None) -> Candidate:  # fmt: skip
    """复核 one matched candidate: confirm or reject, with a reason, after re-checking the list.

    Two agreeing reviews decide a candidate; a disagreement draws one more reviewer.
    """
    today = today or timezone.localdate()
    candidate = Candidate.objects.get(pk=candidate_id)
    with _action(actor, candidate.request_id, "review", candidate=candidate_id) as req:
        candidate = Candidate.objects.select_for_update().get(pk=candidate_id)
        if decision not in ReviewDecision.values:
            raise WorkflowError("invalid", "请选择确认列入或排除")
        if not reason.strip():
            raise WorkflowError("invalid", "请填写复核理由")
        if candidate.match in ("", MatchClass.NONE):
            raise WorkflowError("invalid", "该人选没有匹配记录，无需复核")
        if candidate.result:
            raise WorkflowError("decided", "该人选已有复核结论")
        reviews = candidate.reviews.filter(round=req.round)
        if reviews.filter(reviewer=actor).exists():
            raise WorkflowError("duplicate", "您已复核过该人选，同一人不能重复计数")
        still_listed = (
            ListEntry.objects.filter(pk__in=candidate.matches.values("entry"), listed_on__lte=today)
            .exclude(removed_on__lte=today)
            .exists()
        )
        if decision == ReviewDecision.CONFIRM and not still_listed:
            raise WorkflowError("removed", "匹配的名单记录已移出，不能确认列入")
        Review.objects.create(candidate=candidate, reviewer=actor, decision=decision,
                              reason=reason.strip()[:500], still_listed=still_listed,
                              round=req.round)  # fmt: skip
        record(actor, "request.review", req, candidate=candidate.pk, decision=decision,
               still_listed=still_listed)  # fmt: skip
        decisions = list(reviews.values_list("decision", flat=True))
        if decisions.count(ReviewDecision.CONFIRM) >= REVIEWS_NEEDED:
            candidate.result = CandidateResult.LISTED
            candidate.result_reason = "经两名复核人确认"
        elif decisions.count(ReviewDecision.REJECT) >= REVIEWS_NEEDED:
            candidate.result = CandidateResult.NOT_LISTED
            candidate.result_reason = "经两名复核人排除：" + "；".join(
                reviews.values_list("reason", flat=True)
            )
        elif len(decisions) >= REVIEWS_NEEDED and _undrawn_reviews(req, candidate) == 0:
            _draw_reviewers(actor, req, today, 1)  # disagreement: one more opinion
        candidate.save(update_fields=["result", "result_reason"])
        if not req.candidates.filter(result="").exists():
            _assign_signer(actor, req, today)
            req.state = S.AWAITING_SIGNOFF
            req.save(update_fields=["state"])
            record(actor, "request.reviewed", req)
    return candidate


def _undrawn_reviews(req: InquiryRequest, candidate: Candidate) -> int:
    """Drawn reviewers who have not yet reviewed this candidate."""
    drawn = req.participants.filter(role=ParticipantRole.REVIEWER, round=req.round).values_list(
        "staff", flat=True
    )
    done = set(candidate.reviews.filter(round=req.round).values_list("reviewer", flat=True))
    return len(set(drawn) - done)


# --- sign-off, issue, extension --------------------------------------------------------------


def result_digest(req: InquiryRequest) -> str:
    """SHA-256 of what the letter will say: letter, then per candidate row and result."""
    content = {
        "request": req.pk,
        "agency": req.agency_id,
        "letter_number": req.letter_number,
        "results": [[c.row, masked_id(c), c.result] for c in req.candidates.order_by("row")],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def sign_off(actor: Staff, request_id: int) -> InquiryRequest:
    """签发: fixes the result; it cannot be undone (a correction is a new letter, later)."""
    with _action(actor, request_id, "sign_off") as req:
        if req.candidates.filter(result="").exists():
            raise WorkflowError("incomplete", "仍有人选没有查询结果，不能签发")
        req.result_digest = result_digest(req)
        req.signed_at = timezone.now()
        req.state = S.SIGNED
        req.save(update_fields=["result_digest", "signed_at", "state"])
        previous = req.letters.filter(superseded_by__isnull=True).first()
        letter = allocate_letter(req, timezone.localdate(req.signed_at), req.result_digest,
                                 supersedes=previous)  # fmt: skip
        try:
            render_and_check(letter)
        except ResultCheckFailed as exc:
            raise WorkflowError("result_check", "结果核对不一致，不能签发：" + str(exc)) from None
        except SigningUnavailable as exc:
            raise WorkflowError("no_certificate", str(exc)) from None
        record(actor, "request.sign_off", req, digest=req.result_digest,
               letter=letter.document_number)  # fmt: skip
    return req


def issue(actor: Staff, request_id: int) -> InquiryRequest:
    """反馈: the signed result goes out to the agency."""
    with _action(actor, request_id, "issue") as req:
        req.issued_at = timezone.now()
        req.state = S.ISSUED
        req.save(update_fields=["issued_at", "state"])
        record(actor, "request.issue", req)
    return req


@dataclass
class ExtensionInput:
    reason: str
    agency_contact: str = ""
    agreed_on: dt.date | None = None
    method: str = ""
    new_deadline: dt.date | None = None


def extend(actor: Staff, request_id: int, ext: ExtensionInput,
           *, today: dt.date | None = None) -> Extension:  # fmt: skip
    """延期 agreed before the deadline; after it, only an overdue explanation can be recorded."""
    today = today or timezone.localdate()
    with _action(actor, request_id, "extend") as req:
        if not ext.reason.strip():
            raise WorkflowError("invalid", "请填写原因")
        overdue = req.deadline is not None and today > req.deadline
        if overdue:
            kind, new_deadline = ExtensionKind.OVERDUE, None
        else:
            missing = [label for label, value in (
                ("发起单位联系人", ext.agency_contact.strip()), ("商定日期", ext.agreed_on),
                ("沟通方式", ext.method.strip()), ("新期限", ext.new_deadline),
            ) if not value]  # fmt: skip
            if missing:
                raise WorkflowError("invalid", "请填写" + "、".join(missing))
            if ext.agreed_on > today:
                raise WorkflowError("invalid", "商定日期不能晚于今天")
            if req.deadline and ext.new_deadline <= req.deadline:
                raise WorkflowError("invalid", "新期限应晚于原期限")
            kind, new_deadline = ExtensionKind.EXTENSION, ext.new_deadline
        extension = Extension.objects.create(
            request=req, kind=kind, reason=ext.reason.strip()[:500],
            agency_contact=ext.agency_contact.strip()[:100], agreed_on=ext.agreed_on,
            method=ext.method.strip()[:50], previous_deadline=req.deadline,
            new_deadline=new_deadline, recorded_by=actor,
        )  # fmt: skip
        if new_deadline:
            req.deadline, req.deadline_problem = new_deadline, ""
            req.save(update_fields=["deadline", "deadline_problem"])
        record(actor, "request.extend", req, kind=kind, new_deadline=str(new_deadline or ""))
    return extension


def correct(actor: Staff, request_id: int, reason: str) -> InquiryRequest:
    """更正 after issue: a new round of screening, review and signing, whose letter supersedes
    the issued one (both are kept, linked). The earlier round's reviews stay as they were."""
    if not reason.strip():
        raise WorkflowError("invalid", "请填写更正原因")
    with _action(actor, request_id, "correct") as req:
        req.round += 1
        req.correction_reason = reason.strip()[:300]
        req.state = S.ASSIGNED
        req.signed_at, req.issued_at, req.result_digest = None, None, ""
        req.save(update_fields=["round", "correction_reason", "state", "signed_at",
                                "issued_at", "result_digest"])  # fmt: skip
        req.candidates.update(result="", result_reason="")
        record(actor, "request.correct", req, round=req.round)
    return req


def deadline_status(req: InquiryRequest, today: dt.date | None = None) -> str:
    """正常 / 今日到期 / 已超期 (open requests), or the reason a deadline is missing."""
    today = today or timezone.localdate()
    if req.deadline is None:
        return req.deadline_problem or "未设定期限"
    if req.state not in OPEN_STATES:
        return "已办结"
    if today > req.deadline:
        return "已超期"
    return "今日到期" if today == req.deadline else "正常"
