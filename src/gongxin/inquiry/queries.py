"""Reading a request's record: the rounds, the screening a round's result stands on, the
findings. No writes here; pages, API, services, rules and supervision read through these."""

from __future__ import annotations

from gongxin.core.matching import MatchClass
from gongxin.inquiry.models import Finding, InquiryRequest, Screening


def last_screening(req: InquiryRequest, number: int | None = None) -> Screening | None:
    """The latest screening of round ``number`` (default: the round in progress)."""
    number = req.round if number is None else number
    return req.screenings.filter(round=number).order_by("-id").first()


def findings(req: InquiryRequest, number: int | None = None) -> list[Finding]:
    """The findings of a round's last screening, by candidate row; empty before screening."""
    screening = last_screening(req, number)
    if screening is None:
        return []
    return list(screening.findings.select_related("candidate").order_by("candidate__row"))


def awaiting_review(req: InquiryRequest):
    """The findings of the round in progress that wait for reviews: matched, not yet decided."""
    screening = last_screening(req)
    if screening is None:
        return Finding.objects.none()
    return screening.findings.filter(result="").exclude(match=MatchClass.NONE)


def undecided(req: InquiryRequest) -> bool:
    """Whether any candidate of the round in progress still waits for a result."""
    screening = last_screening(req)
    return screening is None or screening.findings.filter(result="").exists()
