"""Reading a request's record: the rounds, the screening a round's result stands on, the
findings. No writes here; pages, API, services, rules and supervision read through these."""

from __future__ import annotations

from django.db.models import Q

from gongxin.core.docnumber import letter_key
from gongxin.core.matching import MatchClass
from gongxin.inquiry.models import Finding, InquiryRequest, Review, Round, Screening


def last_screening(req: InquiryRequest, number: int | None = None) -> Screening | None:
    """The latest screening of round ``number`` (default: the round in progress), unless the
    candidates were changed after it (then none: the round must be screened again)."""
    number = req.round if number is None else number
    primed = req.__dict__.get("_last_screenings")
    if primed is not None and number == req.round:
        last = primed.get(req.pk)
    else:
        last = req.screenings.filter(round=number).order_by("-id").first()
    return None if last is None or last.outdated else last


def prime_rounds(requests: list[InquiryRequest]) -> None:
    """For a page of requests: each one's round in progress (``current``) and that round's
    latest screening (``last_screening``), read in two queries for the page instead of two a
    request. For reading only (a list's answer), never for acting."""
    if not requests:
        return
    by_pk = {r.pk: r for r in requests}
    for rnd in Round.objects.filter(request__in=by_pk):
        if rnd.number == by_pk[rnd.request_id].round:
            by_pk[rnd.request_id]._current = rnd
    latest: dict[int, Screening] = {}
    for s in Screening.objects.filter(request__in=by_pk).order_by("id"):
        if s.round == by_pk[s.request_id].round:
            latest[s.request_id] = s
    for r in requests:
        r._last_screenings = latest


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


def reviews_waiting(req: InquiryRequest) -> dict[int, list[tuple[int, str]]]:
    """The candidates of the round in progress that wait for reviews, each with the (reviewer,
    decision) pairs given so far in the round. Read afresh each time, unless a list read it for
    a page of requests at once (gongxin.inquiry.queues.prefetched; ``rules.forget`` drops it)."""
    primed = req.__dict__.get("_reviews_waiting")
    if primed is not None and primed[0] == (req.state, req.round):
        return primed[1]
    waiting = list(awaiting_review(req).values_list("candidate_id", flat=True))
    given: dict[int, list[tuple[int, str]]] = {c: [] for c in waiting}
    reviews = Review.objects.filter(candidate__in=waiting, round=req.round, set_aside_by=None)
    for candidate, reviewer, decision in reviews.values_list("candidate", "reviewer", "decision"):
        given[candidate].append((reviewer, decision))
    return given


def letter_search(q: str) -> Q:
    """Requests whose letter number (in its normal form, so 京组函[2026]088号 finds
    京组函〔2026〕88号) or agency name contains ``q``: the list page and the API ask this."""
    found = Q(letter_number__icontains=q) | Q(agency__name__icontains=q)
    if key := letter_key(q):
        found |= Q(letter_key__contains=key)
    return found
