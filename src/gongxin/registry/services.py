"""List imports: the only way entries are created or removed.

An import validates the whole file before it touches the database, then applies it in one
transaction: a bad row, a failure or an interruption leaves the previous list exactly as it was
(and, with SQLite in WAL mode or PostgreSQL, screenable throughout).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from gongxin.registry import keys
from gongxin.registry.choices import DeltaAction, ImportMode, ImportStatus, SubjectKind
from gongxin.registry.files import FileFormatError, open_table
from gongxin.registry.models import ListEntry, ListImport, ListSource
from gongxin.registry.rows import PreparedRow, RowError, RowValidator

MAX_STORED_ERRORS = 1000
WRITE_BATCH = 5000
SNAPSHOT_REMOVAL_REASON = "全量名单中已不再包含"

Progress = Callable[[int], None]


class ImportRefused(Exception):
    """The file was refused as a whole; nothing changed. ``errors`` name row, column, reason."""

    def __init__(
        self,
        message: str,
        errors: list[RowError] | None = None,
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
                f"该文件已于{timezone.localtime(dup.finished_at):%Y-%m-%d %H:%M}导入"
                f"（批次 #{dup.pk}），本次未作任何更改"
            )
        return (
            f"导入完成（批次 #{imp.pk}，{imp.source.name}，{imp.get_mode_display()}，"
            f"名单日期 {imp.as_of.isoformat()}）：共 {imp.rows_total} 行，新增 {imp.added}，"
            f"移出 {imp.removed}，未变 {imp.unchanged}"
        )


@dataclass
class _Plan:
    inserts: list[PreparedRow] = field(default_factory=list)
    removals: list[tuple[int, dt.date, str]] = field(default_factory=list)  # entry id, date, reason
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


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
    """Import a list file for one source; raise ImportRefused (nothing changed) on any error."""
    path = Path(path)
    started = timezone.now()
    as_of = as_of or timezone.localdate()
    source = get_source(source_code)
    if mode not in ImportMode.values:
        raise ImportRefused(f"未知的导入方式「{mode}」（应为 snapshot 或 delta）")
    sha = file_sha256(path)
    record = dict(
        source=source,
        file_name=path.name[:255],
        sha256=sha,
        mode=mode,
        as_of=as_of,
        imported_by=imported_by,
        started_at=started,
    )

    earlier = ListImport.objects.filter(source=source, sha256=sha, status=ImportStatus.DONE).first()
    if earlier is not None:
        imp = ListImport.objects.create(
            **record, status=ImportStatus.DUPLICATE, finished_at=timezone.now()
        )
        return ImportResult(imp, duplicate_of=earlier)

    def refuse(message: str, errors: list[RowError], rows_total: int = 0):
        imp = ListImport.objects.create(
            **record,
            status=ImportStatus.REJECTED,
            rows_total=rows_total,
            errors=[e.as_dict() for e in errors[:MAX_STORED_ERRORS]],
            finished_at=timezone.now(),
        )
        raise ImportRefused(message, errors, imp)

    if mode == ImportMode.SNAPSHOT:
        latest = ListImport.objects.filter(source=source, status=ImportStatus.DONE).aggregate(
            m=Max("as_of")
        )["m"]
        if latest and as_of < latest:
            refuse(
                f"全量名单日期 {as_of} 早于该来源已导入的最新名单日期 {latest}，"
                "导入后会改变已导入的历史，已拒绝",
                [],
            )

    try:
        rows, errors = _validate(path, source, mode, as_of, progress)
    except FileFormatError as exc:
        refuse(exc.reason, [])
    if errors:
        refuse(
            f"文件中有 {len(errors)} 处错误，整个文件未导入，名单未作任何更改", errors, len(rows)
        )

    try:
        with transaction.atomic():
            imp = ListImport.objects.create(
                **record, status=ImportStatus.DONE, rows_total=len(rows), finished_at=started
            )
            plan = _plan(source, mode, as_of, rows)
            if plan.errors:
                raise ImportRefused("", plan.errors)
            _insert(source, imp, plan.inserts, progress)
            _remove(imp, plan.removals)
            imp.added = len(plan.inserts)
            imp.removed = len(plan.removals)
            imp.unchanged = plan.unchanged
            imp.finished_at = timezone.now()
            imp.save(update_fields=["added", "removed", "unchanged", "finished_at"])
    except ImportRefused as exc:
        refuse(
            f"文件中有 {len(exc.errors)} 处错误，整个文件未导入，名单未作任何更改",
            exc.errors,
            len(rows),
        )
    return ImportResult(imp)


def _validate(path, source, mode, as_of, progress) -> tuple[list[PreparedRow], list[RowError]]:
    table = open_table(path)
    validator = RowValidator(
        table.headers, source_code=source.code, source_name=source.name, mode=mode, as_of=as_of
    )
    if validator.header_errors:
        return [], validator.header_errors
    rows: list[PreparedRow] = []
    errors: list[RowError] = []
    first_row_of: dict[str, int] = {}
    for count, (number, cells) in enumerate(table.rows, start=1):
        row, row_errors = validator.prepare(number, cells)
        if row_errors:
            errors.extend(row_errors)
        else:
            dup = first_row_of.setdefault(row.material, number)
            if dup != number:
                errors.append(RowError(number, "姓名或名称", f"与第{dup}行重复"))
            else:
                rows.append(row)
        if progress and count % 10000 == 0:
            progress(10000)
    if not rows and not errors:
        errors.append(RowError(2, "", "文件中没有数据行"))
    return rows, errors


def _plan(source, mode, as_of, rows) -> _Plan:
    """Decide what each row changes against the entries active now (inside the transaction)."""
    # One import per source at a time: the row lock serialises them on PostgreSQL (SQLite's
    # IMMEDIATE transactions already do), so the plan below cannot go stale before it is applied.
    ListSource.objects.select_for_update().get(pk=source.pk)
    active_entries = ListEntry.objects.filter(source=source, removed_on__isnull=True)
    active = {
        bytes(k): v
        for k, v in active_entries.values_list("entry_key", "id").iterator(chunk_size=20000)
    }
    # Entry keys are keyed hashes: compare under every key that active entries were written
    # with (normally one; two after an interrupted rotation).
    ring = keys.keyring()
    key_ids = sorted(set(active_entries.values_list("key_id", flat=True).distinct()))
    hashers = [ring.get(k).blind_index for k in key_ids]
    plan = _Plan()
    seen: set[int] = set()
    for row in rows:
        entry_id = next(
            (e for e in (active.get(h(row.material, keys.ENTRY_KEY)) for h in hashers) if e),
            None,
        )
        if row.action == DeltaAction.REMOVE:
            if entry_id is None:
                plan.errors.append(
                    RowError(row.row, "操作", "名单中没有与此行一致的现行记录，无法移出")
                )
            else:
                plan.removals.append(
                    (entry_id, row.removed_on or as_of, row.removal_reason or "移出")
                )
                seen.add(entry_id)
        elif entry_id is None:
            plan.inserts.append(row)
        elif row.removed_on is not None:
            plan.removals.append((entry_id, row.removed_on, row.removal_reason or "移出"))
            seen.add(entry_id)
        else:
            plan.unchanged += 1
            seen.add(entry_id)
    if mode == ImportMode.SNAPSHOT:
        plan.removals.extend(
            (entry_id, as_of, SNAPSHOT_REMOVAL_REASON)
            for entry_id in active.values()
            if entry_id not in seen
        )
    return plan


_INSERT_COLUMNS = (
    "source_id",
    "subject_kind",
    "name_cipher",
    "name_index",
    "id_cipher",
    "id_index",
    "id_masked",
    "entry_key",
    "authority",
    "basis_document",
    "case_number",
    "listed_on",
    "planned_end",
    "removed_on",
    "removal_reason",
    "created_by_import_id",
    "removed_by_import_id",
    "key_id",
)


def _entry_values(ring, source_id: int, import_id: int, r: PreparedRow, adapt) -> tuple:
    person = r.kind == SubjectKind.PERSON
    id_ctx = keys.PERSON_ID if person else keys.ORG_ID
    name_ctx = keys.PERSON_NAME if person else keys.ORG_NAME
    active = ring.active
    return (
        source_id,
        r.kind,
        active.encrypt(r.name, keys.ENTRY_NAME),
        active.blind_index(r.name, name_ctx),
        active.encrypt(r.ident, keys.ENTRY_ID),
        None if r.masked else active.blind_index(r.ident, id_ctx),
        r.masked,
        active.blind_index(r.material, keys.ENTRY_KEY),
        r.authority,
        r.basis_document,
        r.case_number,
        adapt(r.listed_on),
        adapt(r.planned_end),
        adapt(r.removed_on),
        r.removal_reason,
        import_id,
        import_id if r.removed_on else None,
        active.id,
    )


def _insert(source, imp, rows: list[PreparedRow], progress) -> None:
    """Encrypt, index and write new entries in batches with plain executemany (no ORM objects)."""
    ring = keys.keyring()
    adapt = connection.ops.adapt_datefield_value
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - fixed identifiers
        qn(ListEntry._meta.db_table),
        ", ".join(qn(c) for c in _INSERT_COLUMNS),
        ", ".join(["%s"] * len(_INSERT_COLUMNS)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), WRITE_BATCH):
            batch = rows[start : start + WRITE_BATCH]
            cursor.executemany(
                sql, [_entry_values(ring, source.pk, imp.pk, r, adapt) for r in batch]
            )
            if progress:
                progress(len(batch))


def _remove(imp, removals: list[tuple[int, dt.date, str]]) -> None:
    """Close entries: set removed_on once; an already removed entry is never re-opened."""
    adapt = connection.ops.adapt_datefield_value
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
                    (adapt(day), reason[:200], imp.pk, entry_id)
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
    if ListSource.objects.filter(Q(code=code) | Q(name=name)).exists():
        raise ImportRefused(f"名单来源「{code}」或「{name}」已存在")
    return ListSource.objects.create(
        code=code, name=name, publisher=publisher, legal_basis=legal_basis
    )
