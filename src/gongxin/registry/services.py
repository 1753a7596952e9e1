"""List imports: the only way entries are created or removed.

An import validates the whole file before it touches the database, then applies it in one
transaction: a bad row, a failure or an interruption leaves the previous list exactly as it was
(and, with SQLite in WAL mode or PostgreSQL, screenable throughout).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q

from gongxin.core import clock
from gongxin.core.text import InvalidText, clean
from gongxin.platform.errors import Problem
from gongxin.platform.sealed import checked_keyring
from gongxin.registry import pipeline
from gongxin.registry.choices import DeltaAction, ImportMode, ImportStatus
from gongxin.registry.files import FIRST_ROW, FileFormatError, Limits, open_table
from gongxin.registry.models import ListEntry, ListImport, ListSource, MaskLayout
from gongxin.registry.rows import RowValidator

MAX_STORED_ERRORS = 1000
WRITE_BATCH = 5000
SQLITE_IMPORT_CACHE_KIB = 512 * 1024
PARALLEL_BYTES = 2_000_000  # about 20,000 rows: below this, worker processes cost more
SNAPSHOT_REMOVAL_REASON = "全量名单中已不再包含"

Progress = Callable[[int], None]


def list_file_limits() -> Limits:
    """A list file's limits: lists hold millions of rows (an XLSX at most Excel's 1,048,576);
    the row limit of a CSV is counted as it is read (GONGXIN_LIST_ROWS_MAX)."""
    return Limits(
        columns=settings.GONGXIN_XLSX_MAX_COLUMNS,
        unpacked_bytes=settings.GONGXIN_LIST_XLSX_MAX_UNPACKED,
        ratio=settings.GONGXIN_XLSX_MAX_RATIO,
    )


def too_many_rows(most: int) -> str:
    return (f"名单文件超过 {most} 行的上限，整个文件未导入，名单未作任何更改"
            "（上限见 GONGXIN_LIST_ROWS_MAX）")  # fmt: skip


class ImportRefused(Exception):
    """The file was refused as a whole; nothing changed. ``errors`` name row, column, reason."""

    def __init__(
        self,
        message: str,
        errors: list[Problem] | None = None,
        list_import: ListImport | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.list_import = list_import


@dataclass
class ImportResult:
    list_import: ListImport
    duplicate_of: ListImport | None = None

    @property
    def summary(self) -> str:
        imp = self.list_import
        if self.duplicate_of is not None:
            dup = self.duplicate_of
            return (
                f"该文件已于{clock.local(dup.finished_at):%Y-%m-%d %H:%M}导入"
                f"（批次 #{dup.pk}），本次未作任何更改"
            )
        return (
            f"导入完成（批次 #{imp.pk}，{imp.source.name}，{imp.get_mode_display()}，"
            f"名单日期 {imp.as_of.isoformat()}）：共 {imp.rows_total} 行，新增 {imp.added}，"
            f"移出 {imp.removed}，未变 {imp.unchanged}"
        )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def get_source(code: str) -> ListSource:
    try:
        return ListSource.objects.get(code=code)
    except ListSource.DoesNotExist:
        known = "、".join(ListSource.objects.values_list("code", flat=True))
        raise ImportRefused(f"未知的名单来源「{code}」（已有：{known}）") from None


def import_list(
    path: Path | str,
    *,
    source_code: str,
    mode: str = ImportMode.SNAPSHOT,
    as_of: dt.date | None = None,
    imported_by: str,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a list file for one source; raise ImportRefused (nothing changed) on any error.

    Every attempt is recorded: done, duplicate, refused (with the rows and reasons) or failed
    (an error of ours, not of the file: it is re-raised after the record is written).
    """
    path = Path(path)
    source = get_source(source_code)
    if mode not in ImportMode.values:
        raise ImportRefused(f"未知的导入方式「{mode}」（应为 snapshot 或 delta）")
    if not path.is_file():
        raise ImportRefused(f"文件不存在：{path.name}")
    attempt = _Attempt(path, source, mode, as_of or clock.today(), imported_by)
    try:
        return attempt.run(progress)
    except ImportRefused:
        raise
    except Exception as exc:
        reason = f"导入失败（{type(exc).__name__}），名单未作任何更改，请联系系统管理员"
        attempt.record(ImportStatus.FAILED, errors=[Problem("", reason).as_dict()])
        raise


class _Attempt:
    """One import attempt: what it is (for the record) and how it ends."""

    def __init__(self, path: Path, source, mode: str, as_of: dt.date, imported_by: str):
        self.path, self.source, self.mode, self.as_of = path, source, mode, as_of
        self.started = clock.now()
        self.sha = file_sha256(path)
        self.fields = dict(
            source=source, file_name=path.name[:255], sha256=self.sha, mode=mode, as_of=as_of,
            imported_by=imported_by, started_at=self.started,
        )  # fmt: skip

    def record(self, status: str, **fields) -> ListImport:
        return ListImport.objects.create(
            **self.fields, status=status, finished_at=clock.now(), **fields
        )

    def refuse(self, message: str, errors: list[Problem], rows_total: int = 0):
        imp = self.record(ImportStatus.REJECTED, rows_total=rows_total,
                          errors=[e.as_dict() for e in errors[:MAX_STORED_ERRORS]])  # fmt: skip
        raise ImportRefused(message, errors, imp)

    def duplicate(self, earlier: ListImport) -> ImportResult:
        return ImportResult(self.record(ImportStatus.DUPLICATE), duplicate_of=earlier)

    def run(self, progress) -> ImportResult:
        source, mode, as_of, sha = self.source, self.mode, self.as_of, self.sha
        if as_of > clock.today():
            self.refuse(f"名单日期 {as_of} 晚于今天，整个文件未导入", [])
        # Cheap checks first, so a repeated or stale file is answered before it is parsed;
        # they are repeated under the source lock below, where they are authoritative.
        if earlier := _earlier_import(source, sha):
            return self.duplicate(earlier)
        if stale := _stale_snapshot(source, mode, as_of):
            self.refuse(stale, [])
        try:
            table = open_table(self.path, list_file_limits())
        except FileFormatError as exc:
            self.refuse(exc.reason, [])
        validator = RowValidator(
            table.headers, source_code=source.code, source_name=source.name, mode=mode,
            as_of=as_of,
        )  # fmt: skip
        if validator.header_errors:
            self.refuse("文件缺少必需的列，整个文件未导入", validator.header_errors)
        writer = None
        try:
            with transaction.atomic():
                # One import per source at a time: the row lock serialises them on PostgreSQL
                # (SQLite's IMMEDIATE transactions already do).
                ListSource.objects.select_for_update().get(pk=source.pk)
                if earlier := _earlier_import(source, sha):
                    raise _Duplicate(earlier)
                if stale := _stale_snapshot(source, mode, as_of):
                    raise ImportRefused(stale)
                imp = ListImport.objects.create(**self.fields, status=ImportStatus.DONE,
                                                finished_at=self.started)  # fmt: skip
                writer = _Writer(source, imp, mode, as_of, progress)
                ctx = pipeline.Context(
                    validator=validator, ring=checked_keyring(), hashers=writer.hashers,
                    active_keys=frozenset(writer.active), source_id=source.pk, import_id=imp.pk,
                )  # fmt: skip
                parallel = self.path.stat().st_size > PARALLEL_BYTES
                most = settings.GONGXIN_LIST_ROWS_MAX
                for result in pipeline.prepared(table.chunks(), ctx, parallel=parallel):
                    writer.feed(*result)
                    if writer.rows_total > most:
                        raise ImportRefused(too_many_rows(most))
                writer.finish()
                if writer.errors:
                    raise ImportRefused("", writer.errors)
        except _Duplicate as exc:
            return self.duplicate(exc.earlier)
        except FileFormatError as exc:
            self.refuse(exc.reason, [])
        except ImportRefused as exc:
            message = exc.message or (
                f"文件中有 {len(exc.errors)} 处错误，整个文件未导入，名单未作任何更改"
            )
            self.refuse(message, exc.errors, writer.rows_total if writer else 0)
        finally:
            if writer is not None:
                writer.cursor.close()  # also when the file is refused or writing fails
        return ImportResult(imp)


class _Duplicate(Exception):
    def __init__(self, earlier: ListImport):
        self.earlier = earlier


def _earlier_import(source: ListSource, sha: str) -> ListImport | None:
    done = ListImport.objects.filter(source=source, sha256=sha, status=ImportStatus.DONE)
    return done.order_by("pk").first()


def _stale_snapshot(source: ListSource, mode: str, as_of: dt.date) -> str | None:
    """A snapshot older than the latest import would rewrite history: the reason, or None."""
    if mode != ImportMode.SNAPSHOT:
        return None
    latest = ListImport.objects.filter(source=source, status=ImportStatus.DONE).aggregate(
        m=Max("as_of")
    )["m"]
    if latest and as_of < latest:
        return (
            f"全量名单日期 {as_of} 早于该来源已导入的最新名单日期 {latest}，"
            "导入后会改变已导入的历史，已拒绝"
        )
    return None


class _Writer:
    """Plans each prepared row against the active entries and writes as it goes.

    Writing starts before the whole file is read; the first error stops writing, the rest of
    the file is still checked so the report is complete, and the transaction is rolled back.
    """

    def __init__(self, source, imp, mode, as_of, progress):
        self.imp, self.mode, self.progress = imp, mode, progress
        self.as_of = as_of.isoformat()
        active_entries = ListEntry.objects.filter(source=source, removed_on__isnull=True)
        self.active = {
            bytes(k): v
            for k, v in active_entries.values_list("entry_key", "id").iterator(chunk_size=20000)
        }
        # Entry keys are keyed hashes: compare under every key that active entries were
        # written with (normally one; two after an interrupted rotation).
        ring = checked_keyring()
        key_ids = sorted(set(active_entries.values_list("key_id", flat=True).distinct()))
        self.hashers = [ring.get(k).blind_index for k in key_ids]
        self.base = FIRST_ROW
        self.layouts: set[str] = set()
        self.first_row: dict[bytes, int] = {}
        self.seen: set[int] = set()
        self.inserts: list[tuple] = []  # current listings
        self.closed_inserts: list[tuple] = []  # rows that also carry removal details
        self.removals: list[tuple[int, str, str]] = []  # entry id, ISO date, reason
        self.errors: list[Problem] = []
        self.rows_total = self.added = self.unchanged = 0
        self.cursor = connection.cursor()
        if connection.vendor == "sqlite":
            # Inserts land at random places in the blind-index B-tree: keep it in memory.
            self.cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        self.insert_sql = _insert_sql(pipeline.INSERT_COLUMNS)
        self.closed_insert_sql = _insert_sql(pipeline.INSERT_COLUMNS + pipeline.REMOVAL_COLUMNS)

    def feed(self, records, offsets, own_keys, inserts, closed, matched, errors, layouts) -> None:
        """Take one prepared chunk (see pipeline.prepare_chunk); offsets count from self.base."""
        base = self.base
        self.base += records
        self.layouts |= layouts
        self.rows_total += len(offsets) + len({offset for offset, _, _ in errors})
        self.errors.extend(
            Problem(column, reason, base + offset) for offset, column, reason in errors
        )
        numbers = dict(zip(own_keys, (base + o for o in offsets), strict=True))
        if len(numbers) < len(own_keys) or not self.first_row.keys().isdisjoint(numbers):
            self._report_duplicates(base, offsets, own_keys)
        else:
            self.first_row.update(numbers)
        for offset, hit, action, removed_on, reason in matched:
            entry_id = self.active.get(hit) if hit is not None else None
            if action == DeltaAction.REMOVE:
                if entry_id is None:
                    self.errors.append(
                        Problem("操作", "名单中没有与此行一致的现行记录，无法移出", base + offset)
                    )
                else:
                    self._remove(entry_id, removed_on or self.as_of, reason)
            elif removed_on is not None:
                self._remove(entry_id, removed_on, reason)
            else:
                self.unchanged += 1
                self.seen.add(entry_id)
        if not self.errors:
            self.inserts.extend(inserts)
            self.closed_inserts.extend(closed)
            if len(self.inserts) + len(self.closed_inserts) >= WRITE_BATCH:
                self._flush()
        if self.progress:
            self.progress(records)

    def _report_duplicates(self, base, offsets, own_keys) -> None:
        for offset, key in zip(offsets, own_keys, strict=True):
            number = base + offset
            first = self.first_row.setdefault(key, number)
            if first != number:
                self.errors.append(Problem("姓名或名称", f"与第{first}行重复", number))

    def _remove(self, entry_id: int, day: str, reason: str) -> None:
        self.removals.append((entry_id, day, reason or "移出"))
        self.seen.add(entry_id)

    def _flush(self) -> None:
        for sql, batch in ((self.insert_sql, self.inserts),
                           (self.closed_insert_sql, self.closed_inserts)):  # fmt: skip
            if batch:
                self.cursor.executemany(sql, batch)
                self.added += len(batch)
                batch.clear()

    def finish(self) -> None:
        if self.rows_total == 0 and not self.errors:
            self.errors.append(Problem("", "文件中没有数据行", 2))
        if self.errors:
            return
        self._flush()
        if self.mode == ImportMode.SNAPSHOT:
            self.removals.extend(
                (entry_id, self.as_of, SNAPSHOT_REMOVAL_REASON)
                for entry_id in self.active.values()
                if entry_id not in self.seen
            )
        _remove(self.imp, self.removals)
        for layout in sorted(self.layouts):
            MaskLayout.objects.get_or_create(layout=layout)
        imp = self.imp
        imp.rows_total, imp.added, imp.removed = self.rows_total, self.added, len(self.removals)
        imp.unchanged = self.unchanged
        imp.finished_at = clock.now()
        imp.save(update_fields=["rows_total", "added", "removed", "unchanged", "finished_at"])


def _insert_sql(columns: tuple[str, ...]) -> str:
    qn = connection.ops.quote_name
    return "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - fixed identifiers
        qn(ListEntry._meta.db_table),
        ", ".join(qn(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )


def _remove(imp, removals: list[tuple[int, str, str]]) -> None:
    """Close entries: set removed_on once; an already removed entry is never re-opened."""
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(ListEntry._meta.db_table)} SET removed_on = %s, removal_reason = %s, "  # noqa: S608
        "removed_by_import_id = %s WHERE id = %s AND removed_on IS NULL"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(removals), WRITE_BATCH):
            cursor.executemany(
                sql,
                [
                    (day, reason[:200], imp.pk, entry_id)
                    for entry_id, day, reason in removals[start : start + WRITE_BATCH]
                ],
            )


def add_source(code: str, name: str, *, publisher: str = "", legal_basis: str = "") -> ListSource:
    """A unit adds a list of its own; codes and names are unique and never reused."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_slug

    try:
        validate_slug(code)
    except ValidationError:
        raise ImportRefused("代码只能包含字母、数字、-、_") from None
    fields = {"code": code, "name": name, "publisher": publisher, "legal_basis": legal_basis}
    labels = {"code": "代码", "name": "名称", "publisher": "发布机关", "legal_basis": "依据"}
    for key, value in fields.items():
        try:
            fields[key] = clean(value, required=key in ("code", "name"),
                                max_length=ListSource._meta.get_field(key).max_length)  # fmt: skip
        except InvalidText as exc:
            raise ImportRefused(f"{labels[key]}{exc.reason}") from None
    code, name, publisher, legal_basis = fields.values()
    if ListSource.objects.filter(Q(code=code) | Q(name=name)).exists():
        raise ImportRefused(f"名单来源「{code}」或「{name}」已存在")
    return ListSource.objects.create(
        code=code, name=name, publisher=publisher, legal_basis=legal_basis
    )
