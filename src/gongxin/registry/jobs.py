"""A list import as a background task runs it (issue 11): the same import, reported as it goes.

The task queue (its worker, leases and retries) is not here: a task calls ``run_import`` with
a key of its own, the same on every run of that task, and a ``report`` callback that writes
its progress where the page and the command line read it. What the import guarantees makes a
retry safe: a run that died left a staged import, which the retry clears at once (its key
names it) before staging again; a run that finished left a done import of the same file,
which the retry answers as already imported. Either way the list changes once, all at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from gongxin.registry.choices import ImportMode
from gongxin.registry.models import ListImport
from gongxin.registry.services import ImportResult, import_list

# report(done, total, step): rows read so far, the rows the file holds (an estimate from its
# line count; 0 when unknown, as for an XLSX), what is happening, in Chinese.
Report = Callable[[int, int, str], None]
READING = "读取、校验、加密并写入（尚未生效）"
STAGED = "已开始导入（批次 #{}，尚未生效）"


def run_import(
    path: Path | str,
    *,
    source_code: str,
    imported_by: str,
    job_key: str | None = None,
    mode: str = ImportMode.SNAPSHOT,
    as_of: dt.date | str | None = None,
    report: Report | None = None,
    on_staged: Callable[[ListImport], None] | None = None,
) -> ImportResult:
    """Import a list file as task ``job_key`` (None: not a task); raise
    services.ImportRefused as import_list does (nothing changed; the attempt is recorded).
    Arguments are plain values, so a task can carry them; ``on_staged`` learns the import's
    record (its id) once it is staged, the record then shows rows read, added and removed so
    far."""
    path = Path(path)
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    total = estimated_rows(path)
    read = 0

    def staged(imp: ListImport) -> None:
        if report:
            report(0, total, STAGED.format(imp.pk))
        if on_staged:
            on_staged(imp)

    def progress(records: int) -> None:
        nonlocal read
        read += records
        if report:
            report(min(read, total) if total else read, total, READING)

    return import_list(
        path, source_code=source_code, mode=mode, as_of=as_of, imported_by=imported_by,
        progress=progress, job_key=job_key, on_staged=staged,
    )  # fmt: skip


def estimated_rows(path: Path) -> int:
    """Data rows of a CSV file, counted as lines (a quoted line break counts twice, so it is
    an estimate); 0 for other files."""
    if path.suffix.lower() not in (".csv", ".txt"):
        return 0
    lines = 0
    last = b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return max(lines - 1 + (last != b"\n"), 0)
