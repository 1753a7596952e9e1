"""修改人选: the handler edits, adds and removes candidates before the round is screened
(decision 0011).

Allowed (gongxin.inquiry.rules "edit_candidates") while the round waits for its handler's
screening or submission: 已分派 — round 1 before screening, or a 更正 round — and 已查询, where
the change outdates the round's screening and the request goes back to 已分派 to be screened
again. Every row is checked as registration checks it (registry.screening.validate_candidates:
one rule), against the whole resulting list (a repeated ID number is caught across rows);
nothing is saved if anything is wrong.

A row a screening has seen (it has findings, in this round or an earlier one) is never changed:
it is closed (``until_round``) and a new row takes its row number, so every earlier round's
findings, reviews, letter and signed result digest keep naming exactly what they named. A row no
screening has seen is changed in place. Either way the change is kept as a CandidateRevision
(old and new value sealed, who, when, why) and recorded in the trail once per change with the
row, the change and the fields — never a name, a number or the typed reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max

from gongxin.audit.services import record
from gongxin.core import clock, idnumber
from gongxin.core.crypto import DecryptionError
from gongxin.core.text import InvalidText, clean
from gongxin.inquiry.choices import RequestState
from gongxin.inquiry.models import (
    Candidate,
    CandidateChange,
    CandidateRevision,
    Finding,
    InquiryRequest,
    Screening,
)
from gongxin.inquiry.services.actions import act
from gongxin.inquiry.services.identity import candidate_identity, seal
from gongxin.platform.errors import InvalidSubmission, Problem
from gongxin.platform.limits import candidates_max, too_many_candidates
from gongxin.platform.sealed import checked_keyring
from gongxin.registry.pipeline import split_subject, subject_plaintext
from gongxin.registry.screening import CandidateInput, validate_candidates

S = RequestState
REVISION_SUBJECT = b"candidate.revision"
REASON_MAX = CandidateRevision._meta.get_field("reason").max_length
POSITION_MAX = Candidate._meta.get_field("position").max_length
FIELD_LABELS = {"name": "姓名", "id_number": "公民身份号码", "position": "拟任职位"}


@dataclass
class CandidateEdits:
    """What the handler asked for, as read from the page or the API, before any check."""

    reason: str
    edits: dict[int, CandidateInput] = field(default_factory=dict)  # candidate id -> new values
    removals: set[int] = field(default_factory=set)  # candidate ids
    additions: list[CandidateInput] = field(default_factory=list)  # rows given by the service


def next_row(req: InquiryRequest) -> int:
    """The row number the first added candidate gets: after every row the request ever had
    (row numbers are never reused, so 第N号人选 names one person in every round)."""
    top = Candidate.objects.filter(request=req).aggregate(top=Max("row"))["top"]
    return (top or 0) + 1


def edit_candidates(actor, request_id: int, asked: CandidateEdits,
                    *, today: dt.date | None = None) -> list[CandidateRevision]:  # fmt: skip
    """Check everything, then apply all of it or nothing: the revisions made, in row order."""
    today = today or clock.today()
    with act(actor, request_id, "edit_candidates") as req:
        current = list(Candidate.objects.current(req).order_by("row"))
        reason, changes, problems = _checked(req, current, asked, today)
        if problems:
            raise InvalidSubmission(sorted(problems, key=lambda p: p.row or 0))
        seen = set(Finding.objects.filter(candidate__request=req)
                   .values_list("candidate_id", flat=True))  # fmt: skip
        rescreen = req.state == S.SCREENED
        if rescreen:
            req.state = S.ASSIGNED
            req.save(update_fields=["state"])
        Screening.objects.filter(request=req, round=req.round, outdated=False).update(outdated=True)
        revisions = [_apply(actor, req, change, reason, seen, rescreen) for change in changes]
        for rev in revisions:
            record(actor, "request.edit_candidates", req, round=req.round, row=rev.row,
                   change=rev.change, fields=rev.fields, revision=rev.pk,
                   rescreen=rescreen)  # fmt: skip
    return revisions


@dataclass(frozen=True)
class _Change:
    kind: str
    row: int
    candidate: Candidate | None  # the row as stored (None: an addition)
    old: tuple[str, str, str] | None  # (name, number, position), normalised
    new: tuple[str, str, str] | None
    fields: tuple[str, ...]


def _checked(req, current: list[Candidate], asked: CandidateEdits, today: dt.date):
    """(reason, changes, problems): the resulting list checked as a whole."""
    problems: list[Problem] = []
    try:
        reason = clean(asked.reason, max_length=REASON_MAX, required=True)
    except InvalidText as exc:
        reason = ""
        problems.append(Problem("修改原因", "请填写修改原因" if exc.code == "required"
                                else exc.reason))  # fmt: skip
    by_pk = {c.pk: c for c in current}
    if (set(asked.edits) | asked.removals) - set(by_pk):
        problems.append(Problem("人选", "所修改的人选已不是本轮人选，请刷新页面后重新修改"))
        return reason, [], problems
    stored = {c.pk: (*candidate_identity(c), c.position) for c in current}
    resulting: list[CandidateInput] = []
    typed: set[int] = set()  # rows whose position was typed now
    for c in current:
        if c.pk in asked.removals:
            continue
        if c.pk in asked.edits:
            e = asked.edits[c.pk]
            resulting.append(CandidateInput(c.row, e.name, e.id_number, e.position))
            typed.add(c.row)
        else:
            resulting.append(CandidateInput(c.row, *stored[c.pk]))
    first = next_row(req)
    added = [CandidateInput(first + i, a.name, a.id_number, a.position)
             for i, a in enumerate(asked.additions)]  # fmt: skip
    resulting += added
    typed |= {a.row for a in added}
    if not resulting:
        problems.append(Problem("人选", "请至少保留一名人选"))
    elif len(resulting) > candidates_max():
        problems.append(Problem("人选", too_many_candidates(len(resulting))))
    valid, errors = validate_candidates(resulting, today=today)
    problems += errors
    positions = {}
    for c in resulting:
        if c.row in typed:
            try:
                c.position = clean(c.position, max_length=POSITION_MAX)
            except InvalidText as exc:
                problems.append(Problem("拟任职位", exc.reason, c.row))
        positions[c.row] = c.position
    now = {v.row: (v.name, v.id_number, positions[v.row]) for v in valid}
    changes = [_Change(CandidateChange.REMOVE, c.row, c, stored[c.pk], None, ())
               for c in current if c.pk in asked.removals]  # fmt: skip
    for c in current:
        if c.pk in asked.edits and c.pk not in asked.removals and c.row in now:
            differ = tuple(f for f, old, new in zip(FIELD_LABELS, stored[c.pk], now[c.row],
                                                    strict=True) if old != new)  # fmt: skip
            if differ:
                changes.append(_Change(CandidateChange.EDIT, c.row, c, stored[c.pk],
                                       now[c.row], differ))  # fmt: skip
    changes += [_Change(CandidateChange.ADD, a.row, None, None, now[a.row], tuple(FIELD_LABELS))
                for a in added if a.row in now]  # fmt: skip
    if not changes and not problems:
        problems.append(Problem("人选", "没有需要保存的修改"))
    # Removals first, additions last: a person moved from one row to another never meets
    # themself in the one-row-per-person constraint.
    order = {CandidateChange.REMOVE: 0, CandidateChange.EDIT: 1, CandidateChange.ADD: 2}
    return reason, sorted(changes, key=lambda c: (order[c.kind], c.row)), problems


def _apply(actor, req, change: _Change, reason: str, seen: set[int],
           rescreen: bool) -> CandidateRevision:  # fmt: skip
    """Make one change and keep it as a revision."""
    c = change.candidate
    if change.kind == CandidateChange.REMOVE:
        c.until_round = req.round
        c.save(update_fields=["until_round"])
        target = c
    elif change.kind == CandidateChange.ADD or c.pk in seen:
        if c is not None:  # screened: closed, and the corrected row takes its place
            c.until_round = req.round
            c.save(update_fields=["until_round"])
        name, number, position = change.new
        target = Candidate.objects.create(request=req, row=change.row, position=position,
                                          since_round=req.round, replaces=c,
                                          **seal(name, number))  # fmt: skip
    else:  # no screening has seen it: changed in place, the old value kept in the revision
        name, number, position = change.new
        for attr, value in seal(name, number).items():
            setattr(c, attr, value)
        c.position = position
        c.save(update_fields=["subject_cipher", "id_index", "name_index", "key_id", "position"])
        target = c
    ring = checked_keyring()

    def sealed(value) -> bytes:
        return b"" if value is None else ring.encrypt(subject_plaintext(*value[:2]),
                                                      REVISION_SUBJECT)  # fmt: skip

    return CandidateRevision.objects.create(
        request=req, candidate=target, round=req.round, row=change.row, change=change.kind,
        fields=list(change.fields), old_cipher=sealed(change.old), new_cipher=sealed(change.new),
        key_id=ring.active.id, old_position=change.old[2] if change.old else "",
        new_position=change.new[2] if change.new else "", reason=reason, changed_by=actor,
        rescreen=rescreen,
    )  # fmt: skip


@dataclass(frozen=True)
class RevisionView:
    """One change as the history shows it (name and masked number only)."""

    revision: CandidateRevision
    text: str


def _opened(cipher) -> tuple[str, str] | None:
    if not cipher:
        return None
    name, number = split_subject(checked_keyring().decrypt(bytes(cipher), REVISION_SUBJECT))
    return name, idnumber.mask(number)


def describe(rev: CandidateRevision) -> str:
    """「第2行：姓名由「张三」改为「张山」」: what changed, masked as pages show candidates."""
    if not rev.key_id:
        return f"第{rev.row}行：{rev.get_change_display()}（人选信息已按保存期限清除）"
    old, new = _opened(rev.old_cipher), _opened(rev.new_cipher)
    if rev.change == CandidateChange.ADD:
        said = f"增加 {new[0]}（{new[1]}）" + (f"，拟任职位「{rev.new_position}」"
                                             if rev.new_position else "")  # fmt: skip
    elif rev.change == CandidateChange.REMOVE:
        said = f"删除 {old[0]}（{old[1]}）"
    else:
        values = {
            "name": (old[0], new[0]), "id_number": (old[1], new[1]),
            "position": (rev.old_position or "（空）", rev.new_position or "（空）"),
        }  # fmt: skip
        said = "；".join(f"{FIELD_LABELS[f]}由「{values[f][0]}」改为「{values[f][1]}」"
                        for f in rev.fields)  # fmt: skip
    return f"第{rev.row}行：{said}"


def revisions_of(staff, req: InquiryRequest) -> list[RevisionView]:
    """The request's candidate changes the person may see, oldest first."""
    revisions = (CandidateRevision.objects.restrict(staff, "view").filter(request=req)
                 .select_related("changed_by").order_by("changed_at", "pk"))  # fmt: skip
    views = []
    for rev in revisions:
        try:
            text = describe(rev)
        except DecryptionError:  # the result check raises the alarm for what letters state
            text = f"第{rev.row}行：（密文被改动，无法显示）"
        views.append(RevisionView(rev, text))
    return views
