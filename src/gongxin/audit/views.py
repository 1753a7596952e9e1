"""The auditor's page (审计管理员): search the trail, export a period, verify the chain.

Every search, export and verification is itself an event. Details never hold plaintext
personal data (``services.record``); the page shows codes by their Chinese labels
(gongxin.platform.labels) and staff of the auditor's own unit by name (staff are not candidates).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from openpyxl import Workbook

from gongxin.accounts.models import Staff
from gongxin.audit.integrity import verify
from gongxin.audit.labels import OWN_QUERIES, STAFF_KEYS
from gongxin.audit.models import AuditEvent
from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.dates import InvalidDate, parse_date
from gongxin.core.text import spreadsheet_cell
from gongxin.platform import background, labels
from gongxin.platform.permissions import requires

PAGE_SIZE = 50
EXPORT_MAX = 100_000  # rows in one XLSX; a longer period is exported in parts
FIELD_MAX = 64
COLUMNS = ["序号", "时间", "操作人", "单位", "事项", "事项代码", "对象类型", "对象", "结果", "详情",
           "专用终端", "摘要", "详情原文"]  # fmt: skip


@dataclass
class Search:
    actor: str = ""
    action: str = ""
    object_id: str = ""
    outcome: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    with_own: bool = False  # the auditor's own searches and exports (hidden unless asked)

    @classmethod
    def of(cls, params) -> tuple[Search, list[str]]:
        """The search a query string asks for, and what in it could not be read (Chinese)."""
        problems = []
        text = {k: params.get(k, "").strip()[:FIELD_MAX] for k in ("actor", "action", "object_id")}
        outcome = params.get("outcome", "")
        dates = {}
        for key, label in (("since", "起始日期"), ("until", "截止日期")):
            raw = params.get(key, "").strip()[:FIELD_MAX]
            try:
                dates[key] = parse_date(raw) if raw else None
            except InvalidDate as exc:
                problems.append(f"{label}：{exc.reason}")
                dates[key] = None
        if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
            problems.append("起始日期晚于截止日期")
        outcome = outcome if outcome in labels.OUTCOMES else ""
        with_own = params.get("with_own") == "1"
        return cls(**text, outcome=outcome, **dates, with_own=with_own), problems

    def apply(self, qs, auditor: Staff):
        if self.actor:  # a username, or the full name of someone in the auditor's unit
            people = Staff.objects.restrict(auditor, "audit").filter(full_name=self.actor)
            names = people.values_list("user__username")
            qs = qs.filter(actor__in=[self.actor, *(n for (n,) in names)])
        asked = self.action and any(code.startswith(self.action) for code in OWN_QUERIES)
        if not (self.with_own or asked):
            qs = qs.exclude(actor=auditor.user.username, action__in=OWN_QUERIES)
        if self.action:
            qs = qs.filter(action__startswith=self.action)
        if self.object_id:
            qs = qs.filter(object_id=self.object_id)
        if self.outcome:
            qs = qs.filter(outcome=self.outcome)
        if self.since:
            qs = qs.filter(at__gte=clock.start_of(self.since))
        if self.until:
            qs = qs.filter(at__lt=clock.start_of(self.until + dt.timedelta(days=1)))
        return qs

    def as_detail(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in self.__dict__.items() if v}  # fmt: skip


def _events(staff: Staff, search: Search):
    return search.apply(AuditEvent.objects.restrict(staff), staff).order_by("-seq")


@dataclass(frozen=True)
class Row:
    """One event as the auditor reads it: labels, not codes; names of the unit's staff."""

    event: AuditEvent
    actor: str
    action: str
    object: str
    outcome: str
    detail: list[tuple[str, str]]

    def detail_text(self) -> str:
        return "；".join(f"{k}：{v}" for k, v in self.detail)


class Reader:
    """Reads events for one auditor: staff of the auditor's unit by name and username."""

    def __init__(self, auditor: Staff):
        people = Staff.objects.restrict(auditor, "audit").values_list(
            "pk", "full_name", "user__username"
        )
        self.by_username = {u: f"{n}（{u}）" for _, n, u in people}
        self.by_pk = {pk: f"{n}（{u}）" for pk, n, u in people}

    def row(self, e: AuditEvent) -> Row:
        actor = "系统" if e.actor == "system" else self.by_username.get(e.actor, e.actor)
        where = labels.object_type(e.object_type) if e.object_type else ""
        obj = f"{where} #{e.object_id}" if e.object_id else where
        detail = [(labels.detail(k), self.value(k, v)) for k, v in sorted(e.detail.items())]
        return Row(e, actor, labels.action(e.action), obj, labels.outcome(e.outcome), detail)

    def value(self, key: str, v) -> str:
        if key in STAFF_KEYS:
            ids = v if isinstance(v, list) else [v]
            return "、".join(self.by_pk.get(i, f"#{i}") for i in ids)
        if isinstance(v, dict):
            return "，".join(f"{labels.detail(k)}={self.value(k, x)}" for k, x in sorted(v.items()))
        if isinstance(v, list):
            return "、".join(self.value("", x) for x in v) or "无"
        if isinstance(v, bool):
            return "是" if v else "否"
        return "—" if v is None or v == "" else str(v)


@requires("audit_trail")
def trail(request):
    search, problems = Search.of(request.GET)
    qs = _events(request.staff, search)
    if request.GET.get("format") == "xlsx" and not problems:
        return _export(request, search, qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    reader = Reader(request.staff)
    rows = [reader.row(e) for e in page.object_list]
    record(request.staff, "audit.search", ref=("AuditEvent", ""), page=page.number,
           found=page.paginator.count, search=search.as_detail())  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    actions = labels.grouped_actions()
    return render(request, "audit/trail.html", {
        "page": page, "rows": rows, "search": search, "problems": problems,
        "outcomes": labels.OUTCOMES.items(), "actions": actions,
        "action_known": search.action in {f"{p}." for p, _, _ in actions} | set(labels.ACTIONS),
        "query": query.urlencode(), "export_max": EXPORT_MAX,
    })  # fmt: skip


EXPORT = "audit.export"
SEARCH_KEYS = ("actor", "action", "object_id", "outcome", "since", "until", "with_own")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(request, search: Search, qs):
    """The trail as XLSX: at once when short, else built by the worker and offered on the
    same URL (gongxin.platform.background); each file handed out is recorded."""
    count = 0 if "job" in request.GET else qs.count()
    if count > EXPORT_MAX:
        messages.error(
            request, f"该时段共{count}条，超过一次导出的上限{EXPORT_MAX}条，请缩短时段分几次导出"
        )
        query = request.GET.copy()
        query.pop("format")
        return redirect(f"{request.path}?{query.urlencode()}")

    def audit(detail):
        record(request.staff, "audit.export", ref=("AuditEvent", ""), **detail)

    params = {k: request.GET[k] for k in SEARCH_KEYS if k in request.GET}
    return background.respond(request, EXPORT, params, size=count, audit=audit)


def build_export(auditor: Staff, params: dict, progress) -> background.Output:
    """The events the auditor's search finds, oldest first, as one sheet."""
    search, _ = Search.of(params)
    qs = _events(auditor, search)
    count = qs.count()
    progress(0, count, "读取留痕记录")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("留痕记录")
    sheet.append(COLUMNS)
    reader = Reader(auditor)
    for n, e in enumerate(qs.order_by("seq").iterator(chunk_size=2000), 1):
        at = clock.local(e.at).strftime("%Y-%m-%d %H:%M:%S")
        r = reader.row(e)
        raw = json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
        row = (e.seq, at, r.actor, e.unit_code, r.action, e.action,
               labels.object_type(e.object_type), e.object_id, r.outcome, r.detail_text(),
               e.workstation, e.digest, raw)  # fmt: skip
        sheet.append([spreadsheet_cell(v) for v in row])
        if n % 2000 == 0:
            progress(n, count, "读取留痕记录")
    out = io.BytesIO()
    book.save(out)
    name = f"audit-{clock.today().isoformat()}.xlsx"
    return background.Output(out.getvalue(), name, XLSX,
                             {"rows": count, "search": search.as_detail()})  # fmt: skip


@requires("audit_verify")
def verify_chain(request):
    if request.method != "POST":  # a bookmark, or the sign-in page sending the auditor back
        return redirect("audit_trail")
    verdict = verify()
    broken_at = verdict.problem.seq if verdict.problem else None
    outcome = "ok" if verdict.ok else "failed"
    record(request.staff, "audit.verify", ref=("ChainHead", verdict.last_seq or 0),
           outcome=outcome, checkpoint=False, broken_at=broken_at)  # fmt: skip
    (messages.success if verdict.ok else messages.error)(request, verdict.describe())
    return redirect("audit_trail")


background.register_work(background.Work(EXPORT, "留痕记录导出", build_export))
