"""List imports: the only way entries are created or removed.

An import is *staged*: its rows and removals are written a batch at a time, each batch in a
short transaction of its own, under an import record that screening does not see; when the
whole file is good it is switched on in one short transaction that gives it the next list
version (decision 0007). Nobody waits for an import longer than one batch. A bad row, a failure
or an interruption leaves the previous version in force: the staged rows are deleted again, by
this process or, after a crash, by the next import once the staged one has made no progress for
GONGXIN_IMPORT_STALE_MINUTES.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
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
CLEAR_BATCH = 2000  # staged rows deleted (or removals undone) per transaction
# Each staging transaction is sized to hold SQLite's write lock for about this long: the batch
# grows or shrinks with the rows per second the previous ones achieved (load, disk, cache).
TRANSACTION_SECONDS = 0.1
FIRST_BATCH, SMALLEST_BATCH, LARGEST_BATCH = 1000, 200, 20_000
# SQLite queues nobody: a writer that finds the lock taken sleeps and tries again (after 1, 2,
# 5, 10 ms … then at most 25 ms apart until 128 ms, then 50 and 100 ms apart). Back-to-back
# import transactions would leave it missing the gaps; a gap this long after each one lets it
# in within about one transaction (decision 0007).
YIELD_SECONDS = 0.03
SQLITE_IMPORT_CACHE_KIB = 512 * 1024
PARALLEL_BYTES = 2_000_000  # about 20,000 rows: below this, worker processes cost more
SNAPSHOT_REMOVAL_REASON = "全量名单中已不再包含"
HEARTBEAT = dt.timedelta(minutes=1)  # a staged import with nothing to write still says it lives
SWITCH_ATTEMPTS = 5
ABANDONED = "导入中断（长时间没有进展，进程可能已退出），暂存的记录已清除，名单未作任何更改"
LOST = (
    "导入中断：本次导入长时间没有进展，已被其他导入作为中断的导入清除，名单未作任何更改，请重新导入"
)

Progress = Callable[[int], None]
log = logging.getLogger(__name__)


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
            f"名单日期 {imp.as_of.isoformat()}，名单版本 {imp.version}）：共 {imp.rows_total} 行，"
            f"新增 {imp.added}，移出 {imp.removed}，未变 {imp.unchanged}"
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
    (an error of ours, not of the file, or an interruption: it is re-raised after the staged
    rows are cleared and the record is written). ``progress`` is called between batches,
    when the import holds no lock.
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
    except BaseException as exc:  # an interruption (Ctrl-C) too: clear what was staged
        if isinstance(exc, Exception):
            reason = f"导入失败（{type(exc).__name__}），名单未作任何更改，请联系系统管理员"
        else:
            reason = "导入被中断，名单未作任何更改"
        try:
            attempt.record(ImportStatus.FAILED, errors=[Problem("", reason).as_dict()])
        except Exception as cleanup:  # left staged: the next import clears it once abandoned
            log.warning("staged import not cleared (%s)", type(cleanup).__name__)
        raise


class _Lost(Exception):
    """Another process took this staged import over as abandoned (and clears it)."""


class _Pacer:
    """Sizes and spaces an import's transactions so that others get SQLite's write lock
    between them: each is meant to last about TRANSACTION_SECONDS, and at least
    YIELD_SECONDS pass between two (the work in between usually fills most of the gap; the
    rest is slept). On PostgreSQL writers of other rows do not wait: no gap is kept."""

    def __init__(self):
        self.sqlite = connection.vendor == "sqlite"
        self.last = 0.0
        self.size = FIRST_BATCH  # rows for the next transaction

    @contextmanager
    def transaction(self, rows: int = 0):
        if self.sqlite and (wait := self.last + YIELD_SECONDS - time.monotonic()) > 0:
            time.sleep(wait)
        started = time.monotonic()
        try:
            with transaction.atomic():
                yield
        finally:
            self.last = time.monotonic()
        if rows:
            per_second = rows / max(self.last - started, 1e-3)
            self.size = int(min(LARGEST_BATCH, max(SMALLEST_BATCH,
                                                   per_second * TRANSACTION_SECONDS)))  # fmt: skip


def _hold(import_id: int, owner: str) -> None:
    """Inside a staging transaction: this process still holds the import; say it lives."""
    held = ListImport.objects.filter(pk=import_id, status=ImportStatus.STAGING, owner=owner)
    if not held.update(touched_at=clock.now()):
        raise _Lost


def _clear_staged(imp: ListImport, owner: str) -> None:
    """Delete the entries a staged import wrote and undo its removals, a batch at a time.

    Its entries all have ids above ``entry_floor`` (ids only grow), so the primary key finds
    them; its removals are found by the partial index of removed entries."""
    table = connection.ops.quote_name(ListEntry._meta.db_table)
    steps = (
        (f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} "  # noqa: S608 - fixed SQL
         "WHERE id > %s AND created_by_import_id = %s LIMIT %s)",
         [imp.entry_floor or 0, imp.pk, CLEAR_BATCH]),
        (f"UPDATE {table} SET removed_on = NULL, removal_reason = '', "  # noqa: S608
         f"removed_by_import_id = NULL WHERE id IN (SELECT id FROM {table} "
         "WHERE removed_by_import_id = %s LIMIT %s)", [imp.pk, CLEAR_BATCH]),
    )  # fmt: skip
    pacer = _Pacer()
    for sql, params in steps:
        done = CLEAR_BATCH
        while done == CLEAR_BATCH:
            with pacer.transaction(), connection.cursor() as cursor:
                _hold(imp.pk, owner)
                cursor.execute(sql, params)
                done = cursor.rowcount


def _close(imp: ListImport, owner: str, status: str, **fields) -> None:
    """A cleared staged import's record says how it ended."""
    with transaction.atomic():
        _hold(imp.pk, owner)
        ListImport.objects.filter(pk=imp.pk).update(
            status=status, owner="", finished_at=clock.now(), **fields
        )


def clear_abandoned() -> int:
    """Clear imports staged by a process that stopped: no progress for
    GONGXIN_IMPORT_STALE_MINUTES. Returns how many were cleared."""
    cutoff = clock.now() - dt.timedelta(minutes=settings.GONGXIN_IMPORT_STALE_MINUTES)
    cleared = 0
    for imp in ListImport.objects.filter(status=ImportStatus.STAGING, touched_at__lt=cutoff):
        owner = secrets.token_hex(16)
        with transaction.atomic():
            taken = ListImport.objects.filter(
                pk=imp.pk, status=ImportStatus.STAGING, touched_at__lt=cutoff
            ).update(owner=owner, touched_at=clock.now())
        if not taken:
            continue  # its owner woke up, or another process took it
        try:
            _clear_staged(imp, owner)
            _close(imp, owner, ImportStatus.FAILED, errors=[Problem("", ABANDONED).as_dict()])
        except _Lost:
            continue
        cleared += 1
    return cleared


class _Attempt:
    """One import attempt: what it is (for the record) and how it ends."""

    def __init__(self, path: Path, source, mode: str, as_of: dt.date, imported_by: str):
        self.path, self.source, self.mode, self.as_of = path, source, mode, as_of
        self.started = clock.now()
        self.sha = file_sha256(path)
        self.owner = secrets.token_hex(16)
        self.staged: ListImport | None = None
        self.fields = dict(
            source=source, file_name=path.name[:255], sha256=self.sha, mode=mode, as_of=as_of,
            imported_by=imported_by, started_at=self.started,
        )  # fmt: skip

    def record(self, status: str, **fields) -> ListImport:
        """How the attempt ended. A staged import's rows are cleared first, then its own
        record says so; an attempt that staged nothing gets a record of its own."""
        if self.staged is None:
            return ListImport.objects.create(
                **self.fields, status=status, finished_at=clock.now(), **fields
            )
        imp, self.staged = self.staged, None
        _clear_staged(imp, self.owner)
        _close(imp, self.owner, status, **fields)
        imp.refresh_from_db()
        return imp

    def refuse(self, message: str, errors: list[Problem], rows_total: int = 0):
        try:
            imp = self.record(ImportStatus.REJECTED, rows_total=rows_total,
                              errors=[e.as_dict() for e in errors[:MAX_STORED_ERRORS]])  # fmt: skip
        except _Lost:
            raise ImportRefused(LOST, errors) from None
        raise ImportRefused(message, errors, imp)

    def duplicate(self, earlier: ListImport) -> ImportResult:
        return ImportResult(self.record(ImportStatus.DUPLICATE), duplicate_of=earlier)

    def run(self, progress) -> ImportResult:
        source, mode, as_of, sha = self.source, self.mode, self.as_of, self.sha
        if as_of > clock.today():
            self.refuse(f"名单日期 {as_of} 晚于今天，整个文件未导入", [])
        # Cheap checks first, so a repeated or stale file is answered before it is parsed;
        # they are repeated when the import is staged, where they are authoritative.
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
        clear_abandoned()
        try:
            self.staged = self._stage()
        except _Duplicate as exc:
            return self.duplicate(exc.earlier)
        writer = _Writer(source, self.staged, self.owner, mode, as_of, progress)
        try:
            ctx = pipeline.Context(
                validator=validator, ring=checked_keyring(), hashers=writer.hashers,
                active_keys=frozenset(writer.active), source_id=source.pk,
                import_id=self.staged.pk,
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
            imp = writer.switch()
            self.staged = None
            return ImportResult(imp)
        except FileFormatError as exc:
            self.refuse(exc.reason, [], writer.rows_total)
        except ImportRefused as exc:
            message = exc.message or (
                f"文件中有 {len(exc.errors)} 处错误，整个文件未导入，名单未作任何更改"
            )
            self.refuse(message, exc.errors, writer.rows_total)
        except _Lost:
            self.staged = None  # the process that took it over clears it and records why
            raise ImportRefused(LOST) from None
        finally:
            writer.cursor.close()  # also when the file is refused or writing fails

    def _stage(self) -> ListImport:
        """The import's record, staged: from here on its rows may be written."""
        try:
            with transaction.atomic():
                # One import per source at a time (the unique constraint on staged imports);
                # the row lock makes the second wait for the first's checks on PostgreSQL.
                ListSource.objects.select_for_update().get(pk=self.source.pk)
                if earlier := _earlier_import(self.source, self.sha):
                    raise _Duplicate(earlier)
                if stale := _stale_snapshot(self.source, self.mode, self.as_of):
                    raise ImportRefused(stale)
                floor = ListEntry.objects.aggregate(m=Max("id"))["m"] or 0
                return ListImport.objects.create(
                    **self.fields, status=ImportStatus.STAGING, finished_at=self.started,
                    owner=self.owner, touched_at=clock.now(), entry_floor=floor,
                )  # fmt: skip
        except ImportRefused as exc:
            self.refuse(exc.message, [])
        except IntegrityError:
            busy = ListImport.objects.filter(source=self.source, status=ImportStatus.STAGING)
            self.refuse(_busy_message(busy.first()), [])


def _busy_message(busy: ListImport | None) -> str:
    what = ""
    if busy is not None:
        what = f"（批次 #{busy.pk}，{clock.local(busy.started_at):%Y-%m-%d %H:%M} 开始）"
    return (
        f"该名单来源正在导入另一个文件{what}，整个文件未导入，名单未作任何更改；请待其完成后再导入"
    )


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
    """Plans each prepared row against the active entries and stages it as it goes.

    Each chunk's new rows are written in a transaction of their own; removals are staged in
    batches after the last chunk, and ``switch`` turns the whole import on at once. The first
    error stops writing; the rest of the file is still checked so the report is complete.
    """

    def __init__(self, source, imp, owner, mode, as_of, progress):
        self.imp, self.owner, self.mode, self.progress = imp, owner, mode, progress
        self.as_of = as_of.isoformat()
        # Read once, before anything is staged: no other import of this source can be staged
        # meanwhile, so these are the entries the import's version starts from.
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
        self.removals: list[tuple[int, str, str]] = []  # entry id, ISO date, reason
        self.inserts: list[tuple] = []  # current listings, not yet written
        self.closed_inserts: list[tuple] = []  # rows that also carry removal details
        self.pacer = _Pacer()
        self.errors: list[Problem] = []
        self.rows_total = self.added = self.unchanged = 0
        self.touched = clock.now()
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
            if len(self.inserts) + len(self.closed_inserts) >= self.pacer.size:
                self._stage_rows()
        if clock.now() - self.touched > HEARTBEAT:
            self._stage_rows()  # nothing new to write for a while: say the import lives
        if self.progress:
            self.progress(records)

    def _stage_rows(self) -> None:
        """The rows gathered so far, in one short transaction (about pacer.size)."""
        with self.pacer.transaction(len(self.inserts) + len(self.closed_inserts)):
            _hold(self.imp.pk, self.owner)
            for sql, batch in ((self.insert_sql, self.inserts),
                               (self.closed_insert_sql, self.closed_inserts)):  # fmt: skip
                if batch:
                    self.cursor.executemany(sql, batch)
                    self.added += len(batch)
        self.inserts, self.closed_inserts = [], []
        self.touched = clock.now()

    def _report_duplicates(self, base, offsets, own_keys) -> None:
        for offset, key in zip(offsets, own_keys, strict=True):
            number = base + offset
            first = self.first_row.setdefault(key, number)
            if first != number:
                self.errors.append(Problem("姓名或名称", f"与第{first}行重复", number))

    def _remove(self, entry_id: int, day: str, reason: str) -> None:
        self.removals.append((entry_id, day, reason or "移出"))
        self.seen.add(entry_id)

    def finish(self) -> None:
        """After the last chunk: stage the removals, a batch per transaction."""
        if self.rows_total == 0 and not self.errors:
            self.errors.append(Problem("", "文件中没有数据行", 2))
        if self.errors:
            return
        if self.inserts or self.closed_inserts:
            self._stage_rows()
            if self.progress:
                self.progress(0)
        if self.mode == ImportMode.SNAPSHOT:
            self.removals.extend(
                (entry_id, self.as_of, SNAPSHOT_REMOVAL_REASON)
                for entry_id in self.active.values()
                if entry_id not in self.seen
            )
        start = 0
        while start < len(self.removals):
            batch = self.removals[start : start + self.pacer.size]
            with self.pacer.transaction(len(batch)):
                _hold(self.imp.pk, self.owner)
                _remove(self.cursor, self.imp.pk, batch)
            start += len(batch)
            if self.progress:
                self.progress(0)

    def switch(self) -> ListImport:
        """Turn the staged import on: one short transaction gives it the next list version.

        On PostgreSQL two sources' imports may take the same number at once: the unique
        version refuses the second, which takes the next one."""
        imp = self.imp
        for attempt in range(SWITCH_ATTEMPTS):
            try:
                with self.pacer.transaction():
                    _hold(imp.pk, self.owner)
                    for layout in sorted(self.layouts):
                        MaskLayout.objects.get_or_create(layout=layout)
                    latest = ListImport.objects.aggregate(v=Max("version"))["v"] or 0
                    ListImport.objects.filter(pk=imp.pk).update(
                        status=ImportStatus.DONE, version=latest + 1, owner="",
                        rows_total=self.rows_total, added=self.added,
                        removed=len(self.removals), unchanged=self.unchanged,
                        finished_at=clock.now(),
                    )  # fmt: skip
                break
            except IntegrityError:
                if attempt == SWITCH_ATTEMPTS - 1:
                    raise
        imp.refresh_from_db()
        return imp


def _insert_sql(columns: tuple[str, ...]) -> str:
    qn = connection.ops.quote_name
    return "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - fixed identifiers
        qn(ListEntry._meta.db_table),
        ", ".join(qn(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )


def _remove(cursor, import_id: int, removals: list[tuple[int, str, str]]) -> None:
    """Close entries: set removed_on once; an already removed entry is never re-opened."""
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(ListEntry._meta.db_table)} SET removed_on = %s, removal_reason = %s, "  # noqa: S608
        "removed_by_import_id = %s WHERE id = %s AND removed_on IS NULL"
    )
    cursor.executemany(
        sql, [(day, reason[:200], import_id, entry_id) for entry_id, day, reason in removals]
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
