"""One page of a request's candidates (issue 9: 5,000 candidates on one request).

A round's rows come matches first (a match found, or 列入), then the rest, each group by row,
``ROWS`` to a page (?page=N). Only the candidates on the page are opened (decrypted) and their
reviews read: opening all 5,000 took most of the page's time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Q, QuerySet, Value, When, prefetch_related_objects

from gongxin.core import idnumber
from gongxin.core.crypto import DecryptionError
from gongxin.core.matching import MatchClass
from gongxin.inquiry.choices import CandidateResult
from gongxin.inquiry.services import candidate_identity

ROWS = 100


def number(request) -> int:
    """The page asked for (?page=N); anything else is the first."""
    raw = request.GET.get("page", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 10**6 else 1


MATCHED = ~Q(match=MatchClass.NONE) | Q(result=CandidateResult.LISTED)


def findings(found: QuerySet, asked: int) -> Pages:
    """A screening's findings, matched or 列入 first, then by row: sorted and cut by the
    database, so a page of 5,000 reads 100 rows."""
    ordered = found.annotate(later=Case(When(MATCHED, then=Value(0)), default=Value(1)))
    ordered = ordered.order_by("later", "candidate__row").select_related("candidate")
    return Pages(ordered, asked, matched=found.filter(MATCHED).count())


@dataclass
class Pages:
    """``items`` (findings, or candidates before screening; a list or a query) cut into pages;
    ``shown`` is the page asked for, clamped to the last."""

    items: list | QuerySet
    asked: int
    matched: int = 0
    shown: list = field(init=False)
    number: int = field(init=False)
    count: int = field(init=False)
    total: int = field(init=False)

    def __post_init__(self) -> None:
        self.total = self.items.count() if isinstance(self.items, QuerySet) else len(self.items)
        self.count = max(1, -(-self.total // ROWS))
        self.number = min(self.asked, self.count)
        start = (self.number - 1) * ROWS
        self.shown = list(self.items[start : start + ROWS])

    @property
    def first_row(self) -> int:
        return (self.number - 1) * ROWS + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return (self.number - 1) * ROWS + len(self.shown)

    @property
    def candidates(self) -> list:
        return [getattr(item, "candidate", item) for item in self.shown]

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def opened(candidates) -> None:
    """Name and masked number of the candidates shown, and their reviews; a cipher that no
    longer opens says so (the result check raises the alarm) instead of failing the page."""
    prefetch_related_objects(candidates, "reviews__reviewer")
    for candidate in candidates:
        if hasattr(candidate, "masked"):
            continue
        try:
            name, id_number = candidate_identity(candidate)
        except DecryptionError:
            candidate.name = candidate.masked = "（密文被改动，无法显示）"
        else:
            candidate.name, candidate.masked = name, idnumber.mask(id_number)
