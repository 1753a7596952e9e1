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
from gongxin.inquiry.choices import RequestState, SendMethod
from gongxin.inquiry.labels import ACTIONS
from gongxin.inquiry.models import Candidate, InquiryRequest, Review, SendBack
from gongxin.inquiry.queries import awaiting_review
from gongxin.inquiry.rules import sees_reviews

# The processing steps, labelled as the trail labels them (gongxin.platform.labels).
STEPS = {code: (ACTIONS | documents_labels.ACTIONS)[code] for code in (
    "request.register", "request.assign", "request.return", "request.screen", "request.submit",
    "request.draw_reviewer", "request.review", "request.reviewed", "request.assign_signer",
    "request.draw", "request.appoint", "request.sign_off", "request.issue", "request.extend",
    "request.correct", "request.edit_candidates", "request.purge", "result.tampered",
    "request.send_back", "letter.return_letter",
)}  # fmt: skip
OUTCOMES = {"ok": "完成", "refused": "未办理（被拒绝）", "failed": "告警"}
DECISIONS = {"confirm": "确认列入", "reject": "排除"}
FIELD_WORDS = {"name": "姓名", "id_number": "公民身份号码", "position": "拟任职位"}


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


def _held_back(staff, req: InquiryRequest) -> set[int]:
    """Candidates whose reviews in the round in progress ``staff`` may not see yet
    (independent review, rules.sees_reviews): their decisions are left out of the notes."""
    if staff is None or req.state != RequestState.IN_REVIEW:
        return set()
    waiting = list(awaiting_review(req).values_list("candidate_id", flat=True))
    given: dict[int, list] = {c: [] for c in waiting}
    for r in Review.objects.filter(candidate__in=waiting, round=req.round):  # one query
        given[r.candidate_id].append(r)
    return {c for c, reviews in given.items()
            if not sees_reviews(staff, req, req.round, reviews, decided=False)}  # fmt: skip


def of(req: InquiryRequest, staff=None) -> History:
    """The steps of ``req``, as ``staff`` may read them (without the review decisions an
    independent reviewer may not see yet)."""
    events = list(AuditEvent.objects.filter(object_type="InquiryRequest", object_id=str(req.pk),
                                            action__in=STEPS).order_by("seq"))  # fmt: skip
    actors = {e.actor for e in events}
    names = dict(Staff.objects.filter(unit=req.unit_id, user__username__in=actors)
                 .values_list("user__username", "full_name"))  # fmt: skip
    winners = {e.detail[k] for e in events for k in ("winner", "appointed", "replaced")
               if e.detail.get(k)}  # fmt: skip
    people = dict(Staff.objects.filter(pk__in=winners).values_list("pk", "full_name"))
    rows = dict(Candidate.objects.filter(request=req).values_list("pk", "row"))
    held = _held_back(staff, req)
    reasons = dict(SendBack.objects.filter(request=req).values_list("pk", "reason"))
    steps = [Step(clock.local(e.at), names.get(e.actor, "系统" if e.actor == "system" else e.actor),
                  STEPS[e.action], OUTCOMES.get(e.outcome, e.outcome),
                  _note(e.action, e.detail, people, rows, held if e.detail.get("round") == req.round
                        else set(), reasons), e.outcome != "ok")
             for e in events]  # fmt: skip
    anchor = PurgeAnchor.current()
    trimmed = anchor.before if anchor is not None and anchor.before > req.registered_at else None
    return History(steps, clock.local(trimmed) if trimmed else None)


def _note(action: str, d: dict, people: dict, rows: dict, held=frozenset(),
          reasons=None) -> str:  # fmt: skip
    """A few words of what the step did (never a name or number of a candidate)."""
    round_ = f"第{d['round']}轮" if d.get("round") else ""
    if "winner" in d:
        winner = people.get(d["winner"], "（已不在本单位）")
        return f"{round_}抽中{winner}，候选{len(d.get('pool', []))}人"
    if action == "request.appoint":
        said = f"指派{people.get(d.get('appointed'), '（已不在本单位）')}为经办人"
        if d.get("replaced"):
            said += f"（原经办人{people.get(d['replaced'], '（已不在本单位）')}）"
        return f"{round_}{said}，理由：{d.get('reason', '')}"
    if action == "request.screen":
        return f"{round_}比对{d.get('candidates', 0)}名，匹配{d.get('matched', 0)}名"
    if action == "request.review":
        row = rows.get(d.get("candidate"), "?")
        if d.get("candidate") in held:
            return f"{round_}第{row}号人选：（意见在您复核后显示）"
        return f"{round_}第{row}号人选：{DECISIONS.get(d.get('decision'), '')}"
    if action == "request.send_back":
        reason = (reasons or {}).get(d.get("send_back"), "")
        return f"{round_}退回复核{d.get('candidates', 0)}名有匹配的人选：{reason}"
    if action == "request.edit_candidates" and "row" in d:
        changed = {"add": "增加", "remove": "删除", "edit": "修改"}.get(d.get("change"), "")
        said = "、".join(FIELD_WORDS.get(f, f) for f in d.get("fields", []))
        return (
            f"{round_}第{d['row']}号人选：{changed}{said if d.get('change') == 'edit' else ''}"
            + ("，须重新查询比对" if d.get("rescreen") else "")
        )
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
