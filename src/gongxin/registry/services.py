"""List imports: the only way entries are created or removed.

An import is *staged* (gongxin.registry.staging): its rows and removals are written a batch at
a time, each batch in a short transaction of its own, under an import record that screening
does not see; when the whole file is good it is switched on in one short transaction that gives
it the next list version (decision 0009). Nobody waits for an import longer than one batch. A
bad row, a failure or an interruption leaves the previous version in force: the staged rows are
deleted again, by this process or, after a crash, by the next import once the staged one has
made no progress for GONGXIN_IMPORT_STALE_MINUTES. This module runs one attempt and records
how it ended.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from gongxin.core import clock
from gongxin.core.text import InvalidText, clean
from gongxin.platform.errors import Problem
from gongxin.platform.sealed import checked_keyring
from gongxin.registry import pipeline
from gongxin.registry.choices import ImportMode, ImportStatus
from gongxin.registry.files import FileFormatError, Limits, open_table
from gongxin.registry.models import ListEntry, ListImport, ListSource
from gongxin.registry.rows import RowValidator
from gongxin.registry.staging import (
    LOST,
    Lost,
    Writer,
    clear_abandoned,
    clear_staged,
    close,
    job_owner,
    recorded,
)

MAX_STORED_ERRORS = 1000
PARALLEL_BYTES = 2_000_000  # about 20,000 rows: below this, worker processes cost more

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
    job_key: str | None = None,
    on_staged: Callable[[ListImport], None] | None = None,
) -> ImportResult:
    """Import a list file for one source; raise ImportRefused (nothing changed) on any error.

    Every attempt is recorded: done, duplicate, refused (with the rows and reasons) or failed
    (an error of ours, not of the file, or an interruption: it is re-raised after the staged
    rows are cleared and the record is written). ``progress`` is called between batches,
    when the import holds no lock.

    ``job_key`` names the background task running the import (registry.jobs), the same on a
    retry: an import it staged and did not finish is cleared at once, not after
    GONGXIN_IMPORT_STALE_MINUTES. ``on_staged`` is told the import's record once it is staged.
    """
    path = Path(path)
    source = get_source(source_code)
    if mode not in ImportMode.values:
        raise ImportRefused(f"未知的导入方式「{mode}」（应为 snapshot 或 delta）")
    if not path.is_file():
        raise ImportRefused(f"文件不存在：{path.name}")
    attempt = _Attempt(path, source, mode, as_of or clock.today(), imported_by, job_key)
    try:
        return attempt.run(progress, on_staged)
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


class _Attempt:
    """One import attempt: what it is (for the record) and how it ends."""

    def __init__(self, path, source, mode: str, as_of: dt.date, imported_by: str, job_key=None):
        self.path, self.source, self.mode, self.as_of = path, source, mode, as_of
        self.started = clock.now()
        self.sha = file_sha256(path)
        self.job = job_owner(job_key) if job_key else ""
        self.owner = self.job + secrets.token_hex(16 - len(self.job) // 2)
        self.staged: ListImport | None = None
        self.fields = dict(
            source=source, file_name=path.name[:255], sha256=self.sha, mode=mode, as_of=as_of,
            imported_by=imported_by, started_at=self.started,
        )  # fmt: skip

    def record(self, status: str, **fields) -> ListImport:
        """How the attempt ended. A staged import's rows are cleared first, then its own
        record says so; an attempt that staged nothing gets a record of its own."""
        if self.staged is None:
            with transaction.atomic():
                imp = ListImport.objects.create(
                    **self.fields, status=status, finished_at=clock.now(), **fields
                )
                recorded(imp)
            return imp
        imp, self.staged = self.staged, None
        clear_staged(imp, self.owner)
        with transaction.atomic():
            close(imp, self.owner, status, **fields)
            imp.refresh_from_db()
            recorded(imp)
        return imp

    def refuse(self, message: str, errors: list[Problem], rows_total: int = 0):
        try:
            imp = self.record(ImportStatus.REJECTED, rows_total=rows_total,
                              errors=[e.as_dict() for e in errors[:MAX_STORED_ERRORS]])  # fmt: skip
        except Lost:
            raise ImportRefused(LOST, errors) from None
        raise ImportRefused(message, errors, imp)

    def duplicate(self, earlier: ListImport) -> ImportResult:
        return ImportResult(self.record(ImportStatus.DUPLICATE), duplicate_of=earlier)

    def run(self, progress, on_staged=None) -> ImportResult:
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
        clear_abandoned(job=self.job)
        try:
            self.staged = self._stage()
        except _Duplicate as exc:
            return self.duplicate(exc.earlier)
        if on_staged:
            on_staged(self.staged)
        writer = Writer(source, self.staged, self.owner, mode, as_of, progress)
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
        except Lost:
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
