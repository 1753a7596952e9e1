"""A letter as PDF (WeasyPrint): the faithful copy, with its CJK fonts embedded as
subsets so it looks the same on every machine. Geometry as docx_letter (GB/T 9704 函 format):
page 1 starts with the red issuer name 30 mm from the top, later pages at the 37 mm margin.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from gongxin.core.dates import zh_date
from gongxin.documents.content import LetterContent

# The customary fonts first, where a machine has them (a unit's licensed 仿宋_GB2312, installed
# where fontconfig finds it); then the free fonts set-up installs (FandolFang, the free 仿宋 of
# scripts/debian-packages.sh); last HanaMin A/B, which cover all of CJK Extension B (rare
# characters in names). A character a font lacks comes from the next one of its stack.
RARE = '"HanaMinA", "HanaMinB"'
LICENSED_FANGSONG = ("仿宋_GB2312", "FangSong_GB2312", "FangSong")
FANGSONG = ", ".join(f'"{f}"' for f in (*LICENSED_FANGSONG, "FandolFang"))
FONTS = {
    "fangsong": f'{FANGSONG}, "Noto Serif CJK SC", {RARE}',
    "xiaobiaosong": f'"方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", {RARE}',
    "heiti": f'"黑体", "SimHei", "Noto Sans CJK SC", {RARE}',
    "kaiti": f'"楷体_GB2312", "KaiTi", "AR PL UKai CN", {RARE}',
}


def qr_data_uri(url: str) -> str:
    """The verification address as an SVG QR code, inlined (no file, no network)."""
    import base64

    import qrcode
    import qrcode.image.svg

    svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=1).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def write(template: str, content, *, draft: bool, **context) -> bytes:
    """Render ``template`` (which includes the documents/_frame_*.html parts) with the frame's
    context for ``content`` (a LetterContent or a ReportContent) and write it as PDF."""
    import weasyprint  # imported late: it loads Pango and fonts

    html = render_to_string(template, {
        "c": content, "fonts": FONTS, "date": zh_date(content.dated), "draft": draft,
        "qr": qr_data_uri(content.verification_url) if content.verification_url else "",
        **context,
    })  # fmt: skip
    return weasyprint.HTML(string=html).write_pdf()


def shares(widths_mm) -> list[str]:
    """Column widths as shares of the text block's width."""
    total = sum(widths_mm)
    return [f"{100 * w / total:.2f}%" for w in widths_mm]


def build(content: LetterContent, *, draft: bool = False) -> bytes:
    """The letter as PDF; ``draft``: the same layout marked 「草稿·未签发」 on every page."""
    widths = shares(content.table.widths_mm) if content.table is not None else []
    return write("documents/letter.html", content, draft=draft, widths=widths)
