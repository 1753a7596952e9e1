"""The supervision benchmark's store (bench/supervision_data.py) at a tiny size: it has the shape
the benchmark promises — the sizes asked for, every state the statistics count, candidates
spread over requests, two years of receipts across the 春节 — and its records agree with each
other as the services would have left them. Not a timing test."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Count, Max, Min

from bench.supervision_data import PROVINCES, TODAY, generate
from gongxin.core.workdays import WorkCalendar
from gongxin.inquiry.models import (
    Candidate,
    Extension,
    Finding,
    InquiryRequest,
    Participant,
    Review,
    Round,
)

REQUESTS, CANDIDATES = 1500, 9000
SPRING_FESTIVALS = ((dt.date(2025, 1, 28), dt.date(2025, 2, 4)),
                    (dt.date(2026, 2, 15), dt.date(2026, 2, 23)))  # fmt: skip


@pytest.fixture
def store(db, tmp_path):
    return generate(REQUESTS, CANDIDATES, workdir=tmp_path, progress=lambda line: None)


def test_sizes_units_and_candidates_per_request_are_as_asked(store):
    assert InquiryRequest.objects.count() == REQUESTS
    assert Candidate.objects.count() == CANDIDATES
    per_request = list(InquiryRequest.objects.annotate(n=Count("candidates"))
                       .values_list("n", flat=True))  # fmt: skip
    assert min(per_request) >= 1
    assert max(per_request) > 30  # some large letters beside the many small ones
    assert Counter(per_request).most_common(1)[0][0] <= 3
    by_unit = InquiryRequest.objects.values("unit").distinct().count()
    assert by_unit == len(PROVINCES) + 1  # every province and the national center has work


def test_every_state_the_statistics_count_is_there(store):
    states = Counter(InquiryRequest.objects.values_list("state", flat=True))
    assert states["issued"] > 0.9 * REQUESTS
    assert 0 < states["returned"] < 0.06 * REQUESTS
    assert sum(states.values()) - states["issued"] - states["returned"] > 0  # still open
    assert Extension.objects.filter(kind="extension").exists()
    assert Extension.objects.filter(kind="overdue").exists()
    assert InquiryRequest.objects.filter(round=2).exists()  # corrected
    assert InquiryRequest.objects.filter(follows__state="returned").exists()  # sent again
    assert Finding.objects.filter(result="listed").exists()
    # Open past the deadline today: overdue without having been issued.
    assert InquiryRequest.objects.exclude(state__in=("issued", "returned")).filter(
        deadline__lt=TODAY).exists()  # fmt: skip


def test_receipts_span_two_years_and_both_spring_festivals_on_working_days(store):
    span = InquiryRequest.objects.aggregate(first=Min("received_on"), last=Max("received_on"))
    assert span["first"] <= TODAY - dt.timedelta(days=700) and span["last"] < TODAY
    calendar = WorkCalendar()
    days = set(InquiryRequest.objects.values_list("received_on", flat=True))
    assert all(calendar.is_workday(d) for d in days)
    for start, end in SPRING_FESTIVALS:
        assert any(d < start for d in days) and any(d > end for d in days)
        assert not any(start <= d <= end for d in days)  # nobody receives letters then


def test_deadlines_and_issues_follow_the_working_day_calendar(store):
    calendar = WorkCalendar()
    extended = set(Extension.objects.filter(kind="extension").values_list("request", flat=True))
    for req in InquiryRequest.objects.exclude(pk__in=extended)[:300]:
        assert req.deadline == calendar.add_workdays(req.received_on)
    first_issue = Round.objects.filter(number=1, issued_at__isnull=False)
    assert first_issue.count() >= InquiryRequest.objects.filter(state="issued").count()
    late = [r for r in first_issue.select_related("request")[:2000]
            if r.issued_at.date() > r.request.deadline + dt.timedelta(days=1)]  # fmt: skip
    on_time = first_issue.count() - len(late)
    assert late and on_time > 0.8 * first_issue.count()


def test_matched_candidates_are_reviewed_by_drawn_reviewers(store):
    decided = Finding.objects.exclude(match="none").exclude(result="")
    assert decided.exists()
    for finding in decided.select_related("screening")[:200]:
        reviews = Review.objects.filter(candidate=finding.candidate_id,
                                        round=finding.screening.round)  # fmt: skip
        decisions = Counter(reviews.values_list("decision", flat=True))
        wanted = "confirm" if finding.result == "listed" else "reject"
        assert decisions[wanted] == 2 and sum(decisions.values()) in (2, 3)
        drawn = Participant.objects.filter(request=finding.screening.request_id, role="reviewer",
                                           round=finding.screening.round)  # fmt: skip
        assert set(reviews.values_list("reviewer", flat=True)) <= set(
            drawn.values_list("staff", flat=True))  # fmt: skip
    assert Review.objects.values("candidate", "round").annotate(n=Count("id")).filter(
        n=3).exists()  # a disagreement settled by a third reviewer  # fmt: skip
