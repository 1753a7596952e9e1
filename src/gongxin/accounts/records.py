"""人员档案: the security administrator records training (业务培训), post tenure (任职) and
recusals (回避) — what decides, through gongxin.platform.rules, whom a request may draw.

As in gongxin.accounts.services (whose checks of who may act, and on whom, these reuse): each
function runs in one transaction, refuses with WorkflowError before changing anything, and
records exactly one trail event. Nothing is deleted: a training record made in error is
withdrawn and a recusal is ended, each with who, when and why.

A recusal of a named person (回避某一人选) takes the person's name and ID number, stores them
only sealed (gongxin.accounts.recusals) and never echoes them: not in errors, not in the
trail (whose events for such a recusal also leave out the free-text reasons, which tend to
name the relation), not on a page unmasked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from gongxin.accounts import recusals
from gongxin.accounts.models import Recusal, RecusedPerson, RequestingAgency, TrainingRecord
from gongxin.accounts.services import _target
from gongxin.core import clock, idnumber, names
from gongxin.core.text import InvalidText, clean
from gongxin.platform.errors import InvalidSubmission, Problem, WorkflowError, invalid
from gongxin.platform.keys import CANDIDATE_ID
from gongxin.platform.roles import Role
from gongxin.platform.rules import DRAWN_ROLES, TENURE_ROLES, draw_blockers, in_force
from gongxin.platform.sealed import checked_keyring
from gongxin.platform.trail import record

REASON_MAX = 200
COURSE_MAX = 100


def _text(field: str, value, max_length: int) -> str:
    try:
        return clean(value, max_length=max_length, required=True)
    except InvalidText as exc:
        raise invalid(field, "请填写" + field if exc.code == "required" else exc.reason) from None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# --- 业务培训 -----------------------------------------------------------------------------------


def record_training(actor, pk: int, course: str, trained_on: dt.date,
                    valid_until: dt.date | None = None) -> TrainingRecord:  # fmt: skip
    """Record a passed training; valid until ``valid_until`` (by default
    GONGXIN_TRAINING_VALID_DAYS after it)."""
    course = _text("培训内容", course, COURSE_MAX)
    trained_on, valid_until = TrainingRecord.period(trained_on, valid_until, clock.today())
    with transaction.atomic():
        target = _target(actor, pk, what="登记业务培训：")
        kept = TrainingRecord.objects.create(
            staff=target, course=course, trained_on=trained_on, valid_until=valid_until,
            recorded_by=actor.user.get_username(),
        )  # fmt: skip
        record(actor, "training.record", target, record=kept.pk, course=course,
               trained_on=_iso(trained_on), valid_until=_iso(valid_until))  # fmt: skip
    return kept


def withdraw_training(actor, pk: int, record_id: int, reason: str) -> TrainingRecord:
    """作废 a training record made in error: it stays, marked, and no longer counts."""
    reason = _text("理由", reason, REASON_MAX)
    with transaction.atomic():
        target = _target(actor, pk, what="作废业务培训记录：")
        kept = target.training_records.select_for_update().filter(pk=record_id).first()
        if kept is None:
            raise WorkflowError("not_found", "该工作人员没有这条业务培训记录")
        if kept.withdrawn_at is not None:
            raise WorkflowError("unchanged", "这条业务培训记录已经作废")
        kept.withdrawn_at = clock.now()
        kept.withdrawn_by = actor.user.get_username()
        kept.withdraw_reason = reason
        kept.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
        record(actor, "training.withdraw", target, record=kept.pk, reason=reason)
    return kept


# --- 任职 ---------------------------------------------------------------------------------------


def change_post_since(actor, pk: int, post_since: dt.date, reason: str):
    """Correct or restart the person's tenure on the post (本岗位任职起始日期); the trail keeps
    the old date. Handlers are drawn until the unit's tenure (PlatformUnit.tenure_months) after
    it."""
    reason = _text("理由", reason, REASON_MAX)
    if post_since > clock.today():
        raise invalid("本岗位任职起始日期", "不能晚于今天")
    with transaction.atomic():
        target = _target(actor, pk, what="修改任职日期：")
        old = target.post_since
        if old == post_since:
            raise WorkflowError("unchanged", "任职起始日期与原来相同，未作修改")
        target.post_since = post_since
        target.save(update_fields=["post_since"])
        record(actor, "staff.post_since", target, old=_iso(old), new=_iso(post_since),
               reason=reason)  # fmt: skip
    return target


# --- 回避 ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewRecusal:
    """What the recusal form collects: an agency, or a person (name and ID number)."""

    kind: str  # "agency" | "person"
    reason: str
    starts_on: dt.date | None  # None: today
    ends_on: dt.date | None  # None: open-ended
    agency_id: int | None = None
    name: str = ""
    id_number: str = ""


def _period(new: NewRecusal, today: dt.date, problems: list) -> tuple[dt.date, dt.date | None]:
    starts_on = new.starts_on or today
    if new.ends_on is not None and new.ends_on < starts_on:
        problems.append(Problem("回避截止日期", "不能早于回避起始日期"))
    elif new.ends_on is not None and new.ends_on < today:
        problems.append(Problem("回避截止日期", "已经过去，无须登记"))
    return starts_on, new.ends_on


def _person(new: NewRecusal, problems: list) -> tuple[str, str] | None:
    """The person's normalised name and number, or None with the problems (never the text)."""
    found = []
    try:
        found.append(names.normalize(new.name))
    except names.InvalidName as exc:
        problems.append(
            Problem("人选姓名", "请填写人选姓名" if exc.code == "empty" else exc.reason)
        )
    try:
        found.append(idnumber.normalize(new.id_number))
    except idnumber.InvalidIdNumber as exc:
        problems.append(Problem("公民身份号码", exc.reason))
    return (found[0], found[1]) if len(found) == 2 else None


def _overlaps(existing: Recusal, starts_on: dt.date, ends_on: dt.date | None) -> bool:
    """Whether an un-ended recusal's period meets this one's."""
    return (existing.ended_at is None
            and (existing.ends_on is None or existing.ends_on >= starts_on)
            and (ends_on is None or existing.starts_on <= ends_on))  # fmt: skip


def add_recusal(actor, pk: int, new: NewRecusal) -> Recusal:
    """Record a recusal of an agency the unit serves, or of a named person, for a period."""
    today = clock.today()
    problems: list[Problem] = []
    try:
        reason = _text("回避原因", new.reason, REASON_MAX)
    except InvalidSubmission as exc:
        problems += exc.problems
    starts_on, ends_on = _period(new, today, problems)
    agency = person = None
    if new.kind == "agency":
        agency = RequestingAgency.objects.filter(pk=new.agency_id, unit_id=actor.unit_id).first()
        if agency is None:
            problems.append(Problem("发起查询单位", "请选择本单位服务的发起查询单位"))
    elif new.kind == "person":
        person = _person(new, problems)
    else:
        problems.append(Problem("回避对象", "请选择回避发起查询单位或回避人选"))
    if problems:
        raise InvalidSubmission(problems)
    with transaction.atomic():
        target = _target(actor, pk, what="登记回避：")
        held = list(target.recusals.select_for_update(of=("self",)).select_related("person"))
        if agency is not None:
            same = [r for r in held if r.agency_id == agency.pk]
        else:
            indexes = set(checked_keyring().search_indexes(person[1], CANDIDATE_ID))
            same = [r for r in held if r.person_id and bytes(r.person.id_index) in indexes]
        if any(_overlaps(r, starts_on, ends_on) for r in same):
            raise WorkflowError("duplicate", "该工作人员在这段时间内已登记了同一回避，未重复登记")
        if person is not None:
            person = RecusedPerson.objects.create(**recusals.seal(*person))
        kept = Recusal.objects.create(
            staff=target, agency=agency, person=person, reason=reason, starts_on=starts_on,
            ends_on=ends_on, recorded_by=actor.user.get_username(),
        )  # fmt: skip
        detail = {"recusal": kept.pk, "kind": new.kind, "starts_on": _iso(starts_on),
                  "ends_on": _iso(ends_on)}  # fmt: skip
        if agency is not None:
            detail.update(agency=agency.pk, reason=reason)
        record(actor, "recusal.add", target, **detail)
    return kept


def end_recusal(actor, pk: int, recusal_id: int, reason: str) -> Recusal:
    """解除 a recusal: from now on it no longer holds; the row stays, with who, when and why."""
    reason = _text("理由", reason, REASON_MAX)
    with transaction.atomic():
        target = _target(actor, pk, what="解除回避：")
        kept = target.recusals.select_for_update().filter(pk=recusal_id).first()
        if kept is None:
            raise WorkflowError("not_found", "该工作人员没有这条回避记录")
        if kept.ended_at is not None:
            raise WorkflowError("unchanged", "这条回避已经解除")
        kept.ended_at = clock.now()
        kept.ended_by = actor.user.get_username()
        kept.end_reason = reason
        kept.save(update_fields=["ended_at", "ended_by", "end_reason"])
        detail = {"recusal": kept.pk, "kind": "agency" if kept.agency_id else "person"}
        if kept.agency_id:
            detail["reason"] = reason
        record(actor, "recusal.end", target, **detail)
    return kept


# --- what the staff pages show ----------------------------------------------------------------


def records_context(person) -> dict:
    """What the person's page shows of training, tenure and recusals."""
    today = clock.today()
    trainings = list(person.training_records.order_by("-trained_on", "-pk"))
    for t in trainings:
        t.valid_today = t.withdrawn_at is None and t.trained_on <= today <= t.valid_until
    held = list(person.recusals.select_related("agency", "person").order_by("-starts_on", "-pk"))
    for r in held:
        r.holds_today = in_force(r, today)
        if r.person_id:
            r.masked_name, r.masked_number = recusals.masked(r.person)
    return {
        "trainings": trainings,
        "recusals": held,
        "tenure_ends": person.tenure_ends(),
        "tenure_roles": "、".join(Role(r).label for r in sorted(TENURE_ROLES & set(person.roles))),
        "blockers": draw_blockers(person),
        "drawn": bool(set(person.roles) & set(DRAWN_ROLES)),
        "agencies": RequestingAgency.objects.filter(unit_id=person.unit_id, active=True),
        "today": today,
    }


def list_flags(people) -> None:
    """Mark each person of the staff list with why they cannot be drawn today (the rules'
    reasons) and the recusals holding today. ``people`` are prefetched with RULE_PREFETCH."""
    today = clock.today()
    for p in people:
        p.drawn = bool(set(p.roles) & set(DRAWN_ROLES))
        p.blockers = draw_blockers(p)
        p.recused_today = [r for r in p.recusals.all() if in_force(r, today)]
