"""Purging the trail after the retention period, keeping what is left verifiable (record 0006).

Events are kept at least ``GONGXIN_AUDIT_RETENTION_DAYS`` (default and least 180 days: 网络安全法
第二十一条 asks network logs be kept no less than six months; docs/retention.md). A purge
removes a prefix of the chain — every event up to the last one before
the chosen day — and leaves an anchor: the last removed event's place and digest, which the
first kept event links to. In order:

1. the chain is verified, and a checkpoint of the boundary (place and digest, with a MAC) is
   written to the file the operator names, before anything is removed;
2. in one transaction that holds the chain head (so no event is written meanwhile): the
   database's purge permit is given, the events removed, the permit taken back, the anchor
   stored and an ``audit.purge`` event chained that states the same place and digest.

The permit row is never visible outside that transaction (it is removed before the commit), so
nothing else can delete events while it exists. ``verify`` then walks from the anchor, checks
that the chained purge event vouches for it, and, given the checkpoint, that the anchor is the
boundary the checkpoint recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from gongxin.audit.integrity import PURGE_ACTION, verify, write_checkpoint
from gongxin.audit.models import AuditEvent, ChainHead, PurgeAnchor
from gongxin.audit.services import record
from gongxin.core import clock

RETENTION_FLOOR_DAYS = 180


class PurgeRefused(ValueError):
    """A purge that may not run (Chinese, for the operator); nothing was written or removed."""


@dataclass(frozen=True)
class Purged:
    removed: int
    seq: int  # the boundary: the last event removed
    digest: str
    before: dt.date


def retention_days() -> int:
    """The configured retention, refused below the legal floor rather than silently raised."""
    days = settings.GONGXIN_AUDIT_RETENTION_DAYS
    if days < RETENTION_FLOOR_DAYS:
        raise PurgeRefused(
            f"留痕保存期限 GONGXIN_AUDIT_RETENTION_DAYS 设为 {days} 天，低于最低 "
            f"{RETENTION_FLOOR_DAYS} 天（网络日志留存不少于六个月），不能清除；请改正设置"
        )
    return days


def cutoff(before: dt.date | None = None, keep_days: int | None = None) -> dt.date:
    """The first day kept: ``before`` as given, or ``keep_days`` before today. Refused when it
    would remove anything younger than the retention."""
    retention = retention_days()
    today = clock.today()
    if keep_days is not None:
        if keep_days < retention:
            raise PurgeRefused(f"保留天数 {keep_days} 少于留痕保存期限 {retention} 天，不能清除")
        before = today - dt.timedelta(days=keep_days)
    if before is None:
        raise PurgeRefused("请用 --before 日期 或 --keep-days 天数 指明清除哪一天以前的记录")
    latest = today - dt.timedelta(days=retention)
    if before > latest:
        raise PurgeRefused(
            f"{before.isoformat()} 以前的记录有的未满 {retention} 天保存期限：今天最多清除 "
            f"{latest.isoformat()} 以前的记录"
        )
    return before


def boundary(before: dt.date) -> tuple[int, str] | None:
    """The last event of the prefix older than ``before`` (place, digest): everything up to the
    first event of that day or later. None when there is nothing (more) to remove."""
    events = AuditEvent.objects.all()
    first_kept = (events.filter(at__gte=clock.start_of(before)).order_by("seq")
                  .values_list("seq", flat=True).first())  # fmt: skip
    if first_kept is not None:
        events = events.filter(seq__lt=first_kept)
    return events.order_by("-seq").values_list("seq", "digest").first()


def purge(checkpoint: Path, before: dt.date) -> Purged:
    """Remove the events before ``before`` (a day already past the retention: see ``cutoff``),
    writing the boundary's checkpoint to ``checkpoint`` first."""
    if checkpoint.exists():
        raise PurgeRefused(f"{checkpoint} 已存在：请另选检查点文件名，以免覆盖以前的检查点")
    found = boundary(before)
    if found is None:
        raise PurgeRefused(f"没有 {before.isoformat()} 以前的留痕记录可清除")
    seq, digest = found
    verdict = verify()
    if not verdict.ok:
        raise PurgeRefused(verdict.describe() + "，不能清除：请先查明原因")
    write_checkpoint(checkpoint, at=(seq, digest))  # kept elsewhere before anything goes
    with transaction.atomic():
        ChainHead.objects.select_for_update().filter(pk=1).first()  # writers wait for the commit
        anchor = PurgeAnchor.current()
        if anchor is not None and anchor.seq >= seq:
            raise PurgeRefused("另一次清除已先完成，请重新运行")
        removed = _remove_through(seq)
        PurgeAnchor.objects.create(seq=seq, digest=digest, before=clock.start_of(before),
                                   removed=removed)  # fmt: skip
        record("system", PURGE_ACTION, ref=("PurgeAnchor", seq), removed=removed, boundary=seq,
               digest=digest, before=before.isoformat())  # fmt: skip
    return Purged(removed, seq, digest, before)


def _remove_through(seq: int) -> int:
    """Delete events up to ``seq`` under the database's purge permit, given and taken back
    inside the caller's transaction."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        try:
            cursor.execute("INSERT INTO audit_purge_permit (id) VALUES (1)")
        except IntegrityError:
            raise PurgeRefused("清除许可已被占用：另一次清除正在进行") from None
        cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [seq])  # noqa: S608 - our table
        removed = cursor.rowcount
        cursor.execute("DELETE FROM audit_purge_permit")
    return removed
