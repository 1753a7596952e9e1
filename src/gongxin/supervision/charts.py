"""The statistics' charts, drawn with matplotlib (Agg, imported when a chart is drawn): SVG to
show inline on the pages (text drawn as outlines: nothing to fetch, the CSP allows data: images)
and PNG for documents. The CJK font is the system's Noto Sans CJK, found through fontconfig.
Each chart's numbers are also in a table beside it (the text alternative)."""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import cache, lru_cache

from gongxin.core.workdays import DEADLINE_WORKDAYS

FONT_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
INK, OK, LATE, LIMIT = "#1d1d1b", "#00703c", "#a4262c", "#b35c00"


@cache
def _font() -> str | None:
    """The file of the first CJK family fontconfig knows, registered with matplotlib."""
    from matplotlib import font_manager

    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    for family in FONT_FAMILIES:
        try:
            found = subprocess.run(  # noqa: S603 (a fixed program and our own arguments)
                [fc_match, "-f", "%{file}\n%{family}", f"{family}:lang=zh-cn"],
                capture_output=True, text=True, timeout=10, check=True,
            ).stdout  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return None
        path, _, families = found.partition("\n")
        if path and family in families:
            font_manager.fontManager.addfont(path)  # every face of a collection (.ttc)
            if family in {entry.name for entry in font_manager.fontManager.ttflist}:
                return family
    return None


def _figure(width=6.4, height=3.4):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    family = _font()
    style = {"font.size": 11, "svg.fonttype": "path", "axes.spines.top": False,
             "axes.spines.right": False, "svg.hashsalt": "gongxin"}  # fmt: skip
    if family:
        style["font.family"] = [family, "DejaVu Sans"]
    with plt.rc_context(style):
        fig, ax = plt.subplots(figsize=(width, height), dpi=150, layout="constrained")
    return plt, fig, ax, style


def _save(plt, fig, style, fmt: str) -> bytes:
    if fmt not in ("svg", "png"):
        raise ValueError(fmt)
    out = io.BytesIO()
    with plt.rc_context(style):
        fig.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    return out.getvalue()


# Drawing takes matplotlib about a fifth of a second a chart: a chart is drawn once for the
# numbers it shows (per process, the last DRAWN_KEPT), so a page seen again with the same
# figures does not draw again, and changed figures draw a new one (the numbers are the key).
DRAWN_KEPT = 256


def monthly_chart(figures, fmt: str = "svg") -> bytes:
    """Requests received each month, split into issued within the limit, issued late (more
    than 3 working days) and not issued (returned or open)."""
    rows = tuple((m.month, m.requests, m.issued, m.within_limit) for m in figures.monthly)
    return _monthly(rows, fmt)


@lru_cache(maxsize=DRAWN_KEPT)
def _monthly(rows: tuple, fmt: str) -> bytes:
    plt, fig, ax, style = _figure()
    with plt.rc_context(style):
        months = [f"{month.year}年{month.month}月" for month, *_ in rows]
        within = [within for *_, within in rows]
        late = [issued - within for _, _, issued, within in rows]
        other = [requests - issued for _, requests, issued, _ in rows]
        x = range(len(months))
        ax.bar(x, within, color=OK, label=f"{DEADLINE_WORKDAYS}个工作日内反馈")
        ax.bar(x, late, bottom=within, color=LATE, label=f"超过{DEADLINE_WORKDAYS}个工作日反馈")
        ax.bar(x, other, bottom=[a + b for a, b in zip(within, late, strict=True)],
               color="#b1b4b6", label="未反馈（退回或办理中）")  # fmt: skip
        ax.set_xticks(list(x), months, rotation=30 if len(months) > 6 else 0)
        ax.set_ylabel("查询需求（件）")
        ax.set_title("各月收文及反馈情况", color=INK)
        ax.yaxis.get_major_locator().set_params(integer=True)
        if months:
            fig.legend(frameon=False, fontsize=9, loc="outside lower center", ncols=3)
        else:  # nothing to draw: an empty frame from 0, and why, not a legend of nothing
            ax.set_ylim(0, 1)
            ax.set_yticks([])
            ax.text(0.5, 0.5, "本期无查询需求", ha="center", va="center", transform=ax.transAxes)
    return _save(plt, fig, style, fmt)


def turnaround_chart(figures, fmt: str = "svg") -> bytes:
    """How many requests were issued after how many working days, the limit marked."""
    return _turnaround(tuple(figures.turnaround.distribution), fmt)


@lru_cache(maxsize=DRAWN_KEPT)
def _turnaround(distribution: tuple, fmt: str) -> bytes:
    plt, fig, ax, style = _figure()
    with plt.rc_context(style):
        dist = dict(distribution)
        top = max([DEADLINE_WORKDAYS + 2, *dist])
        days = list(range(0, top + 1))
        counts = [dist.get(d, 0) for d in days]
        colours = [OK if d <= DEADLINE_WORKDAYS else LATE for d in days]
        ax.bar(days, counts, color=colours)
        ax.axvline(DEADLINE_WORKDAYS + 0.5, color=LIMIT, linestyle="--", linewidth=1.5,
                   label=f"办结时限：{DEADLINE_WORKDAYS}个工作日")  # fmt: skip
        if dist:
            fig.legend(frameon=False, fontsize=9, loc="outside lower center")
        ax.set_xlabel("办理用时（工作日，自收文次日起算至首次反馈）")
        ax.set_ylabel("查询需求（件）")
        ax.set_title("办理用时分布", color=INK)
        ax.set_xticks(days)
        ax.yaxis.get_major_locator().set_params(integer=True)
        if not dist:  # an empty frame from 0; the words clear of the limit's line
            ax.set_ylim(0, 1)
            ax.set_yticks([])
            ax.text(0.5, 0.75, "本期无已反馈的查询需求", ha="center", va="center",
                    transform=ax.transAxes, backgroundcolor="white")  # fmt: skip
    return _save(plt, fig, style, fmt)


def data_uri(svg: bytes) -> str:
    """The SVG as an <img> source the CSP allows (img-src data:)."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
