"""Pages of 抽查抽检: the list, a new draw, one spot check, closing a finding. Thin: the
services in gongxin.supervision.spotchecks decide, check and record."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render

from gongxin.core.dates import InvalidDate, parse_date
from gongxin.platform import background
from gongxin.platform.errors import InvalidSubmission, Problem, WorkflowError
from gongxin.platform.permissions import requires
from gongxin.supervision import exports, spotchecks
from gongxin.supervision.figures import Period
from gongxin.supervision.models import Finding, SpotCheck

# Form field names and the labels the services' problems name them by.
FIELDS = {"start": "反馈日期起", "end": "反馈日期止", "rate": "抽查比例"}
HELP = {
    "start": "格式如 2026-03-01；按首次反馈日期（北京时间）计",
    "end": "格式如 2026-03-31；不晚于今天",
    "rate": "百分比，1 至 100 的整数，默认 10",
}


@requires("supervision_spot_checks")
def spot_check_list(request):
    checks = SpotCheck.objects.restrict(request.staff).select_related("drawn_by")
    checks = checks.prefetch_related("items__finding")
    rows = []
    for spot in checks:
        items = list(spot.items.all())
        found = [i.finding for i in items if hasattr(i, "finding")]
        rows.append(
            {
                "spot": spot,
                "agreed": sum(1 for i in items if i.agreed),
                "open": sum(1 for f in found if f.is_open),
                "findings": len(found),
            }
        )
    context = {"rows": rows, "open_findings": list(spotchecks.open_findings(request.staff))}
    return render(request, "supervision/spotchecks_list.html", context)


@requires("supervision_spot_check_new")
def spot_check_new(request):
    if "job" in request.GET:  # a large draw the worker runs: its progress, then its result
        return background.page(request, exports.SPOT_CHECK)
    values = {"start": "", "end": "", "rate": str(spotchecks.DEFAULT_RATE)}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip()[:20] for k in FIELDS}
        parsed, errors = _parsed(values)
        if not errors:
            try:
                period = Period(parsed["start"], parsed["end"])
                size = exports.spot_check_size(request.staff, period, parsed["rate"])
                if size >= settings.GONGXIN_BACKGROUND_SPOT_CHECK_FROM:
                    params = {**exports.period_params(period), "rate": parsed["rate"]}
                    return background.queue(request, exports.SPOT_CHECK, params, total=size)
                spot = spotchecks.draw(request.staff, period, parsed["rate"])
            except InvalidSubmission as exc:
                errors = _by_field(exc.problems)
            except WorkflowError as exc:
                messages.error(request, exc.explanation)
            else:
                found = spot.items.filter(agreed=False).count()
                messages.success(
                    request,
                    f"已抽取 {spot.sample_size} 件并重新比对："
                    + (f"{found} 件结果不一致，已列为待关闭问题" if found else "结果全部一致"),
                )
                return redirect("supervision_spot_check", pk=spot.pk)
    fields = [
        {
            "key": key,
            "label": label,
            "value": values[key],
            "errors": errors.get(key, []),
            "help": HELP[key],
        }
        for key, label in FIELDS.items()
    ]
    context = {
        "fields": fields,
        "problems": [Problem(FIELDS[k], e) for k, es in errors.items() for e in es],
    }
    return render(
        request, "supervision/spotchecks_new.html", context, status=400 if errors else 200
    )


def _parsed(values: dict) -> tuple[dict, dict[str, list[str]]]:
    """Dates and rate as typed, or the problem beside each field (Chinese)."""
    parsed, errors = {}, {}
    for key in ("start", "end"):
        if not values[key]:
            errors[key] = ["请填写日期"]
            continue
        try:
            parsed[key] = parse_date(values[key])
        except InvalidDate as exc:
            errors[key] = [f"{exc.reason}（格式如 2026-03-31）"]
    try:
        parsed["rate"] = int(values["rate"])
    except ValueError:
        errors["rate"] = ["请填写 1 至 100 之间的整数（百分比）"]
    if not errors:
        try:
            spotchecks.parse_request(parsed["start"], parsed["end"], parsed["rate"])
        except InvalidSubmission as exc:
            errors = _by_field(exc.problems)
    return parsed, errors


def _by_field(problems) -> dict[str, list[str]]:
    names = {label: key for key, label in FIELDS.items()}
    errors: dict[str, list[str]] = {}
    for p in problems:
        errors.setdefault(names.get(p.field, "start"), []).append(p.reason)
    return errors


@requires("supervision_spot_check")
def spot_check_detail(request, pk):
    spot = SpotCheck.objects.restrict(request.staff).select_related("drawn_by").get_or_404(pk=pk)
    items = spot.items.select_related("request__agency", "finding__closed_by").order_by("id")
    rows = [
        {
            "item": i,
            "finding": getattr(i, "finding", None),
            "differences": [spotchecks.describe(d) for d in i.differences],
        }
        for i in items
    ]
    context = {"spot": spot, "rows": rows, "period": Period(spot.period_start, spot.period_end)}
    return render(request, "supervision/spotchecks_detail.html", context)


@requires("supervision_finding_close")
def finding_close(request, pk):
    finding = (
        Finding.objects.restrict(request.staff)
        .select_related("item__spot_check", "item__request", "closed_by")
        .get_or_404(pk=pk)
    )
    explanation, errors = "", []
    if request.method == "POST":
        explanation = request.POST.get("explanation", "")
        try:
            spotchecks.close_finding(request.staff, finding.pk, explanation)
        except InvalidSubmission as exc:
            errors = [p.reason for p in exc.problems]
        except WorkflowError as exc:
            messages.error(request, exc.explanation)
            return redirect("supervision_spot_check", pk=finding.item.spot_check_id)
        else:
            messages.success(request, "抽查问题已关闭")
            return redirect("supervision_spot_check", pk=finding.item.spot_check_id)
    context = {
        "finding": finding,
        "explanation": explanation[: spotchecks.EXPLANATION_MAX],
        "errors": errors,
        "problems": [Problem("处理说明", e) for e in errors],
        "maximum": spotchecks.EXPLANATION_MAX,
        "differences": [spotchecks.describe(d) for d in finding.item.differences],
    }
    return render(
        request, "supervision/spotchecks_close.html", context, status=400 if errors else 200
    )
