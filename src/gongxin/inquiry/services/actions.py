"""Running one workflow action: lock the request, ask the rules, record the outcome.

Every action runs in one transaction that locks the request row, checks the rule for the action
(gongxin.inquiry.rules: unit, state, person, round), changes what it changes and writes the
audit event. A refused action changes nothing and is itself recorded, after the rollback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from gongxin.audit.services import record
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.rules import refusal
from gongxin.platform.errors import WorkflowError


def check(actor, req: InquiryRequest, action: str) -> None:
    """Raise the rule's refusal as a WorkflowError (nothing recorded: see ``refused``)."""
    if found := refusal(actor, req, action):
        raise WorkflowError(*found)


def refused(actor, request_id: int, action: str, exc: WorkflowError, **detail) -> None:
    """Record a refusal in a transaction of its own (the action's was rolled back)."""
    with transaction.atomic():
        record(actor, f"request.{action}", ref=("InquiryRequest", request_id),
               outcome="refused", code=exc.code, **detail)  # fmt: skip


@contextmanager
def act(actor, request_id: int, action: str, **detail) -> Iterator[InquiryRequest]:
    """Lock the request, check the rule, yield it; record a refusal after rolling back."""
    try:
        with transaction.atomic():
            try:
                req = InquiryRequest.objects.select_for_update().get(pk=request_id)
            except InquiryRequest.DoesNotExist:
                raise WorkflowError("not_found", "查询需求不存在") from None
            check(actor, req, action)
            yield req
    except WorkflowError as exc:
        refused(actor, request_id, action, exc, **detail)
        raise
