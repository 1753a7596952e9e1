"""Supervision's work that goes through the task queue when large (gongxin.platform.background):
全国监督's workbook, which reads every unit's figures of the period (seconds on a national
store), and a spot-check draw of many requests, each screened again. Run here from JSON
parameters (the period, the rate), as the person who asked; and a 通报's 签发 when its
figures read many requests."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from gongxin.accounts.models import PlatformUnit
from gongxin.documents.services import ResultCheckFailed
from gongxin.documents.signing import SigningUnavailable
from gongxin.inquiry.models import InquiryRequest
from gongxin.platform.background import Output, Work, register_work
from gongxin.platform.errors import WorkflowError
from gongxin.supervision import report_services, spotchecks, tables, workbook
from gongxin.supervision.figures import national
from gongxin.supervision.periods import Period
from gongxin.supervision.reports import NATIONAL as NATIONAL_REPORT
from gongxin.supervision.reports import ReportSpec
from gongxin.supervision.spotchecks import open_findings_by_unit

NATIONAL = "supervision.national_xlsx"
SPOT_CHECK = "supervision.spot_check"
REPORT = "supervision.report_issue"


def national_table(period: Period):
    units = list(PlatformUnit.objects.order_by("level", "region_code", "code"))
    total, each = national(units, period)
    names = {u.code: u.name for u in units}
    table = tables.national_table(total, each, names, open_findings_by_unit())
    return units, total, each, table


def national_size(period: Period) -> int:
    """How many requests the national workbook reads (the background threshold's measure)."""
    return InquiryRequest.objects.filter(received_on__range=(period.start, period.end)).count()


def period_params(period: Period) -> dict:
    return {"period_start": period.start.isoformat(), "period_end": period.end.isoformat()}


def _period(params: dict) -> Period:
    return Period(dt.date.fromisoformat(params["period_start"]),
                  dt.date.fromisoformat(params["period_end"]))  # fmt: skip


def build_national(actor, params: dict, progress) -> Output:
    period = _period(params)
    progress(0, 2, "汇总各平台单位数据")
    _, total, _, table = national_table(period)
    progress(1, 2, "生成工作簿")
    body = workbook.build([table, tables.monthly(total)], "各平台单位服务统计")
    span = f"{params['period_start']}-{params['period_end']}"
    return Output(body, f"全国监督统计-{span}.xlsx", workbook.XLSX,
                  {"units": len(table.rows) - 1, **period_params(period)})  # fmt: skip


def spot_check_size(actor, period: Period, rate: int) -> int:
    """How many requests a draw would check again (the background threshold's measure)."""
    return spotchecks.sample_size(len(spotchecks.population(actor.unit, period)), rate)


def draw_spot_check(actor, params: dict, progress, complete) -> None:
    """The draw, as the supervisor asked it; the job is done in the draw's transaction."""

    def within(spot) -> None:
        complete(result_url=reverse("supervision_spot_check", args=[spot.pk]))

    spotchecks.draw(actor, _period(params), params["rate"], progress=progress, within=within)


def report_size(actor, spec: ReportSpec) -> int:
    """How many requests a 通报's figures read: the period's, the unit's or (the national
    center's report on the provinces) every unit's."""
    requests = InquiryRequest.objects.filter(received_on__range=(spec.period.start,
                                                                 spec.period.end))  # fmt: skip
    return (requests if spec.kind == NATIONAL_REPORT else requests.filter(unit=actor.unit)).count()


def report_params(spec: ReportSpec) -> dict:
    return {**period_params(spec.period), "kind": spec.kind, "addressee": spec.addressee}


def issue_report(actor, params: dict, progress, complete) -> None:
    """签发 of a 通报 as the supervisor asked it; the job is done in the signing transaction.
    A refusal is said as the page says it."""
    spec = ReportSpec(params["kind"], _period(params), params["addressee"])
    progress(0, 1, "生成、核对并签署通报")
    try:
        report_services.issue(actor, spec, within=lambda letter: complete(
            result_url=reverse("supervision_reports")))  # fmt: skip
    except ResultCheckFailed as exc:
        raise WorkflowError("result_check", "；".join(exc.problems) or "未能签发") from None
    except SigningUnavailable as exc:
        raise WorkflowError("no_certificate", str(exc)) from None
    except report_services.ReportBusy:
        raise WorkflowError("busy", "发文编号被其他公文占用，请重试") from None


register_work(Work(NATIONAL, "全国监督统计导出", build_national))
register_work(Work(SPOT_CHECK, "抽查抽检", draw_spot_check, effect=True))
register_work(Work(REPORT, "通报签发", issue_report, effect=True))
