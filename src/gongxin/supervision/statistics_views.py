"""服务统计 (a unit's supervisors and signers) and 全国监督 (the national center's supervisors):
the figures of a chosen period in tables with their charts, and each as an XLSX workbook.
Who may see them is the permission map's (supervision.permissions NAMED_LEVELS); the unit is always
the person's own, or for the national page every unit, aggregates only."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from gongxin.accounts.models import PlatformUnit
from gongxin.core import clock
from gongxin.platform import background
from gongxin.platform.permissions import requires
from gongxin.platform.trail import record
from gongxin.supervision import charts, exports, periods, tables, workbook
from gongxin.supervision.figures import national, unit_figures


def _charts(fig) -> dict:
    """The charts as inline images, and the headline figures, for a page showing ``fig``."""
    return {
        "today": clock.today(),
        "headline": {
            "on_time": tables.Rate(fig.turnaround.on_time_share),
            "median": tables.Days(fig.turnaround.median),
        },
        "monthly_chart": charts.data_uri(charts.monthly_chart(fig, "svg")),
        "turnaround_chart": charts.data_uri(charts.turnaround_chart(fig, "svg")),
    }


def _refused(request, template, choice, **context):
    context.update(choice=choice, period_problems=choice.problems, presets=periods.PRESETS)
    return render(request, template, context, status=400)


def _period_detail(choice) -> dict:
    return {"period_start": choice.period.start.isoformat(),
            "period_end": choice.period.end.isoformat()}  # fmt: skip


def _xlsx(tables_, heading, filename):
    return workbook.download(workbook.build(tables_, heading), filename)


@requires("supervision_statistics")
def statistics(request):
    choice = periods.choose(request.GET)
    unit = request.staff.unit
    if choice.period is None:
        return _refused(request, "supervision/statistics_unit.html", choice, unit=unit)
    fig = unit_figures([unit], choice.period)
    context = {"choice": choice, "presets": periods.PRESETS, "unit": unit, "figures": fig,
               "tables": tables.unit_tables(fig), **_charts(fig)}  # fmt: skip
    return render(request, "supervision/statistics_unit.html", context)


@requires("supervision_statistics_xlsx")
def statistics_xlsx(request):
    choice = periods.choose(request.GET)
    unit = request.staff.unit
    if choice.period is None:
        return _refused(request, "supervision/statistics_unit.html", choice, unit=unit)
    fig = unit_figures([unit], choice.period)
    span = f"{choice.period.start.isoformat()}-{choice.period.end.isoformat()}"
    name = f"服务统计-{unit.code}-{span}.xlsx"
    response = _xlsx(tables.unit_tables(fig), f"{unit.name}服务统计", name)
    record(request.staff, "supervision.statistics_export", unit, **_period_detail(choice))
    return response


def _national(period):
    return exports.national_table(period)


@requires("supervision_national")
def national_page(request):
    choice = periods.choose(request.GET)
    if choice.period is None:
        return _refused(request, "supervision/statistics_national.html", choice)
    _, total, each, table = _national(choice.period)
    # Each ranked unit's row links to its months; the last row is the total.
    rows = list(zip([*tables.ranked(each), ""], table.rows, strict=True))
    context = {"choice": choice, "presets": periods.PRESETS, "figures": total, "table": table,
               "rows": rows, **_charts(total)}  # fmt: skip
    return render(request, "supervision/statistics_national.html", context)


@requires("supervision_national_xlsx")
def national_xlsx(request):
    """A large period's workbook is built by the worker (gongxin.platform.background)."""
    choice = periods.choose(request.GET)
    if choice.period is None:
        return _refused(request, "supervision/statistics_national.html", choice)

    def audit(detail):
        record(request.staff, "supervision.national_export", request.staff.unit, **detail)

    return background.respond(request, exports.NATIONAL, exports.period_params(choice.period),
                              size=exports.national_size(choice.period), audit=audit)  # fmt: skip


@requires("supervision_national_unit")
def national_unit(request, unit):
    found = PlatformUnit.objects.filter(code=unit).first()
    if found is None:
        raise Http404
    choice = periods.choose(request.GET)
    if choice.period is None:
        return _refused(request, "supervision/statistics_national_unit.html", choice, unit=found)
    _, each = national([found], choice.period)
    fig = each[found.code]
    context = {"choice": choice, "presets": periods.PRESETS, "unit": found, "figures": fig,
               "tables": [tables.summary(fig), tables.monthly(fig), tables.distribution(fig)],
               **_charts(fig)}  # fmt: skip
    return render(request, "supervision/statistics_national_unit.html", context)
