"""What a letter says, for the GB/T 9704 engine: product-neutral.

A product fills in a ``LetterContent`` (issuer, number, date, the texts, one table) and the
engine lays it out as DOCX and PDF, reads both back (``check``) and signs the PDF. Up to
``BODY_MAX`` table rows stand in the body; more go to an 附件 on a page of their own. A letter
without a table (a 退函, say) has ``table=None``. ``note`` is the 附注 printed in parentheses on
the line below the date (GB/T 9704 §7.3.7): the unit's contact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongxin.core.text import describe, first_refused

BODY_MAX = 3  # page 1 holds the letter's text and three table rows


@dataclass(frozen=True)
class Table:
    """The letter's table, and how its read-back is checked.

    In the PDF's extracted text, every row's ``key_column`` cell (matched by ``key_pattern``)
    must be followed by its ``value_column`` cell (matched by ``value_pattern``), in row order;
    every cell of ``name_column`` must appear and be drawable by an installed font.
    """

    headers: tuple[str, ...]
    widths_mm: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]
    key_column: int
    value_column: int
    key_pattern: str
    value_pattern: str
    name_column: int
    row_label: str = "表格第{n}行"  # how a problem names row n to staff, e.g. 第{n}号人选

    def label(self, n: int) -> str:
        return self.row_label.format(n=n)


@dataclass(frozen=True)
class LetterContent:
    issuer: str  # the unit: the red header of page 1, and the signature
    document_number: str
    dated: dt.date
    title: str
    salutation: str
    body: str  # the paragraph before the table, when the table stands in the body
    body_with_attachment: str  # the same paragraph when the table is in the 附件
    closing: str
    attachment_note: str  # 附件：… (below the closing, when there is an 附件)
    attachment_title: str
    table: Table | None
    verification_code: str = ""
    verification_url: str = ""
    note: str = ""

    @property
    def in_attachment(self) -> bool:
        return self.table is not None and len(self.table.rows) > BODY_MAX

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        return self.table.rows if self.table is not None else ()

    @property
    def note_line(self) -> str:
        return f"（{self.note}）" if self.note else ""

    @property
    def opening(self) -> str:
        return self.body_with_attachment if self.in_attachment else self.body

    @property
    def verification_line(self) -> str:
        return f"验证码：{self.verification_code}（核验：{self.verification_url}）"

    def unprintable(self) -> list[str]:
        """Texts holding a character a letter cannot carry (a control or direction character
        stored before it was refused, say), named for staff: such a letter is not rendered."""
        texts = {"发文字号": self.document_number, "标题": self.title, "主送": self.salutation,
                 "正文": self.opening, "结束语": self.closing, "附件说明": self.attachment_note,
                 "附件标题": self.attachment_title, "发文单位": self.issuer,
                 "附注": self.note}  # fmt: skip
        problems = [f"{label}含有{describe(found[1])}，无法排版"
                    for label, text in texts.items() if (found := first_refused(text))]  # fmt: skip
        for n, cells in enumerate(self.rows, start=1):
            for header, cell in zip(self.table.headers, cells, strict=True):
                if found := first_refused(cell):
                    problems.append(f"{self.table.label(n)}的{header}含有{describe(found[1])}")
        return problems


# --- reports (通报, 报告): several numbered sections, tables and a figure -------------------


@dataclass(frozen=True)
class Grid:
    """A table of a report: every cell is read back, in both files."""

    title: str  # printed above the table, centred (表1　…)
    headers: tuple[str, ...]
    widths_mm: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Figure:
    """A chart or picture: PNG bytes, printed ``width_mm`` wide and centred, its caption below."""

    png: bytes
    caption: str
    width_mm: float = 150


@dataclass(frozen=True)
class Section:
    """A first-level part of a report; the engine numbers its heading 一、二、… (黑体,
    GB/T 9704 §7.3.3) and prints its paragraphs, then its tables, then its figure."""

    heading: str
    paragraphs: tuple[str, ...]
    tables: tuple[Grid, ...] = ()
    figure: Figure | None = None


NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class ReportContent:
    """A multi-section document with the letter's frame: red header, 发文字号, title, 主送,
    signature, date and 附注. ``facts`` are the short texts (figures in words) the read-back
    must find in both files, besides every table cell."""

    issuer: str
    document_number: str
    dated: dt.date
    title: str
    salutation: str
    preface: str  # the paragraph before the first section
    sections: tuple[Section, ...]
    closing: str
    facts: tuple[str, ...] = ()
    verification_code: str = ""
    verification_url: str = ""
    note: str = ""

    rows = ()  # a report lists nobody (Letter.item_count)

    @property
    def note_line(self) -> str:
        return f"（{self.note}）" if self.note else ""

    @property
    def verification_line(self) -> str:
        return f"验证码：{self.verification_code}（核验：{self.verification_url}）"

    def headings(self) -> list[str]:
        return [f"{NUMERALS[n]}、{s.heading}" for n, s in enumerate(self.sections)]

    def grids(self) -> list[Grid]:
        return [grid for section in self.sections for grid in section.tables]

    def figures(self) -> list[Figure]:
        return [s.figure for s in self.sections if s.figure is not None]

    def unprintable(self) -> list[str]:
        """As LetterContent.unprintable: texts a document cannot carry, named for staff."""
        texts = [("发文字号", self.document_number), ("标题", self.title),
                 ("主送", self.salutation), ("正文", self.preface), ("结束语", self.closing),
                 ("发文单位", self.issuer), ("附注", self.note)]  # fmt: skip
        for heading, section in zip(self.headings(), self.sections, strict=True):
            texts += [(heading, text) for text in (section.heading, *section.paragraphs)]
        for grid in self.grids():
            texts += [(grid.title, cell) for cells in (grid.headers, *grid.rows) for cell in cells]
        return [f"{label}含有{describe(found[1])}，无法排版"
                for label, text in texts if (found := first_refused(text))]  # fmt: skip
