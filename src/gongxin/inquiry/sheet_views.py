"""办理单: one request's processing sheet, printed for the paper file (A4, print stylesheet).

It says what was received, each step with who and when, each round's result as counts, the
letters' numbers and how they were sent, extensions and the return; then lines for the
handler's, reviewer's and signer's signatures. It names no candidate and shows no ID number
(the file is kept longer and read by more people than the request page): candidates appear
as counts and row numbers, and review reasons (free text that might quote a name) are left to
the request page. For the people on the request and the unit's supervisors; each view audited.
"""

from __future__ import annotations

from collections import Counter

from django.http import Http404
from django.shortcuts import render

from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.inquiry import history, queries
from gongxin.inquiry.choices import CandidateResult
from gongxin.inquiry.models import Candidate, InquiryRequest, Review
from gongxin.inquiry.services import deadline_status
from gongxin.platform.permissions import requires


def may_see(staff, req) -> bool:
    """The people on the request in any round and the unit's supervisors (who may see its
    candidates), and whoever registered it (a letter returned at registration has no one
    else on it)."""
    if req.registered_by_id == staff.pk:
        return True
    return Candidate.objects.restrict(staff, "view").filter(request=req).exists()


def _rounds(req) -> list[dict]:
    out = []
    reviews = Review.objects.filter(candidate__request=req).select_related("reviewer",
                                                                           "candidate")  # fmt: skip
    for rnd in req.rounds.select_related("letter", "signed_by", "opened_by"):
        screening = queries.last_screening(req, rnd.number)
        results = Counter(f.result for f in queries.findings(req, rnd.number))
        out.append({
            "round": rnd, "screening": screening,
            "screenings": req.screenings.filter(round=rnd.number).select_related("screened_by"),
            "listed": results[CandidateResult.LISTED],
            "not_listed": results[CandidateResult.NOT_LISTED],
            "pending": results[CandidateResult.PENDING],
            "checked": sum(results.values()),
            "reviews": [r for r in reviews if r.round == rnd.number],
            "participants": req.participants.filter(round=rnd.number).select_related("staff"),
        })  # fmt: skip
    return out


@requires("request_sheet")
def sheet(request, pk):
    staff = request.staff
    req = (InquiryRequest.objects.restrict(staff, "view")
           .select_related("agency", "unit", "handler", "registered_by", "return_letter")
           .get_or_404(pk=pk))  # fmt: skip
    if not may_see(staff, req):
        raise Http404
    record(staff, "request.view_sheet", req)
    steps = [s for s in history.of(req).steps if not s.refused]
    return render(request, "inquiry/sheet.html", {
        "req": req, "count": req.candidates.count(), "rounds": _rounds(req), "steps": steps,
        "deadline_status": deadline_status(req),
        "extensions": req.extensions.select_related("recorded_by"),
        "printed_at": clock.local(clock.now()), "printed_by": staff,
    })  # fmt: skip
