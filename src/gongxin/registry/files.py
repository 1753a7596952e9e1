"""Reading tabular files staff upload: CSV (UTF-8 or GB18030, detected) and XLSX.

A table is read in chunks of records so that large files can be parsed by worker processes:
a CSV chunk is raw text (cut only where the count of quote characters is even, so a quoted
field with a line break is never split), an XLSX chunk is a list of cell lists. Row numbers are
counted as a spreadsheet shows them (the header is row 1), blank rows included, so an error
report points at the line a person will look at.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

SNIFF_BYTES = 1 << 16
CHUNK_RECORDS = 5000
CHARS_PER_RECORD = 64  # a list row is 60-100 characters: blocks of roughly CHUNK_RECORDS rows
FIRST_ROW = 2  # the header is row 1

Chunk = tuple[str, object]  # ("text", str) or ("cells", list[list])


class FileFormatError(ValueError):
    """The file as a whole cannot be read; ``reason`` is Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


XLSX_MAX_ROWS = 1_048_576  # what Excel itself allows: a row number past it is a forged file
RATIO_FLOOR = 1 << 20  # members smaller than this unpacked are never refused for their ratio


@dataclass(frozen=True)
class Limits:
    """What one file may hold, checked from the zip directory and the start of the sheet XML
    before a worksheet is parsed, so a hostile file is refused before memory or time grows.

    ``sheet_rows`` counts spreadsheet rows (header and blank rows included) as declared by the
    worksheet's <dimension> and as met while reading; ``columns`` the declared columns.
    ``advice`` ends every refusal (how to split the file, say)."""

    sheet_rows: int = XLSX_MAX_ROWS
    columns: int = 256
    unpacked_bytes: int = 2 << 30
    ratio: int = 100
    advice: str = ""


BAD_ENCODING = "文件编码无法识别（应为 UTF-8 或 GB18030）"
STRAY_QUOTE = (
    '文件中有不配对的引号（"），从该处起的内容被当作一个过长的单元格，请检查后重新保存为 CSV'
)


class Table:
    """Headers, and the records after them in chunks."""

    def __init__(self, headers: list[str], chunker: Callable[[int], Iterator[Chunk]]):
        self.headers = headers
        self._chunker = chunker

    def chunks(self, size: int = CHUNK_RECORDS) -> Iterator[Chunk]:
        return self._chunker(size)

    @property
    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number, cells) of every non-blank record, in file order."""
        base = FIRST_ROW
        for chunk in self.chunks():
            records = chunk_records(chunk)
            for offset, cells in enumerate(records):
                if not is_blank(cells):
                    yield base + offset, cells
            base += len(records)


def chunk_records(chunk: Chunk) -> list[list]:
    kind, data = chunk
    if kind == "text":
        try:
            return list(csv.reader(io.StringIO(data)))
        except csv.Error:  # a field past the csv module's limit: a stray quote, usually
            raise FileFormatError(STRAY_QUOTE) from None
    return data


def is_blank(cells: list) -> bool:
    return not any(str(c).strip() for c in cells if c is not None)


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


def _cell(value):
    """Spreadsheet values as the validators expect them: text, or a date for a date cell.

    A whole number in a numeric cell is its digits, but only while a float holds it exactly:
    Excel keeps 15 significant digits, so an 18-digit ID number typed into a numeric cell has
    already lost its last digits. It is passed on as Excel shows it (3.42301196004125E+17),
    which the ID number rule refuses saying so, never as digits that may name someone else.
    """
    if value is None:
        return ""
    if isinstance(value, dt.date | str):
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15G}"
    return str(value)


def open_table(path: Path, limits: Limits | None = None) -> Table:
    """The file's table; an XLSX is first checked against ``limits`` (defaults: generous)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return _open_xlsx(path, limits or Limits())
    if suffix in (".csv", ".txt"):
        return _open_csv(path)
    raise FileFormatError(f"不支持的文件类型「{suffix or '无扩展名'}」，请使用 CSV 或 XLSX 文件")


def _open_csv(path: Path) -> Table:
    with open(path, "rb") as fh:
        encoding = detect_encoding(fh.read(SNIFF_BYTES))
    with open(path, encoding=encoding, newline="") as fh:
        try:
            header = fh.readline()
            while header.count('"') % 2 and (more := fh.readline()):
                header += more
            offset = fh.tell()  # readline, not iteration: tell() stays available
        except UnicodeDecodeError:
            raise FileFormatError(BAD_ENCODING) from None
    if not header.strip():
        raise FileFormatError("文件为空")
    headers = [_clean_header(h) for h in next(csv.reader(io.StringIO(header)))]

    def chunks(size: int) -> Iterator[Chunk]:
        """Blocks of about ``size`` records, cut after a line break outside any quoted field."""
        block_chars = size * CHARS_PER_RECORD
        with open(path, encoding=encoding, newline="") as fh:
            fh.seek(offset)
            carry = ""
            try:
                while block := fh.read(block_chars):
                    text = carry + block
                    cut = _safe_cut(text)
                    if cut:
                        yield ("text", text[:cut])
                    carry = text[cut:]
            except UnicodeDecodeError:
                raise FileFormatError(BAD_ENCODING) from None
            if carry:
                yield ("text", carry)

    return Table(headers, chunks)


def _safe_cut(text: str) -> int:
    """Length of the longest prefix of whole records: ends with a line break, even quotes."""
    cut = text.rfind("\n") + 1
    if '"' not in text:
        return cut
    while cut and text.count('"', 0, cut) % 2:
        cut = text.rfind("\n", 0, cut - 1) + 1
    return cut


BAD_XLSX = (
    "无法读取 XLSX 文件：文件已损坏或内容不符合 Excel 格式，请用 Excel 打开后另存为 XLSX 再上传"
)


def _open_xlsx(path: Path, limits: Limits) -> Table:
    """Cells are parsed lazily as rows are read, so a damaged or hostile worksheet (malformed
    XML, entities, a shared string that does not exist) fails while reading: every failure of
    the reader becomes the one FileFormatError, never a traceback. Entities and DTDs are refused
    by defusedxml, which openpyxl uses when it is installed.

    Before openpyxl sees the file, check_xlsx refuses a zip bomb and a declared dimension past
    the limits. While reading, rows are cut to the header's width (a cell at XFD does not pad
    every row to 16,384 values) and counting stops at ``limits.sheet_rows``."""
    from openpyxl import load_workbook

    check_xlsx(path, limits)

    def load():
        try:
            return load_workbook(path, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many types for a damaged file
            raise FileFormatError(BAD_XLSX) from None

    book = load()
    try:
        first = next(_sheet(book).iter_rows(max_row=1, max_col=limits.columns, values_only=True),
                     None)  # fmt: skip
    except Exception:  # any failure of the reader means a damaged file
        raise FileFormatError(BAD_XLSX) from None
    finally:
        book.close()
    if first is None:
        raise FileFormatError("文件为空")
    headers = [_clean_header(h) for h in first]
    while headers and not headers[-1]:
        headers.pop()
    width = max(1, len(headers))

    def chunks(size: int) -> Iterator[Chunk]:
        book = load()
        try:
            it = _sheet(book).iter_rows(max_col=width, values_only=True)
            next(it)
            batch = []
            for number, row in enumerate(it, start=FIRST_ROW):
                if number > limits.sheet_rows:
                    raise FileFormatError(too_many_rows(limits))
                batch.append([_cell(v) for v in row])
                if len(batch) >= size:
                    yield ("cells", batch)
                    batch = []
            if batch:
                yield ("cells", batch)
        except FileFormatError:
            raise
        except Exception:  # any failure of the reader means a damaged file
            raise FileFormatError(BAD_XLSX) from None
        finally:
            book.close()

    return Table(headers, chunks)


def _sheet(book):
    """The first worksheet, read as its cells are, not as its <dimension> declares: a stale
    declaration would drop the rows below it, and an inflated one (A1:XFD200000 in a 5 KB file)
    would pad every row to 16,384 cells."""
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    return sheet


def too_many_rows(limits: Limits, declared: str = "", rows: int = 0) -> str:
    said = f"表格声明的范围为 {declared}，共 {rows} 行，" if declared else "表格的行数"
    return f"{said}超过上限（最多 {limits.sheet_rows} 行），未读取。{limits.advice}"


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=([\"'])([^\"']{1,40})\1")
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")
HEAD_BYTES = 1 << 16  # the <dimension> comes before the rows, near the start of the sheet XML


def check_xlsx(path: Path, limits: Limits) -> None:
    """Refuse, from the zip directory and the first bytes of the first worksheet, a file that
    would unpack past ``limits.unpacked_bytes``, a member packed more tightly than
    ``limits.ratio`` (a zip bomb), or a worksheet declaring more rows or columns than allowed.
    zipfile never unpacks more than a member's declared size, so the directory is the bound."""
    from openpyxl.utils.cell import range_boundaries

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            if unpacked > limits.unpacked_bytes:
                raise FileFormatError(
                    f"XLSX 文件解压后有 {_mb(unpacked)}，超过上限 {_mb(limits.unpacked_bytes)}，"
                    f"未读取。{limits.advice}"
                )
            for m in members:
                if m.file_size > RATIO_FLOOR and m.file_size > limits.ratio * max(
                    1, m.compress_size
                ):
                    raise FileFormatError(
                        f"XLSX 文件中有一部分压缩比超过 {limits.ratio} 倍"
                        f"（{_mb(m.compress_size)} 解压为 {_mb(m.file_size)}），"
                        "不像正常的表格，未读取。请用 Excel 打开后另存为 XLSX 再上传"
                    )
            with archive.open(_first_sheet(archive)) as sheet:
                head = sheet.read(HEAD_BYTES)
    except FileFormatError:
        raise
    except Exception:  # not a zip, no worksheet, a damaged member
        raise FileFormatError(BAD_XLSX) from None
    end = _SHEET_DATA.search(head)
    found = _DIMENSION.search(head, 0, end.start() if end else len(head))
    if not found:
        return
    declared = found.group(2).decode("ascii", "replace")
    try:
        _, _, columns, rows = range_boundaries(declared.upper())
    except Exception:  # openpyxl would fail on it too
        raise FileFormatError(BAD_XLSX) from None
    columns, rows = columns or 1, rows or 1
    if rows > limits.sheet_rows:
        raise FileFormatError(too_many_rows(limits, declared, rows))
    if columns > limits.columns:
        raise FileFormatError(
            f"表格声明的范围为 {declared}，共 {columns} 列，超过上限（最多 {limits.columns} 列），"
            "未读取。请删除多余的列后另存为 XLSX 再上传"
        )


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The path of the workbook's first worksheet, found as openpyxl finds it (small parts
    only: the content types, the workbook and its relationships)."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.reader.excel import ARC_CONTENT_TYPES, _find_workbook_part
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.xml.functions import fromstring

    package = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    parser = WorkbookParser(archive, _find_workbook_part(package).PartName[1:])
    parser.parse()
    names = set(archive.namelist())
    for _sheet_entry, rel in parser.find_sheets():
        if rel.target in names and "chartsheet" not in rel.Type:
            return rel.target
    raise FileFormatError(BAD_XLSX)


def _mb(size: int) -> str:
    if size < 1 << 20:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1 << 20):.1f} MB"
