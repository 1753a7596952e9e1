"""The statistics as tables: what the pages show and what the XLSX export writes, one sheet a
table, from the same rows. Cells are numbers, text, dates or a Rate (a share shown as a
percentage; None is 「—」, never 0 %). Counts and staff names only: never a candidate."""

from __future__ import annotations

from dataclasses import dataclass

from gongxin.core.workdays import DEADLINE_WORKDAYS
from gongxin.inquiry.choices import RequestKind
from gongxin.platform.roles import Role
from gongxin.supervision.figures import Figures


@dataclass(frozen=True)
class Rate:
    value: float | None

    def __str__(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"


@dataclass(frozen=True)
class Days:
    """A number of working days (a median may be a half)."""

    value: float | None

    def __str__(self) -> str:
        if self.value is None:
            return "—"
        return f"{self.value:g}"


@dataclass(frozen=True)
class Table:
    key: str  # the sheet's name
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple, ...]
    note: str = ""


def kind_label(kind: str) -> str:
    return RequestKind(kind).label if kind in RequestKind.values else kind


def summary(fig: Figures) -> Table:
    t = fig.turnaround
    rows = (
        ("查询需求（件）", fig.requests),
        ("查询人选（人）", fig.candidates),
        *((f"其中{kind_label(k)}（件／人）", f"{r}／{c}")
          for k, (r, c) in sorted(fig.by_kind.items())),
        ("已反馈（件）", fig.issued),
        ("退回（件）", fig.returned),
        ("延期（件）", fig.extended),
        ("超期（件）", fig.overdue),
        ("更正（件）", fig.corrected),
        ("办理中（件）", fig.pending),
        ("已反馈人选中列入失信名单（人）", fig.listed),
        ("列入率", Rate(fig.listed_rate)),
        ("办理用时中位数（工作日）", Days(t.median)),
        ("办理用时第90百分位（工作日）", Days(t.p90)),
        ("最长办理用时（工作日）", Days(t.maximum)),
        (f"{DEADLINE_WORKDAYS}个工作日内反馈（件）", t.within_limit),
        ("按期反馈率", Rate(t.on_time_share)),
        ("完成复核的人选（人次）", fig.reviews),
        ("复核意见不一致（人次）", fig.disagreements),
        ("复核意见不一致率", Rate(fig.disagreement_rate)),
        ("抽查（件）", fig.spot_checked),
        ("抽查一致率", Rate(fig.spot_agreement_rate)),
        ("电话咨询（次）", fig.consultations),
    )  # fmt: skip
    return Table("概况", f"概况（{fig.period.label}收文）", ("指标", "数值"), rows)


def by_agency(fig: Figures) -> Table:
    rows = tuple((r.agency, kind_label(r.kind), r.requests, r.candidates) for r in fig.by_agency)
    return Table("按发起单位", "按发起单位和类别", ("发起查询单位", "类别", "查询需求（件）",
                 "人选（人）"), rows)  # fmt: skip


def monthly(fig: Figures) -> Table:
    rows = tuple(
        (f"{m.month.year}年{m.month.month}月", m.requests, m.issued, m.within_limit,
         m.issued - m.within_limit, m.overdue,
         Rate(m.within_limit / m.issued if m.issued else None))
        for m in fig.monthly
    )  # fmt: skip
    headers = ("收文月份", "查询需求（件）", "已反馈（件）", f"{DEADLINE_WORKDAYS}个工作日内（件）",
               f"超过{DEADLINE_WORKDAYS}个工作日（件）", "超期（件）", "按期反馈率")  # fmt: skip
    return Table("按月", "按月（收文月份）", headers, rows)


def distribution(fig: Figures) -> Table:
    t = fig.turnaround
    rows = tuple((days, n, Rate(n / t.issued)) for days, n in t.distribution)
    headers = ("办理用时（工作日）", "查询需求（件）", "占已反馈")
    note = "办理用时：自收文次日起至首次反馈当日的工作日数。"
    return Table("办理用时分布", "办理用时分布", headers, rows, note)


def workload(fig: Figures) -> Table:
    rows = tuple((p.name, Role(p.role).label, p.requests) for p in fig.workload)
    headers = ("工作人员", "角色", "查询需求（件）")
    return Table("工作量", "工作量（经办、复核、签发的查询需求）", headers, rows)


def unit_tables(fig: Figures) -> list[Table]:
    return [summary(fig), by_agency(fig), monthly(fig), distribution(fig), workload(fig)]


def ranked(each: dict[str, Figures]) -> list[str]:
    """Unit codes by on-time share (highest first; none issued last), then fewer overdue."""

    def key(code):
        share = each[code].turnaround.on_time_share
        return (share is None, -(share or 0), each[code].overdue, code)

    return sorted(each, key=key)


NATIONAL_HEADERS = (
    "排名", "平台单位", "查询需求（件）", "人选（人）", "已反馈（件）", "按期反馈率",
    f"{DEADLINE_WORKDAYS}个工作日内（件）", "超期（件）", "退回（件）", "延期（件）", "更正（件）",
    "列入率", "用时中位数（工作日）", "第90百分位（工作日）", "最长（工作日）", "复核不一致率",
    "抽查（件）", "抽查一致率", "抽查发现问题未关闭", "电话咨询（次）",
)  # fmt: skip


def national_row(rank, name: str, fig: Figures, findings) -> tuple:
    t = fig.turnaround
    return (rank, name, fig.requests, fig.candidates, fig.issued, Rate(t.on_time_share),
            t.within_limit, fig.overdue, fig.returned, fig.extended, fig.corrected,
            Rate(fig.listed_rate), Days(t.median), Days(t.p90), Days(t.maximum),
            Rate(fig.disagreement_rate), fig.spot_checked, Rate(fig.spot_agreement_rate),
            findings, fig.consultations)  # fmt: skip


def national_table(total: Figures, each: dict[str, Figures], names: dict[str, str],
                   findings: dict[str, int]) -> Table:  # fmt: skip
    rows = [national_row(n, names[code], each[code], findings.get(code, 0))
            for n, code in enumerate(ranked(each), start=1)]  # fmt: skip
    rows.append(national_row("", "合计", total, sum(findings.values())))
    return Table("各单位对比", f"各平台单位对比（{total.period.label}收文）", NATIONAL_HEADERS,
                 tuple(rows), "按按期反馈率从高到低、超期件数从少到多排列。")  # fmt: skip
