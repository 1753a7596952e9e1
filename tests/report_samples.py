"""Known figures for the report tests (built directly: the figures' queries are tested with the
statistics), and a chart made with Pillow."""

from __future__ import annotations

import datetime as dt
import io

from gongxin.supervision.figures import AgencyRow, Figures, MonthRow, Period, Turnaround

PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def chart_png(width=900, height=450) -> bytes:
    """A bar chart-like PNG: enough to find as a picture in both files."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for n, bar in enumerate((120, 260, 180, 340, 90)):
        x = 80 + n * 160
        draw.rectangle((x, height - 40 - bar, x + 90, height - 40), fill=(31, 119, 180))
    draw.line((60, height - 40, width - 40, height - 40), fill="black", width=2)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def figures(units=("bj",), scale=1, spot=(20, 19), period=PERIOD) -> Figures:
    """A unit's quarter: 41 requests (35 录用, 6 调任) for 137 candidates, 3 agencies."""
    s = scale
    return Figures(
        period=period, units=tuple(units), requests=41 * s, candidates=137 * s,
        by_agency=(AgencyRow("北京市委组织部", "recruitment", 30 * s, 101 * s),
                   AgencyRow("北京市人力资源和社会保障局", "recruitment", 5 * s, 12 * s),
                   AgencyRow("北京市委组织部", "transfer", 6 * s, 24 * s)),
        by_kind={"recruitment": (35 * s, 113 * s), "transfer": (6 * s, 24 * s)},
        issued=38 * s, returned=2 * s, extended=3 * s, overdue=1 * s, corrected=2 * s,
        listed=4 * s, screened_candidates=128 * s,
        turnaround=Turnaround(issued=38 * s, median=2.0, p90=3.0, maximum=5,
                              within_limit=37 * s - (s - 1) * 3,
                              distribution=((1, 10 * s), (2, 18 * s), (3, 9 * s), (5, 1 * s))),
        workload=(), reviews=128 * s, disagreements=3 * s,
        spot_checked=spot[0], spot_agreed=spot[1], consultations=12 * s,
        monthly=(MonthRow(dt.date(2026, 1, 1), 15, 15, 15, 0),),
    )  # fmt: skip
