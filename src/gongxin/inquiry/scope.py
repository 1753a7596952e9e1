"""What each person may see of inquiry requests (知悉经手范围), by action.

Registered on the models' managers: every page and API view reads through
``Model.objects.restrict(staff, action)``, and what is outside answers 404.

- Requests: the unit's, for holders of a business role.
- Candidates and their results (name, masked number, result): the people on the request in any
  round — handler, drawn reviewers and signers — and the unit's supervisors.
- Evidence (match classes, the list entries matched): only the people on the request.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from gongxin.inquiry.models import (
    Candidate,
    CandidateMatch,
    CandidateRevision,
    Finding,
    InquiryRequest,
    Participant,
)
from gongxin.inquiry.rules import RULES
from gongxin.platform.permissions import BUSINESS, allowed
from gongxin.platform.roles import Role
from gongxin.platform.scope import scope


def _on_request(staff, path: str) -> Q:
    """Rows whose request (reached through ``path``) has ``staff`` on it, in any round."""
    drawn = Participant.objects.filter(request=OuterRef(path), staff=staff)
    return Q(**{f"{path}__handler": staff}) | Q(Exists(drawn))


@scope(InquiryRequest)
def requests(staff, action: str) -> Q | None:
    """view: the unit's requests. An action of RULES: the same, for those whose roles could
    ever take it (the rules decide the rest, per request)."""
    if action == "view":
        return Q(unit_id=staff.unit_id) if allowed(staff, BUSINESS) else None
    if action in RULES:
        return Q(unit_id=staff.unit_id) if allowed(staff, RULES[action].role) else None
    raise ValueError(f"unknown action {action!r} for requests")


def _candidates(staff, action: str, path: str) -> Q | None:
    """Candidates (and what hangs off them), reached through ``path`` to the request.

    view: name, masked number, result — the people on the request and the unit's supervisors.
    evidence: match classes and list entries — the people on the request only.
    """
    if action not in ("view", "evidence"):
        raise ValueError(f"unknown action {action!r} for candidates")
    if not allowed(staff, BUSINESS):
        return None
    mine = Q(**{f"{path}__unit_id": staff.unit_id})
    if action == "view" and allowed(staff, Role.SUPERVISOR):
        return mine
    return mine & _on_request(staff, path)


@scope(Candidate)
def candidates(staff, action: str) -> Q | None:
    return _candidates(staff, action, "request")


@scope(CandidateRevision)
def revisions(staff, action: str) -> Q | None:
    """A change's old and new values are the candidates': seen by those who see them."""
    return _candidates(staff, action, "request")


@scope(Finding)
def findings(staff, action: str) -> Q | None:
    return _candidates(staff, action, "candidate__request")


@scope(CandidateMatch)
def matches(staff, action: str) -> Q | None:
    """Matches are evidence: "view" sees them only where "evidence" does."""
    if action not in ("view", "evidence"):
        raise ValueError(f"unknown action {action!r} for matches")
    return _candidates(staff, "evidence", "finding__candidate__request")
