"""查询核实 and 提交: screen every candidate as of today, then hand the result on.

A screening never replaces an earlier one: each adds its own findings and matches, and the
round's result is read from its last screening. Submission decides the unmatched candidates
(未发现…) and draws two reviewers if anyone matched, else the signer (a draw the pool cannot
fill leaves the request waiting for 补抽).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.matching import MatchClass
from gongxin.inquiry.choices import CandidateResult, RequestState
from gongxin.inquiry.models import Candidate, CandidateMatch, Finding, InquiryRequest, Screening
from gongxin.inquiry.queries import last_screening
from gongxin.inquiry.services.actions import act
from gongxin.inquiry.services.draws import draw_if_needed
from gongxin.inquiry.services.identity import candidate_identity
from gongxin.registry.models import ListEntry, current_version
from gongxin.registry.screening import CandidateInput, ScreeningResult, screen

S = RequestState
PROGRESS_EVERY = 250  # candidates between two progress reports
# progress(done, total, step): how far a long action is, for its background run to show.
Progress = Callable[[int, int, str], None]


def screen_request(
    actor, request_id: int, *, today: dt.date | None = None, progress: Progress | None = None
) -> InquiryRequest:
    """查询核实: match every candidate against every list as of today.

    The matching (decrypting every candidate, reading the lists) is done before the request
    is locked, so a request of thousands of candidates does not hold the write lock while
    others wait; inside the lock the result is used only if the candidates and the list
    version are still those it was computed from, else it is computed again there.
    ``progress(done, total, step)`` hears how far the matching is (a background run shows it)."""
    today = today or clock.today()
    ahead = _matched(Candidate.objects.current(request_id).order_by("row"), today, progress)
    with act(actor, request_id, "screen") as req:
        candidates = list(Candidate.objects.current(req).order_by("row"))
        if ahead.fits(candidates, current_version()):
            result = ahead.result
        else:
            result = _matched(candidates, today).result
        by_row = {r.row: r for r in result.results}
        screening = Screening.objects.create(request=req, round=req.round, as_of=today,
                                             screened_by=actor)  # fmt: skip
        found = Finding.objects.bulk_create(
            Finding(screening=screening, candidate=c, match=by_row[c.row].match.value)
            for c in candidates
        )
        entries = ListEntry.objects.in_bulk(
            [e.entry_id for r in by_row.values() for e in r.entries]
        )
        CandidateMatch.objects.bulk_create(
            CandidateMatch(
                finding=finding, entry=entries[e.entry_id], match=e.match.value,
                source_name=e.source_name, authority=e.authority,
                basis_document=e.basis_document, listed_on=e.listed_on, removed_on=e.removed_on,
            )
            for finding, c in zip(found, candidates, strict=True)
            for e in by_row[c.row].entries
        )  # fmt: skip
        req.state = S.SCREENED
        req.save(update_fields=["state"])
        matched = sum(1 for f in found if f.matched)
        record(actor, "request.screen", req, round=req.round, screening=screening.pk,
               as_of=today.isoformat(), candidates=len(candidates), matched=matched)  # fmt: skip
    return req


@dataclass(frozen=True)
class _Matched:
    """A screening result and what it was computed from (the candidates as stored)."""

    result: ScreeningResult
    stored: tuple

    def fits(self, candidates: list[Candidate], version: int) -> bool:
        return self.result.version == version and self.stored == _stored(candidates)


def _stored(candidates) -> tuple:
    return tuple((c.pk, c.row, bytes(c.subject_cipher), c.position) for c in candidates)


def _matched(candidates, today: dt.date, progress: Progress | None = None) -> _Matched:
    candidates = list(candidates)
    inputs = []
    for i, c in enumerate(candidates):
        if progress is not None and i % PROGRESS_EVERY == 0:
            progress(i, len(candidates), "比对人选")
        inputs.append(CandidateInput(c.row, *candidate_identity(c), c.position))
    result = screen(inputs, today)
    if progress is not None:
        progress(len(candidates), len(candidates), "保存比对结果")
    return _Matched(result, _stored(candidates))


def submit(actor, request_id: int, *, progress: Progress | None = None) -> InquiryRequest:
    """The handler submits the screening: to review if anyone matched, else to sign-off."""
    if progress is not None:
        progress(0, 1, "提交查询结果")
    with act(actor, request_id, "submit") as req:
        findings = last_screening(req).findings
        # One UPDATE, not a row each: 5,000 candidates held the lock for 2 s (bench/signoff.py).
        findings.filter(match=MatchClass.NONE).update(
            result=CandidateResult.NOT_LISTED, result_reason="未匹配任何名单记录"
        )
        matched = findings.exclude(match=MatchClass.NONE).exists()
        req.state = S.IN_REVIEW if matched else S.AWAITING_SIGNOFF
        req.save(update_fields=["state"])
        record(actor, "request.submit", req, round=req.round, state=req.state)
        draw_if_needed(actor, req)
    return req
