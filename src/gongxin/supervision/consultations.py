"""电话咨询: business staff log each call from an agency (who called, when, about what, the
answer, whether it needs following up); the unit's log is counted in the statistics.

LOG_CALLS is the one rule of who records and reads the log (the permission map, the scope and
the services ask it). No candidate's ID number is kept in the log's free text: a text holding
something that reads as one is refused (gongxin.supervision.free_text, the rule of all of
supervision's free text), by the form and the service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from gongxin.accounts.models import RequestingAgency
from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.platform.errors import WorkflowError, invalid
from gongxin.platform.permissions import BUSINESS, allowed
from gongxin.platform.scope import scope
from gongxin.supervision.free_text import free_text
from gongxin.supervision.periods import Period
from gongxin.supervision.register_models import Consultation, Topic

# Who records calls and reads the unit's log: anyone holding a business role.
LOG_CALLS = BUSINESS

NAME_MAX = 100
CALLER_MAX = 50


def may_log(staff) -> bool:
    return allowed(staff, LOG_CALLS)


@scope(Consultation)
def consultations(staff, action: str) -> Q | None:
    """view/record: the unit's own log, for holders of a business role."""
    if action not in ("view", "record"):
        raise ValueError(f"unknown action {action!r} for consultations")
    return Q(unit_id=staff.unit_id) if may_log(staff) else None


def _not_future(label: str, day: dt.date) -> dt.date:
    if day > clock.today():
        raise invalid(label, f"{label}不能晚于今天")
    return day


@dataclass(frozen=True)
class CallInput:
    agency: RequestingAgency | None  # one the unit serves, or None with agency_name typed
    agency_name: str
    caller: str
    called_on: dt.date
    called_time: dt.time | None
    topic: str
    question: str
    answer: str
    follow_up: bool = False


def record_call(actor, given: CallInput) -> Consultation:
    if not may_log(actor):
        raise WorkflowError("forbidden", "只有本单位业务人员可以登记电话咨询")
    if given.agency is not None:
        if given.agency.unit_id != actor.unit_id:
            raise invalid("来电单位", "请选择本单位服务的发起查询单位，或填写其他单位名称")
        agency_name = given.agency.name
    else:
        agency_name = free_text("其他来电单位", given.agency_name, NAME_MAX, required=False)
        if not agency_name:
            raise invalid("来电单位", "请选择来电单位，或填写其他单位名称")
    if given.topic not in Topic.values:
        raise invalid("咨询事项", "请选择咨询事项")
    fields = {
        "agency": given.agency, "agency_name": agency_name,
        "caller": free_text("来电人", given.caller, CALLER_MAX),
        "called_on": _not_future("来电日期", given.called_on),
        "called_time": given.called_time, "topic": given.topic,
        "question": free_text("咨询内容", given.question),
        "answer": free_text("答复内容", given.answer),
        "follow_up": bool(given.follow_up),
    }  # fmt: skip
    with transaction.atomic():
        call = Consultation.objects.create(unit_id=actor.unit_id, recorded_by=actor,
                                           recorded_at=clock.now(), **fields)  # fmt: skip
        # Not the caller's name nor what was asked: the trail keeps who recorded which call.
        record(actor, "supervision.consultation_record", call, called_on=call.called_on.isoformat(),
               topic=call.topic, follow_up=call.follow_up)  # fmt: skip
    return call


def follow_up(actor, pk: int, done_on: dt.date, note: str) -> Consultation:
    """Mark a call that needed following up as followed up, on ``done_on``, saying how."""
    if not may_log(actor):
        raise WorkflowError("forbidden", "只有本单位业务人员可以登记跟进情况")
    done_on = _not_future("跟进日期", done_on)
    note = free_text("跟进情况", note)
    with transaction.atomic():
        call = Consultation.objects.restrict(actor, "record").select_for_update().get_or_404(pk=pk)
        if not call.follow_up:
            raise WorkflowError("unchanged", "这次来电不需要跟进")
        if call.followed_up_on is not None:
            raise WorkflowError("unchanged", "这次来电已经登记过跟进情况")
        if done_on < call.called_on:
            raise invalid("跟进日期", "跟进日期不能早于来电日期")
        call.followed_up_on, call.follow_up_note = done_on, note
        call.followed_up_by = actor.user.get_username()
        call.save(update_fields=["followed_up_on", "follow_up_note", "followed_up_by"])
        record(actor, "supervision.consultation_follow_up", call,
               followed_up_on=done_on.isoformat())  # fmt: skip
    return call


def consultations_count(units, period: Period) -> int:
    """The calls of ``units`` (a queryset or list of PlatformUnit) dated in ``period``."""
    return sum(count_by_unit([u.pk for u in units], period).values())


def count_by_unit(unit_ids: list[int], period: Period) -> dict[int, int]:
    """unit id -> calls dated in ``period``; one query."""
    rows = (
        Consultation.objects.filter(
            unit_id__in=unit_ids, called_on__gte=period.start, called_on__lte=period.end
        )
        .values_list("unit_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    return dict(rows)
