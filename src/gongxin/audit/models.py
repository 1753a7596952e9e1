"""Append-only audit events. The security issue adds hash chaining; the shape stays."""

from django.db import models

from gongxin.core import clock
from gongxin.platform.scope import RestrictedQuerySet


class AppendOnly(ValueError):
    """An attempt to change or remove audit events."""


class AuditQuerySet(RestrictedQuerySet):
    """No bulk change or removal either: ``update()``, ``delete()`` and ``bulk_update()`` of
    audit events are refused, like ``save()`` of an existing one."""

    def update(self, **kwargs):
        raise AppendOnly("audit events are append-only")

    def delete(self):
        raise AppendOnly("audit events are append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnly("audit events are append-only")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnly("audit events are append-only")


class AuditEvent(models.Model):
    """One thing that happened: who, where, what, to which object, with what outcome.

    Never updated or deleted; details hold no plaintext personal data.
    """

    at = models.DateTimeField("时间", default=clock.now, db_index=True)
    actor = models.CharField("操作人", max_length=150)
    unit_code = models.CharField("单位", max_length=32, blank=True)
    action = models.CharField("事项", max_length=50, db_index=True)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True, db_index=True)
    outcome = models.CharField("结果", max_length=16, default="ok")
    detail = models.JSONField("详情", default=dict, blank=True)

    objects = models.Manager.from_queryset(AuditQuerySet)()

    class Meta:
        verbose_name = "留痕记录"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit events are append-only")
