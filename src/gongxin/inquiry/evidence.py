"""The evidence of a match, side by side: the candidate's and the list entry's name and masked
number, with the match class and its one-line explanation (gongxin.core.matching). Read only
by people the "evidence" scope admits; the page or API answer that shows it records the view."""

from __future__ import annotations

from dataclasses import dataclass

from gongxin.accounts.models import Staff
from gongxin.core import idnumber
from gongxin.core.crypto import DecryptionError
from gongxin.core.matching import MatchClass
from gongxin.inquiry.rules import disagreement, people, sees_reviews, visible_reviews
from gongxin.inquiry.supervision import waiting_for
from gongxin.registry.identity import entry_identity

UNREADABLE = "（密文被改动，无法显示）"


@dataclass(frozen=True)
class Side:
    """What one side of the comparison says."""

    name: str
    masked: str


def entry_side(match) -> Side:
    """The list entry's name and masked number (a cipher that no longer opens says so)."""
    try:
        name, number = entry_identity(match.entry)
    except DecryptionError:
        return Side(UNREADABLE, UNREADABLE)
    return Side(name, idnumber.mask(number))


def explain(match) -> tuple[str, str]:
    """(label, explanation) of a match's class."""
    cls = MatchClass(match.match)
    return cls.label, cls.explanation


def open_matches(matches) -> list:
    """Each match with ``listed`` (the entry's Side), ``label`` and ``explanation`` set."""
    matches = list(matches)
    for m in matches:
        m.listed = entry_side(m)
        m.label, m.explanation = explain(m)
    return matches


def review_state(staff, req, number: int, reviews, finding) -> dict:
    """What the page shows of one candidate's reviews in round ``number``, for ``staff``: the
    reviews they may see (rules.visible_reviews), their own counting one, whether others' are
    held back, and — on a disagreement they may see — that a third reviewer was drawn, or why
    not yet (the draw explanation of gongxin.inquiry.supervision)."""
    decided = bool(finding.result)
    sees = sees_reviews(staff, req, number, reviews, decided)
    shown = visible_reviews(staff, req, number, reviews, decided)
    state = {
        "reviews": shown,
        "mine": next((r for r in reviews if r.reviewer_id == staff.pk and r.counts), None),
        "held_back": not sees and any(r.reviewer_id != staff.pk for r in reviews),
        "disagree": False,
        "third": "",
    }
    if sees and not decided and number == req.round and disagreement(reviews):
        state["disagree"] = True
        given = {r.reviewer_id for r in reviews if r.counts}
        waiting = [p for p in people(req).reviewers.get(number, ()) if p not in given]
        if waiting_now := waiting_for(req):
            state["third"] = waiting_now
        elif waiting:
            names = "、".join(
                Staff.objects.filter(pk__in=waiting).values_list("full_name", flat=True)
            )
            state["third"] = f"已随机抽取第三名复核人：{names}，待其复核"
    return state
