"""Append-only audit events, hash-chained with SM3 (gongxin.core.chain; decision record 0006).

The application refuses to change or remove an event (below), and so does the database itself:
triggers on SQLite and PostgreSQL abort any UPDATE or DELETE of an event (migration 0003), and
of a purge anchor (migration 0005). Only a purge after the retention period removes events
(gongxin.audit.purge).
"""

from __future__ import annotations

from django.db import models

from gongxin.core import clock
from gongxin.platform.scope import RestrictedQuerySet


class AppendOnly(ValueError):
    """An attempt to change or remove audit events."""


class AppendOnlyQuerySet(models.QuerySet):
    """No bulk change or removal either: ``update()``, ``delete()`` and ``bulk_update()`` are
    refused, like ``save()`` of an existing row."""

    def update(self, **kwargs):
        raise AppendOnly("audit events are append-only")

    def delete(self):
        raise AppendOnly("audit events are append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnly("audit events are append-only")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnly("audit events are append-only")


class AuditQuerySet(AppendOnlyQuerySet, RestrictedQuerySet):
    """Audit events: append-only, and scoped (the auditor's pages read through restrict)."""


class AuditEvent(models.Model):
    """One thing that happened: who, where, what, to which object, with what outcome.

    Never updated or deleted; details hold no plaintext personal data.
    """

    seq = models.PositiveBigIntegerField("序号", unique=True)
    digest = models.CharField("摘要", max_length=64)
    at = models.DateTimeField("时间", default=clock.now, db_index=True)
    actor = models.CharField("操作人", max_length=150)
    unit_code = models.CharField("单位", max_length=32, blank=True)
    action = models.CharField("事项", max_length=50, db_index=True)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True, db_index=True)
    outcome = models.CharField("结果", max_length=16, default="ok")
    detail = models.JSONField("详情", default=dict, blank=True)
    # The registered workstation (专机) the action came from; empty for the system, the
    # command line and anything before workstations were recorded.
    workstation = models.CharField("专用终端", max_length=120, blank=True, default="")

    objects = models.Manager.from_queryset(AuditQuerySet)()

    # What the digest covers, besides the place in the chain (seq) and the previous digest.
    CHAINED = (
        "at",
        "actor",
        "unit_code",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "detail",
    )
    # Chained only when not empty, so that events written before the field existed keep the
    # digests they were written with (``gongxin audit verify`` passes on them unchanged).
    CHAINED_WHEN_SET = ("workstation",)

    class Meta:
        verbose_name = "留痕记录"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit events are append-only")

    def chained_fields(self) -> dict:
        names = self.CHAINED + self.CHAINED_WHEN_SET
        return self.chained({name: getattr(self, name) for name in names})

    @classmethod
    def chained(cls, fields: dict) -> dict:
        """What the digest covers of ``fields`` (every CHAINED field and CHAINED_WHEN_SET ones
        that hold something)."""
        return {k: v for k, v in fields.items() if k in cls.CHAINED or (v and k in
                cls.CHAINED_WHEN_SET)}  # fmt: skip


class ChainHead(models.Model):
    """The last event's place and digest: one row, locked by each writer of an event for the
    rest of its transaction, which is what puts events in one order (decision record 0006)."""

    seq = models.PositiveBigIntegerField("序号", default=0)
    digest = models.CharField("摘要", max_length=64)

    class Meta:
        verbose_name = "留痕链头"

    def __str__(self) -> str:
        return f"{self.seq} {self.digest}"


class PurgeAnchor(models.Model):
    """A purge after the retention period: the last event it removed (place and digest), which
    the first event kept links to. The latest anchor is where verification starts; it is
    written in the purging transaction beside the chained ``audit.purge`` event that states the
    same place and digest, and the operator keeps a checkpoint of it elsewhere. Never changed
    or removed (the application and the database refuse, like events)."""

    seq = models.PositiveBigIntegerField("清除至序号", unique=True)
    digest = models.CharField("该序号的摘要", max_length=64)
    before = models.DateTimeField("清除此时间以前的记录")
    removed = models.PositiveBigIntegerField("清除条数")
    purged_at = models.DateTimeField("清除时间", default=clock.now)

    objects = models.Manager.from_queryset(AppendOnlyQuerySet)()

    class Meta:
        verbose_name = "留痕清除边界"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.seq} {self.digest}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("purge anchors are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("purge anchors are append-only")

    @classmethod
    def current(cls) -> PurgeAnchor | None:
        """Where the trail now starts (None: nothing was ever purged)."""
        return cls.objects.order_by("-seq").first()
