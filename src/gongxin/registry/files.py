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
from collections.abc import Callable, Iterator
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


def _open_xlsx(path: Path) -> Table:
    """Cells are parsed lazily as rows are read, so a damaged or hostile worksheet (malformed
    XML, entities, a shared string that does not exist) fails while reading: every failure of
    the reader becomes the one FileFormatError, never a traceback. Entities and DTDs are refused
    by defusedxml, which openpyxl uses when it is installed."""
    from openpyxl import load_workbook

    def load():
        try:
            return load_workbook(path, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many types for a damaged file
            raise FileFormatError(BAD_XLSX) from None

    book = load()
    try:
        first = next(_sheet(book).iter_rows(values_only=True), None)
    except Exception:  # any failure of the reader means a damaged file
        raise FileFormatError(BAD_XLSX) from None
    finally:
        book.close()
    if first is None:
        raise FileFormatError("文件为空")
    headers = [_clean_header(h) for h in first]

    def chunks(size: int) -> Iterator[Chunk]:
        book = load()
        try:
            it = _sheet(book).iter_rows(values_only=True)
            next(it)
            batch = []
            for row in it:
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
