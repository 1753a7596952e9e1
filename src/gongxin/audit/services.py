"""Writing audit events. Call inside the business transaction: if the write fails, the action
is rolled back with it (DESIGN §4)."""

from __future__ import annotations

from gongxin.audit.models import AuditEvent


def record(actor, action: str, obj=None, *, outcome: str = "ok", ref: tuple[str, object] = ("", ""),
           **detail) -> AuditEvent:  # fmt: skip
    """``actor`` is a Staff (or a plain name for the system); ``obj`` a model instance, or
    ``ref`` its (type name, id) when only the id is at hand. ``detail`` must be free of
    plaintext personal data (ID numbers, names of candidates)."""
    name = getattr(actor, "user", None)
    object_type, object_id = (type(obj).__name__, obj.pk) if obj is not None else ref
    return AuditEvent.objects.create(
        actor=name.username if name is not None else str(actor),
        unit_code=getattr(getattr(actor, "unit", None), "code", ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        detail=detail,
    )
