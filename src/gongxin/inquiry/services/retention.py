"""Candidates' personal data removed after the retention period (docs/retention.md).

A request closed (issued or returned) longer than ``GONGXIN_CANDIDATE_RETENTION_DAYS`` keeps
what the unit must still account for — the request, the agency's letter number, the dates, the
rounds, who handled, reviewed and signed, per candidate the row, match class and result, the
letters' numbers, verification codes and file digests, the trail — and loses what names a
person: the encrypted names and ID numbers with their blind indexes and key ids, the positions
applied for, the list entries matched (match evidence), the reviewers' free-text reasons (which
may name the person), and the letter files themselves (they list names). Each request is purged
in a short transaction of its own with one ``request.purge`` event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.documents.models import LetterFile
from gongxin.inquiry.choices import CLOSED_STATES
from gongxin.inquiry.models import (
    Candidate,
    CandidateMatch,
    CandidateRevision,
    InquiryRequest,
    Review,
)

RETENTION_FLOOR_DAYS = 365
PURGED = "已按保存期限清除"  # what pages and the API say in place of the candidates


class RetentionRefused(ValueError):
    """The configured retention may not be used (Chinese, for the operator)."""


@dataclass(frozen=True)
class Purged:
    request_id: int
    candidates: int
    matches: int
    letter_files: int


def retention_days() -> int:
    days = settings.GONGXIN_CANDIDATE_RETENTION_DAYS
    if days < RETENTION_FLOOR_DAYS:
        raise RetentionRefused(
            f"人选信息保存期限 GONGXIN_CANDIDATE_RETENTION_DAYS 设为 {days} 天，少于最低 "
            f"{RETENTION_FLOOR_DAYS} 天（试用期内的复查、抽查和投诉仍需要），不能清除；请改正设置"
        )
    return days


def cutoff(today: dt.date | None = None) -> dt.datetime:
    """Requests closed before this instant are due."""
    return clock.start_of((today or clock.today()) - dt.timedelta(days=retention_days()))


def due(today: dt.date | None = None):
    """The requests whose candidates' data is past the retention period, oldest first."""
    return (InquiryRequest.objects.filter(state__in=CLOSED_STATES, purged_at__isnull=True,
                                          closed_at__lt=cutoff(today))
            .select_related("agency").order_by("closed_at", "pk"))  # fmt: skip


def purge_candidates(actor, today: dt.date | None = None) -> list[Purged]:
    """Purge every request that is due, one transaction each."""
    before = cutoff(today)
    return [done for pk in due(today).values_list("pk", flat=True)
            if (done := purge_request(actor, pk, before)) is not None]  # fmt: skip


def purge_request(actor, request_id: int, before: dt.datetime) -> Purged | None:
    """Purge one request's candidate data if, under its lock, it is still closed since before
    ``before`` and not yet purged (a correction may have reopened it meanwhile)."""
    with transaction.atomic():
        req = InquiryRequest.objects.select_for_update().get(pk=request_id)
        if (req.purged_at is not None or req.state not in CLOSED_STATES
                or req.closed_at is None or req.closed_at >= before):  # fmt: skip
            return None
        now = clock.now()
        # Every row the request ever had (edited and removed ones too), not only the last
        # round's, and the values kept by its edits (decision 0011).
        candidates = Candidate.objects.filter(request=req).update(
            subject_cipher=b"", id_index=None, name_index=None, key_id="", position=""
        )
        CandidateRevision.objects.filter(request=req).update(
            old_cipher=b"",
            new_cipher=b"",
            key_id="",
            old_position="",
            new_position="",
            reason="",
        )
        matches = CandidateMatch.objects.filter(finding__candidate__request=req)
        evidence = matches.count()
        matches.delete()
        Review.objects.filter(candidate__request=req).update(reason="")
        letters = req.rounds.filter(letter__isnull=False).values("letter")
        files = LetterFile.objects.filter(letter__in=letters, purged_at__isnull=True).update(
            data=b"", key_id="", purged_at=now
        )
        req.purged_at = now
        req.save(update_fields=["purged_at"])
        record(actor, "request.purge", req, candidates=candidates, matches=evidence,
               letter_files=files, closed_at=req.closed_at.isoformat(),
               retention_days=retention_days())  # fmt: skip
    return Purged(req.pk, candidates, evidence, files)
