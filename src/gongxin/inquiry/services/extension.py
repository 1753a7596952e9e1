"""延期: agreed with the agency before the deadline (contact, date, method, new deadline); after
the deadline only an overdue explanation, and the deadline stays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.text import InvalidText, clean
from gongxin.inquiry.choices import OPEN_STATES, ExtensionKind
from gongxin.inquiry.models import Extension, InquiryRequest
from gongxin.inquiry.services.actions import act
from gongxin.platform.errors import WorkflowError, invalid

LONGEST_EXTENSION = dt.timedelta(days=366)


@dataclass
class ExtensionInput:
    """What staff enter to record an extension: the reason, and, when the agency agreed to
    one, who agreed, when, how and the new deadline (after the deadline: an overdue note)."""

    reason: str
    agency_contact: str = ""
    agreed_on: dt.date | None = None
    method: str = ""
    new_deadline: dt.date | None = None


def _field(name: str) -> int:
    return Extension._meta.get_field(name).max_length


def _clean(label: str, value, name: str, required: bool = False, multiline=False) -> str:
    try:
        return clean(value, max_length=_field(name), required=required, multiline=multiline)
    except InvalidText as exc:
        raise invalid(label, f"请填写{label}" if exc.code == "required" else exc.reason) from None


def extend(actor, request_id: int, ext: ExtensionInput,
           *, today: dt.date | None = None) -> Extension:  # fmt: skip
    """延期 agreed before the deadline; after it, only an overdue explanation is recorded."""
    today = today or clock.today()
    reason = _clean("原因", ext.reason, "reason", required=True, multiline=True)
    contact = _clean("发起单位联系人", ext.agency_contact, "agency_contact")
    method = _clean("沟通方式", ext.method, "method")
    with act(actor, request_id, "extend") as req:
        overdue = req.deadline is not None and today > req.deadline
        if overdue:
            kind, new_deadline = ExtensionKind.OVERDUE, None
        else:
            missing = [label for label, value in (
                ("发起单位联系人", contact), ("商定日期", ext.agreed_on),
                ("沟通方式", method), ("新期限", ext.new_deadline),
            ) if not value]  # fmt: skip
            # These depend on the request's deadline and on today, not on what was sent alone:
            # conflicts (409 in the API), not malformed input.
            if missing:
                raise WorkflowError("extension_details",
                                    "未超期的延期须填写" + "、".join(missing))  # fmt: skip
            if ext.agreed_on > today:
                raise WorkflowError("agreed_later", "商定日期不能晚于今天")
            if req.deadline and ext.new_deadline <= req.deadline:
                raise WorkflowError("not_later", "新期限应晚于原期限")
            if ext.new_deadline > today + LONGEST_EXTENSION:
                raise WorkflowError("too_late", "新期限不能晚于一年以后，请核对")
            kind, new_deadline = ExtensionKind.EXTENSION, ext.new_deadline
        extension = Extension.objects.create(
            request=req, kind=kind, reason=reason, agency_contact=contact,
            agreed_on=ext.agreed_on, method=method, previous_deadline=req.deadline,
            new_deadline=new_deadline, recorded_by=actor,
        )  # fmt: skip
        if new_deadline:
            req.deadline, req.deadline_problem = new_deadline, ""
            req.save(update_fields=["deadline", "deadline_problem"])
        record(actor, "request.extend", req, kind=kind, new_deadline=str(new_deadline or ""))
    return extension


def deadline_status(req: InquiryRequest, today: dt.date | None = None) -> str:
    """正常 / 今日到期 / 已超期 (open requests), or the reason a deadline is missing."""
    today = today or clock.today()
    if req.deadline is None:
        return req.deadline_problem or "未设定期限"
    if req.state not in OPEN_STATES:
        return "已办结"
    if today > req.deadline:
        return "已超期"
    return "今日到期" if today == req.deadline else "正常"
