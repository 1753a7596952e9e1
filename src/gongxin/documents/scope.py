"""Who may see the record of an issued letter (number, date, code; no personal data): the
unit's business staff. A letter's files name people: products serve them through their own
scope (the inquiry serves a result letter to those who may see the request's candidates)."""

from __future__ import annotations

from django.db.models import Q

from gongxin.documents.models import Letter
from gongxin.platform.permissions import BUSINESS, allowed
from gongxin.platform.scope import scope


@scope(Letter)
def letters(staff, action: str) -> Q | None:
    if action != "view":
        raise ValueError(f"unknown action {action!r} for letters")
    return Q(unit_id=staff.unit_id) if allowed(staff, BUSINESS) else None
