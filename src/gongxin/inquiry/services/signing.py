"""签发 and 反馈.

Signing fixes the round's result: a SHA-256 digest of what the letter says, and the letter
itself — numbered, rendered as DOCX and PDF, read back (结果核对) and signed. Rendering a large
letter takes seconds, so it happens before the signing transaction, with the number the letter
will most likely get; inside the transaction the state, the rule and the result are checked
again under the request's lock and the prepared files are accepted only if their number is
still the next one and the results have not changed. Otherwise the letter is prepared again.
Nothing else waits for the render.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
import traceback
from dataclasses import dataclass

from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.text import InvalidText, clean
from gongxin.documents.services import (
    NumberTaken,
    Rendered,
    ResultCheckFailed,
    allocate,
    document_number,
    new_verification_code,
    next_number,
    render,
    verification_url,
)
from gongxin.documents.signing import SigningUnavailable
from gongxin.inquiry.choices import RequestState, SendMethod
from gongxin.inquiry.letters import result_letter, result_rows
from gongxin.inquiry.models import InquiryRequest, Round
from gongxin.inquiry.queries import last_screening, undecided
from gongxin.inquiry.services.actions import act, check, refused
from gongxin.platform.errors import InvalidSubmission, Problem, WorkflowError, invalid

S = RequestState
ATTEMPTS = 3
log = logging.getLogger(__name__)


def result_digest(req: InquiryRequest, rows, number: int | None = None) -> str:
    """SHA-256 of what the letter of round ``number`` (default: the round in progress) says:
    request, round, letter, then per candidate the row, masked number and result. Computed at
    signing, and again at every display, download and export (gongxin.inquiry.result_check)."""
    content = {
        "request": req.pk,
        "round": req.round if number is None else number,
        "agency": req.agency_id,
        "letter_number": req.letter_number,
        "results": [[row, masked, result] for row, _, masked, result in rows],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def _basis(req: InquiryRequest) -> tuple:
    """What the letter's content stands on, read without opening any candidate: the request's
    round, agency and letter number, and each finding of the round's last screening with its
    result. A candidate row a screening has seen never changes (an edit replaces it with a new
    row, decision 0011; a key rotation re-encrypts the same text), so the same basis means the
    same digest; comparing it keeps
    the signing transaction from decrypting every candidate again (a third of a second for
    5,000, with everyone else waiting on SQLite)."""
    screening = last_screening(req)
    found = () if screening is None else tuple(
        screening.findings.order_by("candidate__row", "pk")
        .values_list("pk", "candidate_id", "result")
    )  # fmt: skip
    return (req.round, req.agency_id, req.letter_number, found)


@dataclass(frozen=True)
class _Prepared:
    digest: str
    rendered: Rendered
    basis: tuple


class _Stale(Exception):
    """What the files were prepared from changed before they could be accepted."""


def letter_content(req: InquiryRequest, rows, *, dated, code: str, document_number: str):
    """The round's letter as signing issues it; the signer's draft (gongxin.inquiry.draft) is
    built here too, without a code, so the two never differ in what they say."""
    return result_letter(req, rows, dated=dated, code=code,
                         url=verification_url(code) if code else "",
                         document_number=document_number)  # fmt: skip


def _prepare(req: InquiryRequest, progress=None) -> _Prepared:
    if undecided(req):
        raise WorkflowError("incomplete", "仍有人选没有查询结果，不能签发")
    basis = _basis(req)
    if progress is not None:
        progress(0, 3, "读取查询结果")
    rows = result_rows(req)
    if progress is not None:
        progress(1, 3, "生成并核对复函")
    dated = clock.today()
    number = next_number(req.unit, dated.year)
    code = new_verification_code()
    content = letter_content(req, rows, dated=dated, code=code,
                             document_number=document_number(req.unit.letter_prefix, dated.year,
                                                             number))  # fmt: skip
    try:
        rendered = render(content, number, req.unit.code)
    except ResultCheckFailed as exc:
        raise WorkflowError("result_check", "结果核对不一致，不能签发：" + str(exc)) from None
    except SigningUnavailable as exc:
        raise WorkflowError("no_certificate", str(exc)) from None
    except Exception as exc:  # a renderer's own failure: refused and recorded, never a 500
        ref = secrets.token_hex(4)
        # The frames, not the message: a library's message may quote the letter's text.
        log.error("letter render failed (ref %s): %s\n%s", ref, type(exc).__name__,
                  "".join(traceback.format_tb(exc.__traceback__)))  # fmt: skip
        raise WorkflowError(
            "render_failed", f"复函生成失败，未签发，请联系系统管理员（错误编号 {ref}）"
        ) from None
    return _Prepared(result_digest(req, rows), rendered, basis)


CONFIRMATION = "我已阅读复函草稿，确认签发"


def require_confirmation(confirmed) -> None:
    """签发 cannot be undone: the signer must have ticked the confirmation (or sent
    ``confirm: true``). Asked by the service and, for a large request, before it is queued."""
    if confirmed is not True:
        raise invalid("确认签发", f"请先阅读复函草稿，并勾选「{CONFIRMATION}」")


def sign_off(actor, request_id: int, *, confirmed: bool, progress=None) -> InquiryRequest:
    """签发: fixes the round's result and issues its letter; it cannot be undone (a correction
    is a new round whose letter supersedes this one). ``confirmed``: the signer ticked
    「我已阅读复函草稿，确认签发」 (the page) or sent ``confirm: true`` (the API); without it
    nothing is signed. ``progress(done, total, step)`` hears its steps
    (services.screening.Progress)."""
    for _ in range(ATTEMPTS):
        try:
            req = InquiryRequest.objects.select_related("unit", "agency").get(pk=request_id)
            check(actor, req, "sign_off")
            require_confirmation(confirmed)
            prepared = _prepare(req, progress)
        except InquiryRequest.DoesNotExist:
            exc = WorkflowError("not_found", "查询需求不存在")
            refused(actor, request_id, "sign_off", exc)
            raise exc from None
        except WorkflowError as exc:
            refused(actor, request_id, "sign_off", exc)
            raise
        if progress is not None:
            progress(2, 3, "签发并固定结果")
        try:
            with act(actor, request_id, "sign_off") as req:
                _accept(actor, req, prepared)
            return req
        except _Stale:
            continue
    exc = WorkflowError("busy", "签发时结果或发文编号发生变化，请重试")
    refused(actor, request_id, "sign_off", exc)
    raise exc


def _accept(actor, req: InquiryRequest, prepared: _Prepared) -> None:
    """Inside the locked transaction: the same results, the same day, the number still free."""
    if undecided(req) or _basis(req) != prepared.basis:
        raise _Stale
    if clock.today() != prepared.rendered.content.dated:
        raise _Stale
    previous = (
        Round.objects.filter(request=req, number__lt=req.round, letter__isnull=False)
        .order_by("-number")
        .values_list("letter", flat=True)
        .first()
    )
    try:
        letter = allocate(req.unit, prepared.rendered, prepared.digest, supersedes_id=previous)
    except NumberTaken:
        raise _Stale from None
    current = req.current
    current.signed_at, current.signed_by = clock.now(), actor
    current.result_digest, current.letter = prepared.digest, letter
    current.save(update_fields=["signed_at", "signed_by", "result_digest", "letter"])
    req.state = S.SIGNED
    req.save(update_fields=["state"])
    record(actor, "request.sign_off", req, round=req.round, digest=prepared.digest,
           letter=letter.document_number)  # fmt: skip


@dataclass(frozen=True)
class Sending:
    """How and when the signed letter went out (反馈), as the handler records it: the method
    (a SendMethod value), the date, and an optional note. Dates that are not dates are the
    form's to report (``problems``), with the service's own."""

    method: str
    sent_on: dt.date | None
    note: str = ""
    problems: tuple[Problem, ...] = ()


SEND_NOTE_MAX = Round._meta.get_field("send_note").max_length
SEND_FIELDS = {"method": "发送方式", "sent_on": "发送日期", "note": "经办说明"}


def _checked(sending: Sending, signed_on: dt.date) -> Sending:
    """The sending with its note cleaned; every problem at once as InvalidSubmission."""
    problems = list(sending.problems)
    said = {p.field for p in problems}
    if sending.method not in SendMethod.values and SEND_FIELDS["method"] not in said:
        problems.append(Problem(SEND_FIELDS["method"], "请选择发送方式"))
    if SEND_FIELDS["sent_on"] not in said:
        if sending.sent_on is None:
            problems.append(Problem(SEND_FIELDS["sent_on"], "请填写发送日期"))
        elif sending.sent_on > clock.today():
            problems.append(Problem(SEND_FIELDS["sent_on"], "发送日期不能晚于今天"))
        elif sending.sent_on < signed_on:
            problems.append(Problem(SEND_FIELDS["sent_on"],
                                    f"发送日期不能早于签发日期（{signed_on.year}年{signed_on.month}月"
                                    f"{signed_on.day}日）"))  # fmt: skip
    note = ""
    try:
        note = clean(sending.note or "", max_length=SEND_NOTE_MAX)
    except InvalidText as exc:
        problems.append(Problem(SEND_FIELDS["note"], exc.reason))
    if problems:
        raise InvalidSubmission(problems)
    return Sending(sending.method, sending.sent_on, note)


def issue(actor, request_id: int, sending: Sending | None = None) -> InquiryRequest:
    """反馈: the signed result goes out to the agency; ``sending`` records how and when (the
    page and the API always give it; a request issued before it was asked has none)."""
    with act(actor, request_id, "issue") as req:
        current = req.current
        fields = ["issued_at"]
        detail = {}
        if sending is not None:
            sending = _checked(sending, clock.local(current.signed_at).date())
            current.sent_by, current.sent_on, current.send_note = (
                sending.method, sending.sent_on, sending.note)  # fmt: skip
            fields += ["sent_by", "sent_on", "send_note"]
            detail = {"method": sending.method, "sent_on": sending.sent_on.isoformat()}
        current.issued_at = req.closed_at = clock.now()
        current.save(update_fields=fields)
        req.state = S.ISSUED
        req.save(update_fields=["state", "closed_at"])
        record(actor, "request.issue", req, round=req.round, **detail)
    return req
