"""The auditor's page (审计管理员): search the trail, export a period, verify the chain.

Every search, export and verification is itself an event. Details never hold plaintext
personal data (``services.record``), so the page shows them as they are.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from openpyxl import Workbook

from gongxin.audit.integrity import verify
from gongxin.audit.models import AuditEvent
from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.dates import InvalidDate, parse_date
from gongxin.core.text import spreadsheet_cell
from gongxin.platform.permissions import requires

PAGE_SIZE = 50
EXPORT_MAX = 100_000  # rows in one XLSX; a longer period is exported in parts
FIELD_MAX = 64
OUTCOMES = [("ok", "成功"), ("failed", "失败"), ("refused", "拒绝")]
COLUMNS = ["序号", "时间", "操作人", "单位", "事项", "对象类型", "对象", "结果", "详情", "专用终端",
           "摘要"]  # fmt: skip


@dataclass
class Search:
    actor: str = ""
    action: str = ""
    object_id: str = ""
    outcome: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

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
        return cls(**text, outcome=outcome if outcome in dict(OUTCOMES) else "", **dates), problems

    def apply(self, qs):
        if self.actor:
            qs = qs.filter(actor=self.actor)
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


def _events(request, search: Search):
    return search.apply(AuditEvent.objects.restrict(request.staff)).order_by("-seq")


@requires("audit_trail")
def trail(request):
    search, problems = Search.of(request.GET)
    qs = _events(request, search)
    if request.GET.get("format") == "xlsx" and not problems:
        return _export(request, search, qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    record(request.staff, "audit.search", ref=("AuditEvent", ""), page=page.number,
           found=page.paginator.count, search=search.as_detail())  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/trail.html", {
        "page": page, "search": search, "problems": problems, "outcomes": OUTCOMES,
        "query": query.urlencode(), "export_max": EXPORT_MAX,
    })  # fmt: skip


def _export(request, search: Search, qs):
    count = qs.count()
    if count > EXPORT_MAX:
        messages.error(
            request, f"该时段共{count}条，超过一次导出的上限{EXPORT_MAX}条，请缩短时段分几次导出"
        )
        query = request.GET.copy()
        query.pop("format")
        return redirect(f"{request.path}?{query.urlencode()}")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("留痕记录")
    sheet.append(COLUMNS)
    for e in qs.order_by("seq").iterator(chunk_size=2000):
        at = clock.local(e.at).strftime("%Y-%m-%d %H:%M:%S")
        detail = json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
        row = (e.seq, at, e.actor, e.unit_code, e.action, e.object_type, e.object_id, e.outcome,
               detail, e.workstation, e.digest)  # fmt: skip
        sheet.append([spreadsheet_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    record(
        request.staff, "audit.export", ref=("AuditEvent", ""), rows=count, search=search.as_detail()
    )
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"audit-{clock.today().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


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
