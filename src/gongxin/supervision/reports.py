"""定期主动通报: a unit's 工作情况通报 to its civil-service authority, and the national center's
通报 on the provinces, as official documents of the GB/T 9704 engine (gongxin.documents).

The words come from the figures (gongxin.supervision.figures) and nothing else: counts, shares
and working days, never a candidate's name or number. ``facts`` are the figures in words; the
engine's read-back finds each of them, and every table cell, in both files before a report is
signed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongxin.documents.content import Figure, Grid, ReportContent, Section
from gongxin.inquiry.choices import RequestKind
from gongxin.platform.rules import national_unit
from gongxin.supervision.figures import Figures, Period
from gongxin.supervision.tables import ranked

UNIT, NATIONAL = "unit", "national"
KINDS = {UNIT: "本单位工作情况通报", NATIONAL: "各省工作情况通报（国家级）"}
NATIONAL_ADDRESSEE = "各省、自治区、直辖市公共信用信息中心"


def default_addressee(unit, kind: str) -> str:
    """主送 when none is typed: the provinces for the national 通报; for a unit's, the
    civil-service authority of its own region (北京市公共信用信息中心 → 北京市公务员主管部门)."""
    if kind == NATIONAL:
        return NATIONAL_ADDRESSEE
    region = unit.name.removesuffix("公共信用信息中心")
    return f"{region}公务员主管部门" if region != unit.name else "公务员主管部门"


CLOSING = "特此通报。"


def may_report(staff, kind: str) -> bool:
    """Whether ``staff`` (already admitted by the permission map) may draw up ``kind``."""
    return kind == UNIT or (kind == NATIONAL and national_unit.admits(staff))


@dataclass(frozen=True)
class ReportSpec:
    """What the person chose on the form."""

    kind: str
    period: Period
    addressee: str


# --- figures in words -----------------------------------------------------------------------


QUARTERS = "一二三四"


def period_words(period: Period) -> str:
    """2026年第一季度, 2026年上半年, 2026年3月, 2026年 when the period is one; else its dates."""
    start, end = period.start, period.end
    next_day = end + dt.timedelta(days=1)
    if start.day != 1 or next_day.day != 1 or start.year != end.year:
        return period.label
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 12:
        return f"{start.year}年"
    if months == 6 and start.month in (1, 7):
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    if months == 3 and start.month % 3 == 1:
        return f"{start.year}年第{QUARTERS[start.month // 3]}季度"
    if months == 1:
        return f"{start.year}年{start.month}月"
    return period.label


def percent(value: float | None) -> str:
    """0.953 → 95.3%; nothing to divide → 「—」 (never 0 %)."""
    return "—" if value is None else f"{value * 100:.1f}%"


def days(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".removesuffix(".0")


def mean_days(figures: Figures) -> float | None:
    """The mean turnaround in working days, from the turnaround's distribution."""
    pairs = figures.turnaround.distribution
    count = sum(n for _, n in pairs)
    return sum(d * n for d, n in pairs) / count if count else None


def volume_facts(f: Figures) -> list[str]:
    facts = [f"受理查询需求{f.requests}件", f"涉及人选{f.candidates}人", f"已反馈{f.issued}件"]
    for kind in RequestKind:
        requests, candidates = f.by_kind.get(kind.value, (0, 0))
        facts.append(f"{kind.label}{requests}件{candidates}人")
    return facts


def listed_facts(f: Figures) -> list[str]:
    return [f"列入失信联合惩戒对象名单{f.listed}人",
            f"占已反馈人选{f.screened_candidates}人的{percent(f.listed_rate)}"]  # fmt: skip


def timeliness_facts(f: Figures) -> list[str]:
    t = f.turnaround
    return [
        f"3个工作日内反馈{t.within_limit}件",
        f"按期反馈率{percent(t.on_time_share)}",
        f"平均办理时长{days(mean_days(f))}个工作日",
        f"中位办理时长{days(t.median)}个工作日",
        f"最长{'—' if t.maximum is None else t.maximum}个工作日",
        f"超期{f.overdue}件",
        f"延期{f.extended}件",
    ]


def quality_facts(f: Figures) -> list[str]:
    return [
        f"退回{f.returned}件",
        f"更正{f.corrected}件",
        f"复核人选{f.reviews}人",
        f"两名复核人意见不一致{f.disagreements}人",
        f"复核不一致率{percent(f.disagreement_rate)}",
        f"抽查{f.spot_checked}件",
        f"抽查一致{f.spot_agreed}件",
        f"抽查一致率{percent(f.spot_agreement_rate)}",
    ]


def consultation_facts(f: Figures) -> list[str]:
    return [f"接听电话咨询{f.consultations}次"]


def sentence(facts: list[str], lead: str = "") -> str:
    return lead + "，".join(facts) + "。"


# --- the two reports ------------------------------------------------------------------------


def _figure(chart_png: bytes | None, caption: str) -> Figure | None:
    return Figure(chart_png, caption) if chart_png else None


def _common(f: Figures, lead: str, chart_png: bytes | None, caption: str, tables=()):
    """Sections 一 to 四, shared by both reports; ``tables`` go under 一."""
    sections = (
        Section("总体情况", (sentence(volume_facts(f), lead),
                             sentence(listed_facts(f), "经查询比对，")), tuple(tables)),
        Section("办理时效", (sentence(timeliness_facts(f), "已反馈的查询需求中，"),),
                figure=_figure(chart_png, caption)),
        Section("质量控制", (sentence(quality_facts(f)),)),
        Section("咨询服务", (sentence(consultation_facts(f), f"{period_words(f.period)}，"),)),
    )  # fmt: skip
    facts = (*volume_facts(f), *listed_facts(f), *timeliness_facts(f), *quality_facts(f),
             *consultation_facts(f))  # fmt: skip
    return sections, facts


def unit_report(unit, spec: ReportSpec, f: Figures, chart_png: bytes | None, *,
                document_number: str, dated: dt.date, note: str = "",
                verification: tuple[str, str] = ("", "")) -> ReportContent:  # fmt: skip
    """The unit's 工作情况通报 to its civil-service authority: its figures, and its requests
    by agency and kind."""
    kinds = dict(RequestKind.choices)
    rows = tuple((r.agency, kinds.get(r.kind, r.kind), str(r.requests), str(r.candidates))
                 for r in f.by_agency)  # fmt: skip
    table = Grid("表1　分发起查询单位办理情况", ("发起查询单位", "类别", "件数", "人数"),
                 (86, 22, 24, 24), rows)  # fmt: skip
    sections, facts = _common(f, f"{period_words(spec.period)}，本单位", chart_png,
                              "图1　查询需求办理情况", (table,))  # fmt: skip
    return ReportContent(
        issuer=unit.name, document_number=document_number, dated=dated,
        title=f"关于{period_words(spec.period)}公务员录用调任人选信用信息查询工作情况的通报",
        salutation=f"{spec.addressee}：",
        preface="根据公务员录用、调任人选信用信息查询工作的有关要求，现将本单位"
                f"{period_words(spec.period)}查询工作情况通报如下：",
        sections=sections, closing=CLOSING, facts=facts, note=note,
        verification_code=verification[0], verification_url=verification[1],
    )  # fmt: skip


def national_report(unit, spec: ReportSpec, total: Figures, per_unit: dict[str, Figures],
                    names: dict[str, str], chart_png: bytes | None, *, document_number: str,
                    dated: dt.date, note: str = "",
                    verification: tuple[str, str] = ("", "")) -> ReportContent:  # fmt: skip
    """The national center's 通报 on the provinces: the totals, then each province's figures,
    ranked by on-time share and overdue count."""
    order = ranked(per_unit)
    timeliness = Grid(
        "表1　各省办理时效（按按期反馈率排序）",
        ("名次", "单位", "件数", "人数", "按期反馈率", "中位时长（工作日）", "超期", "延期"),
        (11, 52, 13, 13, 19, 22, 12, 12),
        tuple((str(n), names.get(code, code), str(f.requests), str(f.candidates),
               percent(f.turnaround.on_time_share), days(f.turnaround.median), str(f.overdue),
               str(f.extended)) for n, code in enumerate(order, start=1)
              for f in (per_unit[code],)),
    )  # fmt: skip
    quality = Grid(
        "表2　各省办理质量",
        ("单位", "退回", "更正", "列入人数", "列入比例", "复核不一致率", "抽查一致率", "电话咨询"),
        (50, 12, 12, 15, 16, 18, 18, 14),
        tuple((names.get(code, code), str(f.returned), str(f.corrected), str(f.listed),
               percent(f.listed_rate), percent(f.disagreement_rate),
               percent(f.spot_agreement_rate), str(f.consultations))
              for code in order for f in (per_unit[code],)),
    )  # fmt: skip
    lead = f"{period_words(spec.period)}，各省级平台管理单位共"
    sections, facts = _common(total, lead, chart_png, "图1　全国查询需求办理情况")
    ranking = []
    if order:
        best, worst = order[0], max(order, key=lambda c: (per_unit[c].overdue, c))
        ranking.append(f"按期反馈率最高的是{names.get(best, best)}"
                       f"（{percent(per_unit[best].turnaround.on_time_share)}）")  # fmt: skip
        if per_unit[worst].overdue:
            ranking.append(
                f"超期件数最多的是{names.get(worst, worst)}（{per_unit[worst].overdue}件）"
            )
    provinces = Section(
        "各省办理情况",
        (sentence(ranking, f"{len(order)}个省级平台管理单位的情况见表1、表2。")
         if ranking else "本期各省级平台管理单位均无查询需求。",),
        (timeliness, quality),
    )  # fmt: skip
    return ReportContent(
        issuer=unit.name, document_number=document_number, dated=dated,
        title=f"关于{period_words(spec.period)}各省级平台公务员录用调任人选信用信息查询工作情况的通报",
        salutation=f"{spec.addressee}：",
        preface=f"根据公务员录用、调任人选信用信息查询工作的有关要求，{unit.name}对各省级平台"
                f"管理单位{period_words(spec.period)}的查询工作进行了监督检查，现将有关情况通报如下：",
        sections=(sections[0], provinces, *sections[1:]), closing=CLOSING,
        facts=(*facts, *ranking), note=note,
        verification_code=verification[0], verification_url=verification[1],
    )  # fmt: skip
