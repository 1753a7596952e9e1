"""Writing a list import as a staged import (decision 0009): its rows and removals in short,
spaced transactions under an import record nobody screens against; the switch that turns it
on in one; and the clearing of what an import that did not finish left behind.

Every transaction here first proves that this process still holds the import (``hold``): a
process that was taken for abandoned and cleared by another stops instead of writing on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q

from gongxin.core import clock
from gongxin.platform.errors import Problem
from gongxin.platform.sealed import checked_keyring
from gongxin.platform.trail import record
from gongxin.registry import bulk
from gongxin.registry.choices import DeltaAction, ImportMode, ImportStatus
from gongxin.registry.files import FIRST_ROW
from gongxin.registry.models import ListEntry, ListImport, MaskLayout

CLEAR_BATCH = 2000  # staged rows deleted (or removals undone) per transaction
# Each staging transaction is sized to hold SQLite's write lock for about this long: the batch
# grows or shrinks with the rows per second the previous ones achieved (load, disk, cache).
TRANSACTION_SECONDS = 0.1
FIRST_BATCH, SMALLEST_BATCH, LARGEST_BATCH = 1000, 200, 20_000
# SQLite queues nobody: a writer that finds the lock taken sleeps and tries again (after 1, 2,
# 5, 10 ms … then at most 25 ms apart until 128 ms, then 50 and 100 ms apart). Back-to-back
# import transactions would leave it missing the gaps; a gap this long after each one lets it
# in within about one transaction (decision 0009).
YIELD_SECONDS = 0.03
SQLITE_IMPORT_CACHE_KIB = 512 * 1024
SNAPSHOT_REMOVAL_REASON = "全量名单中已不再包含"
HEARTBEAT = dt.timedelta(minutes=1)  # a staged import with nothing to write still says it lives
SWITCH_ATTEMPTS = 5
ABANDONED = "导入中断（长时间没有进展，进程可能已退出），暂存的记录已清除，名单未作任何更改"
RETRIED = "导入中断（后台任务程序中止后重试本任务），暂存的记录已清除，名单未作任何更改"
LOST = (
    "导入中断：本次导入长时间没有进展，已被其他导入作为中断的导入清除，名单未作任何更改，请重新导入"
)


class Lost(Exception):
    """Another process took this staged import over as abandoned (and clears it)."""


class Pacer:
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


def hold(import_id: int, owner: str, **progress: int) -> None:
    """Inside a staging transaction: this process still holds the import; say it lives, and
    how far it got (``rows_total`` read, ``added``, ``removed`` so far: what a progress
    display reads from the record while the import is staged)."""
    held = ListImport.objects.filter(pk=import_id, status=ImportStatus.STAGING, owner=owner)
    if not held.update(touched_at=clock.now(), **progress):
        raise Lost


def clear_staged(imp: ListImport, owner: str) -> None:
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
    pacer = Pacer()
    for sql, params in steps:
        done = CLEAR_BATCH
        while done == CLEAR_BATCH:
            with pacer.transaction(), connection.cursor() as cursor:
                hold(imp.pk, owner)
                cursor.execute(sql, params)
                done = cursor.rowcount


def recorded(imp: ListImport) -> None:
    """The trail's one event for a list import attempt, however it ended (inside the
    transaction that writes its outcome). No cell text: counts, the file's digest, the source."""
    outcome = {ImportStatus.DONE: "ok", ImportStatus.DUPLICATE: "ok",
               ImportStatus.REJECTED: "refused"}.get(imp.status, "failed")  # fmt: skip
    record(imp.imported_by, "lists.import", imp, outcome=outcome, source=imp.source.code,
           status=imp.status, mode=imp.mode, version=imp.version, rows=imp.rows_total,
           added=imp.added, removed=imp.removed, sha256=imp.sha256)  # fmt: skip


def close(imp: ListImport, owner: str, status: str, **fields) -> None:
    """A cleared staged import's record says how it ended."""
    with transaction.atomic():
        hold(imp.pk, owner)
        ListImport.objects.filter(pk=imp.pk).update(
            status=status, owner="", finished_at=clock.now(), **fields
        )


def job_owner(job_key: str) -> str:
    """The first half of the owner token of every import a background task stages: a retry
    of the task knows the imports its earlier run left (registry.jobs)."""
    return hashlib.sha256(job_key.encode()).hexdigest()[:16]


def clear_abandoned(job: str = "") -> int:
    """Clear imports staged by a process that stopped: no progress for
    GONGXIN_IMPORT_STALE_MINUTES, or, for a retried background task (``job``, its
    job_owner), any import its earlier run staged: the task queue knows that run is over (and
    were it only suspended, it stops on waking, as a process taken over does). Returns how
    many were cleared."""
    cutoff = clock.now() - dt.timedelta(minutes=settings.GONGXIN_IMPORT_STALE_MINUTES)
    left = Q(touched_at__lt=cutoff) | Q(owner__startswith=job) if job else Q(touched_at__lt=cutoff)
    cleared = 0
    for imp in ListImport.objects.filter(left, status=ImportStatus.STAGING):
        owner = secrets.token_hex(16)
        with transaction.atomic():
            taken = ListImport.objects.filter(left, pk=imp.pk, status=ImportStatus.STAGING).update(
                owner=owner, touched_at=clock.now()
            )
        if not taken:
            continue  # its owner woke up, or another process took it
        reason = ABANDONED if imp.touched_at and imp.touched_at < cutoff else RETRIED
        try:
            clear_staged(imp, owner)
            close(imp, owner, ImportStatus.FAILED, errors=[Problem("", reason).as_dict()])
        except Lost:
            continue
        cleared += 1
    return cleared


class Writer:
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
        self.pacer = Pacer()
        self.errors: list[Problem] = []
        self.rows_total = self.added = self.unchanged = 0
        self.touched = clock.now()
        self.cursor = connection.cursor()
        if connection.vendor == "sqlite":
            # Inserts land at random places in the blind-index B-tree: keep it in memory.
            self.cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")

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
            written = self.added + len(self.inserts) + len(self.closed_inserts)
            hold(self.imp.pk, self.owner, rows_total=self.rows_total, added=written)
            bulk.write_rows(self.cursor, self.inserts, self.closed_inserts)
            self.added += len(self.inserts) + len(self.closed_inserts)
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
                hold(self.imp.pk, self.owner, removed=start + len(batch))
                bulk.write_removals(self.cursor, self.imp.pk, batch)
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
                    hold(imp.pk, self.owner)
                    for layout in sorted(self.layouts):
                        MaskLayout.objects.get_or_create(layout=layout)
                    latest = ListImport.objects.aggregate(v=Max("version"))["v"] or 0
                    ListImport.objects.filter(pk=imp.pk).update(
                        status=ImportStatus.DONE, version=latest + 1, owner="",
                        rows_total=self.rows_total, added=self.added,
                        removed=len(self.removals), unchanged=self.unchanged,
                        finished_at=clock.now(),
                    )  # fmt: skip
                    imp.refresh_from_db()
                    recorded(imp)  # in the switch's transaction: no version without its event
                break
            except IntegrityError:
                if attempt == SWITCH_ATTEMPTS - 1:
                    raise
        imp.refresh_from_db()
        bulk.after_switch(imp.added + imp.removed)
        return imp
