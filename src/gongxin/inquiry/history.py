"""办理记录: a request's own processing history, read from the trail, for the people on it and
the unit's supervisors (the request page shows it to those who may see its candidates).

Each step in order: when, who, what (in Chinese), with what outcome, and a short note built from
the event's details (which hold no personal data: a candidate appears as its row number, people
as staff names). Views and downloads are the auditor's to search, not processing steps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongxin.accounts.models import Staff
from gongxin.audit.models import AuditEvent, PurgeAnchor
from gongxin.core import clock
from gongxin.core.dates import zh_date
from gongxin.documents import labels as documents_labels
from gongxin.inquiry.choices import SendMethod
from gongxin.inquiry.labels import ACTIONS
from gongxin.inquiry.models import Candidate, InquiryRequest

# The processing steps, labelled as the trail labels them (gongxin.platform.labels).
STEPS = {code: (ACTIONS | documents_labels.ACTIONS)[code] for code in (
    "request.register", "request.assign", "request.return", "request.screen", "request.submit",
    "request.draw_reviewer", "request.review", "request.reviewed", "request.assign_signer",
    "request.draw", "request.sign_off", "request.issue", "request.extend", "request.correct",
    "request.purge", "result.tampered", "letter.return_letter",
)}  # fmt: skip
OUTCOMES = {"ok": "完成", "refused": "未办理（被拒绝）", "failed": "告警"}
DECISIONS = {"confirm": "确认列入", "reject": "排除"}


@dataclass(frozen=True)
class Step:
    at: object
    actor: str
    action: str
    outcome: str
    note: str
    refused: bool


@dataclass(frozen=True)
class History:
    steps: list[Step]
    trimmed_before: object | None  # the trail before this instant was purged (retention)


def of(req: InquiryRequest) -> History:
    events = list(AuditEvent.objects.filter(object_type="InquiryRequest", object_id=str(req.pk),
                                            action__in=STEPS).order_by("seq"))  # fmt: skip
    actors = {e.actor for e in events}
    names = dict(Staff.objects.filter(unit=req.unit_id, user__username__in=actors)
                 .values_list("user__username", "full_name"))  # fmt: skip
    winners = {e.detail["winner"] for e in events if "winner" in e.detail}
    people = dict(Staff.objects.filter(pk__in=winners).values_list("pk", "full_name"))
    rows = dict(Candidate.objects.filter(request=req).values_list("pk", "row"))
    steps = [Step(clock.local(e.at), names.get(e.actor, "系统" if e.actor == "system" else e.actor),
                  STEPS[e.action], OUTCOMES.get(e.outcome, e.outcome),
                  _note(e.action, e.detail, people, rows), e.outcome != "ok")
             for e in events]  # fmt: skip
    anchor = PurgeAnchor.current()
    trimmed = anchor.before if anchor is not None and anchor.before > req.registered_at else None
    return History(steps, clock.local(trimmed) if trimmed else None)


def _note(action: str, d: dict, people: dict, rows: dict) -> str:
    """A few words of what the step did (never a name or number of a candidate)."""
    round_ = f"第{d['round']}轮" if d.get("round") else ""
    if "winner" in d:
        winner = people.get(d["winner"], "（已不在本单位）")
        return f"{round_}抽中{winner}，候选{len(d.get('pool', []))}人"
    if action == "request.screen":
        return f"{round_}比对{d.get('candidates', 0)}名，匹配{d.get('matched', 0)}名"
    if action == "request.review":
        row = rows.get(d.get("candidate"), "?")
        return f"{round_}第{row}号人选：{DECISIONS.get(d.get('decision'), '')}"
    if action == "request.sign_off":
        return f"{round_}复函{d.get('letter', '')}"
    if action == "letter.return_letter":
        return f"退回函{d.get('letter', '')}"
    if action == "request.issue" and d.get("method"):
        method = SendMethod(d["method"]).label if d["method"] in SendMethod.values else d["method"]
        sent = dt.date.fromisoformat(d["sent_on"]) if d.get("sent_on") else None
        return f"{round_}{method}，发送日期{zh_date(sent) if sent else '—'}"
    if action == "request.register":
        return f"人选{d['candidates']}名" if "candidates" in d else ""
    if action == "request.purge":
        return f"人选{d.get('candidates', 0)}名，复函文件{d.get('letter_files', 0)}个"
    if action == "result.tampered":
        return "；".join(d.get("problems", []))
    return round_
