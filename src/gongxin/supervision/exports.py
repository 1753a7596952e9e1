"""The statistics workbooks that go through the task queue when large (gongxin.platform.background):
全国监督's workbook reads every unit's figures of the period, which takes seconds on a national
store. Built here from JSON parameters (the period), as the person who asked would see it."""

from __future__ import annotations

import datetime as dt

from gongxin.accounts.models import PlatformUnit
from gongxin.inquiry.models import InquiryRequest
from gongxin.platform.background import Output, Work, register_work
from gongxin.supervision import tables, workbook
from gongxin.supervision.figures import national
from gongxin.supervision.periods import Period
from gongxin.supervision.spotchecks import open_findings_by_unit

NATIONAL = "supervision.national_xlsx"


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


def build_national(actor, params: dict, progress) -> Output:
    period = Period(dt.date.fromisoformat(params["period_start"]),
                    dt.date.fromisoformat(params["period_end"]))  # fmt: skip
    progress(0, 2, "汇总各平台单位数据")
    _, total, _, table = national_table(period)
    progress(1, 2, "生成工作簿")
    body = workbook.build([table, tables.monthly(total)], "各平台单位服务统计")
    span = f"{params['period_start']}-{params['period_end']}"
    return Output(body, f"全国监督统计-{span}.xlsx", workbook.XLSX,
                  {"units": len(table.rows) - 1, **period_params(period)})  # fmt: skip


register_work(Work(NATIONAL, "全国监督统计导出", build_national))
