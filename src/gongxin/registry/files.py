"""Reading tabular files staff upload: CSV (UTF-8 or GB18030, detected) and XLSX.

Rows come out as (row_number, {header: cell}), row numbers counted as a spreadsheet shows them
(the header is row 1), so an error report points at the line a person will look at.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SNIFF_BYTES = 1 << 16


class FileFormatError(ValueError):
    """The file as a whole cannot be read; ``reason`` is Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the opening bytes decode as UTF-8, else GB18030."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    # Cut at the last newline so a multi-byte character split by the sniff window is not blamed.
    cut = head.rfind(b"\n")
    sample = head if cut < 0 or len(head) < SNIFF_BYTES else head[: cut + 1]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _clean_header(cell) -> str:
    return str(cell or "").strip().replace("\u3000", "").replace(" ", "")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value  # dates stay dates; the row validator coerces them


def open_table(path: Path) -> Table:
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return _open_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _open_csv(path)
    raise FileFormatError(f"不支持的文件类型「{suffix or '无扩展名'}」，请使用 CSV 或 XLSX 文件")


def _open_csv(path: Path) -> Table:
    with open(path, "rb") as fh:
        encoding = detect_encoding(fh.read(SNIFF_BYTES))
    fh = open(path, encoding=encoding, newline="")
    reader = csv.reader(fh)
    try:
        headers = [_clean_header(h) for h in next(reader)]
    except StopIteration:
        fh.close()
        raise FileFormatError("文件为空") from None
    except UnicodeDecodeError:
        fh.close()
        raise FileFormatError("文件编码无法识别（应为 UTF-8 或 GB18030）") from None

    def rows():
        try:
            for number, row in enumerate(reader, start=2):
                if any(cell.strip() for cell in row):
                    yield number, row
        except UnicodeDecodeError:
            raise FileFormatError("文件编码无法识别（应为 UTF-8 或 GB18030）") from None
        finally:
            fh.close()

    return Table(headers, rows())


def _open_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise FileFormatError("无法读取 XLSX 文件，文件可能已损坏") from None
    sheet = book.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    try:
        headers = [_clean_header(h) for h in next(it)]
    except StopIteration:
        book.close()
        raise FileFormatError("文件为空") from None

    def rows():
        try:
            for number, row in enumerate(it, start=2):
                cells = [_cell(v) for v in row]
                if any(str(c).strip() for c in cells):
                    yield number, cells
        finally:
            book.close()

    return Table(headers, rows())
