"""Writing audit events. Call inside the business transaction: if the write fails, the action
is rolled back with it (DESIGN §4)."""

from __future__ import annotations

import json

from django.db import transaction

from gongxin.audit.models import AuditEvent, ChainHead
from gongxin.core import chain, clock
from gongxin.platform import trail


def record(actor, action: str, obj=None, *, outcome: str = "ok", ref: tuple[str, object] = ("", ""),
           **detail) -> AuditEvent:  # fmt: skip
    """``actor`` is a Staff (or a plain name for the system); ``obj`` a model instance, or
    ``ref`` its (type name, id) when only the id is at hand. ``detail`` must be free of
    plaintext personal data (ID numbers, names of candidates). The workstation is the one the
    current request came from (``gongxin.platform.trail.workstation``)."""
    name = getattr(actor, "user", None)
    object_type, object_id = (type(obj).__name__, obj.pk) if obj is not None else ref
    event = AuditEvent(
        at=clock.now(),
        actor=name.username if name is not None else str(actor),
        # The actor's unit; for an event with no staff actor (a refused sign-in, a browser
        # enrolling), the unit of the workstation it came from; else none (the national
        # center's auditors read those: gongxin.audit.scope).
        unit_code=getattr(getattr(actor, "unit", None), "code", "") or trail.workstation_unit(),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        detail=detail,
        workstation=trail.workstation(),
    )
    # No savepoint of its own: if the event cannot be written, the surrounding action fails.
    with transaction.atomic(savepoint=False):
        # The head row is locked until the surrounding transaction ends: events are chained in
        # the order their transactions commit, and a rolled-back action leaves no link behind.
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # a database emptied by a test's flush
            head = ChainHead.objects.create(pk=1, digest=chain.GENESIS)
        event.seq = head.seq + 1
        event.digest = chain.link(head.digest, event.seq, _stored_form(event))
        event.save(force_insert=True)
        ChainHead.objects.filter(pk=1).update(seq=event.seq, digest=event.digest)
    return event


def _stored_form(event: AuditEvent) -> dict:
    """The fields as the database will give them back (details through a JSON round trip)."""
    fields = event.chained_fields()
    fields["detail"] = json.loads(json.dumps(fields["detail"]))
    return fields
