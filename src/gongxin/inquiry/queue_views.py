"""Pages of the work queues: the 工作台 of each role, and the unit's register (台账) as XLSX.

Thin, like gongxin.inquiry.views: requests read through ``restrict(staff, "view")``, the next
step and who must act from gongxin.inquiry.queues (the rules), setup warnings from the layers
that own them (the calendar, the verification address, the signing certificates).
"""

from __future__ import annotations

import io

from django.db.models import Count, F, Max, Q, prefetch_related_objects
from django.http import HttpResponse
from openpyxl import Workbook

from gongxin.accounts.models import RULE_PREFETCH, Staff
from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.dates import zh_date
from gongxin.core.text import spreadsheet_cell
from gongxin.documents.signing import certificates_expiring
from gongxin.documents.verification import public_url_problem
from gongxin.inquiry import queues
from gongxin.inquiry.choices import OPEN_STATES, CandidateResult, RequestState
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.rules import MAY_BE_DRAWN, RULES, appointable, refusal, who_may_act
from gongxin.inquiry.supervision import why
from gongxin.platform.calendar import next_year_missing
from gongxin.platform.panels import panels_for
from gongxin.platform.permissions import allowed, requires
from gongxin.platform.roles import Role
from gongxin.platform.rules import keeps_calendar

CERTIFICATE_WARNING_DAYS = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTER_MAX = 100_000  # rows in one export; more is exported by period (filters)


def _moves_on(staff, req) -> str | None:
    """The step ``staff`` may take that moves ``req`` on (the rules decide), or None."""
    return next((a for a, spec in RULES.items()
                 if spec.advances and refusal(staff, req, a) is None), None)  # fmt: skip


def dashboard_context(staff) -> dict:
    """What a business role's 工作台 shows: the person's own steps by kind, sorted by urgency,
    each with its next step and who must act; and for a supervisor, the unit's whole open
    queue, what is overdue, and what is stuck (and why)."""
    today = clock.today()
    # The person's own roles, training and recusals, read once (the rules ask per request).
    prefetch_related_objects([staff], *RULE_PREFETCH)
    open_qs = queues.prefetched(
        InquiryRequest.objects.restrict(staff, "view").filter(state__in=OPEN_STATES)
    )
    open_ = sorted(queues.annotate(open_qs, today), key=lambda r: queues.urgency(r, today))
    mine = []
    for req in open_:
        req.mine = _moves_on(staff, req)
        if req.mine:
            mine.append(req)
    context = {
        "todo": mine,
        "due_today": [r for r in mine if r.due_today],
        "overdue": [r for r in mine if r.overdue],
        "to_review": [r for r in mine if r.mine == "review"] if Role.REVIEWER in staff.roles
        else None,
        "to_sign": [r for r in mine if r.mine == "sign_off"] if Role.SIGNER in staff.roles
        else None,
        "no_deadline": [r for r in open_ if r.deadline is None],
        "unassigned": [r for r in open_ if r.state == RequestState.RECEIVED],
        "stuck": [],
        "supervisor": False,
        "panels": panels_for(staff),
    }  # fmt: skip
    if allowed(staff, Role.SUPERVISOR):
        unit_staff = list(Staff.objects.restrict(staff, "supervise")
                          .prefetch_related(*RULE_PREFETCH))  # fmt: skip
        for req in open_:  # supervision.stuck, on the requests already read
            req.stuck_why = "" if who_may_act(req, unit_staff) else why(req, unit_staff)
            if req.stuck_why and req.state in RULES["appoint"].states:
                req.blockers = handler_blockers(req, unit_staff)
                req.can_appoint = bool(appointable(req))
        context.update({
            "supervisor": True,
            "unit_queue": open_,
            "unit_overdue": [r for r in open_ if r.overdue],
            "stuck": [r for r in open_ if r.stuck_why],
        })  # fmt: skip
    return context


def handler_blockers(req, unit_staff) -> list[tuple[str, str]]:
    """(name, reason) for each of the unit's handlers who cannot be drawn or appointed for
    ``req``: the draw's own rule (MAY_BE_DRAWN) says why — recused, untrained, inactive, past
    tenure, on the request in another role."""
    rule = MAY_BE_DRAWN[Role.HANDLER]
    return [(p.full_name, reason) for p in unit_staff
            if Role.HANDLER in p.roles and (reason := rule(p, req))]  # fmt: skip


def setup_warnings(staff, today=None) -> list[str]:
    """What the system administrator must set up before it bites (Chinese, one line each):
    next year's holidays from 1 December, the public verification address, certificates that
    end within 30 days. Other administrators see none: it is not theirs to fix."""
    if not allowed(staff, Role.SYSADMIN):
        return []
    today = today or clock.today()
    found = []
    if (year := next_year_missing(today)) is not None:
        who = ("请在「节假日安排」录入" if keeps_calendar.admits(staff)
               else "请联系国家公共信用信息中心系统管理员录入")  # fmt: skip
        found.append(f"{year} 年节假日安排尚未录入：{year} 年的办结期限将无法计算，{who}")
    if problem := public_url_problem():
        found.append(problem)
    for cert in certificates_expiring(clock.now(), CERTIFICATE_WARNING_DAYS):
        when = zh_date(clock.local(cert.not_after).date())
        if cert.days_left < 0:
            found.append(f"证书 {cert.name} 已于{when}过期，复函无法签发，请更换")
        else:
            found.append(f"证书 {cert.name} 将于{when}到期（剩 {cert.days_left} 天），请及时更换")
    return found


# --- 台账 -----------------------------------------------------------------------------------

REGISTER_COLUMNS = ["序号", "发起查询单位", "来文文号", "收文日期", "类别", "人选数", "状态",
                    "经办人", "办结期限", "被列为失信联合惩戒对象", "未发现", "复函文号",
                    "反馈日期"]  # fmt: skip


def register_rows(qs):
    """The register's rows: the request, never a candidate (no name, no ID number): counts
    and the result letter of the latest round."""
    listed = Q(candidates__findings__result=CandidateResult.LISTED,
               candidates__findings__screening__round=F("round"))  # fmt: skip
    clear = Q(candidates__findings__result=CandidateResult.NOT_LISTED,
              candidates__findings__screening__round=F("round"))  # fmt: skip
    qs = qs.select_related("agency", "handler").annotate(
        people=Count("candidates", filter=Q(candidates__until_round=None), distinct=True),
        listed=Count("candidates", filter=listed, distinct=True),
        clear=Count("candidates", filter=clear, distinct=True),
        issued=Max("rounds__issued_at", filter=Q(rounds__number=F("round"))),
        letter_out=Max("rounds__letter__document_number", filter=Q(rounds__number=F("round"))),
    )
    for n, req in enumerate(qs, start=1):
        signed = req.state in (RequestState.SIGNED, RequestState.ISSUED)
        yield [
            n, req.agency.name, req.letter_number, req.received_on.isoformat(),
            req.get_kind_display(), req.people, queues.status_label(req),
            req.handler.full_name if req.handler_id else "",
            req.deadline.isoformat() if req.deadline else "",
            req.listed if signed else "", req.clear if signed else "",
            req.letter_out or "",
            clock.local(req.issued).date().isoformat() if req.issued else "",
        ]  # fmt: skip


@requires("request_register")
def request_register(request):
    """台账: the unit's requests the list's filters select, as XLSX, masked."""
    from gongxin.inquiry.views import filtered

    staff = request.staff
    qs, _ = filtered(staff, request.GET)
    count = qs.count()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("查询需求台账")
    sheet.append(REGISTER_COLUMNS)
    for row in register_rows(qs):
        sheet.append([spreadsheet_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    # The filters, but not the search text: it may be a person's name (the trail holds none).
    record(staff, "request.export_register", ref=("InquiryRequest", ""), rows=count,
           searched=bool(request.GET.get("q", "").strip()), state=request.GET.get("state", "")[:20],
           overdue=bool(request.GET.get("overdue")))  # fmt: skip
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    name = f"register-{clock.today().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
