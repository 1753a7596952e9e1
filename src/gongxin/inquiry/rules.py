"""Who may do what to an inquiry request, in which state and in which round (DESIGN §1).

Each rule is a named predicate (gongxin.platform.rules): it answers None, or the Chinese reason
a person may not. ``RULES`` says, per action, the states it starts from, the predicate the
acting person must meet and the role it ever needs. The draws, the service checks, the buttons a
page offers, the permission map (``permissions.py``) and the API all ask this module; nothing
else decides.

Separation of duties, across every round: the handler never reviews or signs; whoever reviewed
the request in any round never signs it, and whoever signed it in any round never reviews it.

Draws (随机抽取): ``missing_draw`` says which draw a request needs before anyone can move it on
(a handler, reviewers, a signer), ``draw_pool`` whom it may draw. The services draw at once when
they can; a draw nobody can fill leaves the request waiting, and 补抽 (the "draw" action) is
offered as soon as the pool allows, to the supervisor and the request's handler.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from gongxin.accounts.eligibility import pool
from gongxin.core.matching import MatchClass
from gongxin.inquiry.choices import OPEN_STATES, ParticipantRole, RequestState
from gongxin.inquiry.models import Review
from gongxin.inquiry.queries import last_screening
from gongxin.platform.permissions import BUSINESS
from gongxin.platform.roles import Role
from gongxin.platform.rules import (
    Predicate,
    active,
    compatible_roles,
    eligible,
    holds,
    rule,
    same_unit,
    staff_member,
)

S = RequestState
REVIEWS_NEEDED = 2  # agreeing reviews that decide a matched candidate


@dataclass(frozen=True)
class People:
    """Who is on a request: the handler, and the reviewers and signers drawn, per round."""

    handler_id: int | None
    reviewers: dict[int, frozenset[int]]
    signers: dict[int, frozenset[int]]

    def ever(self, role: str) -> frozenset[int]:
        by_round = self.reviewers if role == ParticipantRole.REVIEWER else self.signers
        return frozenset().union(*by_round.values())


def people(req) -> People:
    """The people on ``req``, read once per request object (services read a fresh object for
    each action, under its lock)."""
    cached = getattr(req, "_people", None)
    if cached is None:
        reviewers: dict[int, set[int]] = {}
        signers: dict[int, set[int]] = {}
        for p in req.participants.all():  # prefetch_related("participants") serves lists
            by_round = reviewers if p.role == ParticipantRole.REVIEWER else signers
            by_round.setdefault(p.round, set()).add(p.staff_id)
        cached = People(
            req.handler_id,
            {n: frozenset(s) for n, s in reviewers.items()},
            {n: frozenset(s) for n, s in signers.items()},
        )
        req._people = cached
    return cached


def forget_people(req) -> None:
    """After a draw changes who is on the request."""
    req.__dict__.pop("_people", None)
    getattr(req, "_prefetched_objects_cache", {}).pop("participants", None)


# --- the request's people -----------------------------------------------------------------------


@rule("handler_of")
def handler_of(staff, req):
    return None if req.handler_id == staff.pk else "只有本件的经办人可以办理此事项"


@rule("first_round")
def first_round(staff, req):
    """A letter is returned (退回) before any result; a corrected request is not."""
    return None if req.round == 1 else "已反馈过结果的查询需求不能退回，请通过更正办理"


@rule("unassigned")
def unassigned(staff, req):
    return None if req.handler_id is None else "只有本件的经办人可以办理此事项"


@rule("not_handler")
def not_handler(staff, req):
    return "经办人不能复核或签发本人经办的查询" if req.handler_id == staff.pk else None


@rule("never_reviewed")
def never_reviewed(staff, req):
    """Whoever reviewed the request, in any round, does not sign it."""
    if staff.pk in people(req).ever(ParticipantRole.REVIEWER):
        return "签发人不能是本件（含以往各轮）的复核人"
    return None


@rule("never_signed")
def never_signed(staff, req):
    """Whoever signed the request, in any round, does not review it."""
    if staff.pk in people(req).ever(ParticipantRole.SIGNER):
        return "复核人不能是本件（含以往各轮）的签发人"
    return None


@rule("drawn_reviewer")
def drawn_reviewer(staff, req):
    if staff.pk in people(req).reviewers.get(req.round, ()):
        return None
    return "您不是本件本轮抽取的复核人"


@rule("drawn_signer")
def drawn_signer(staff, req):
    if staff.pk in people(req).signers.get(req.round, ()):
        return None
    return "您不是本件本轮抽取的签发人"


@rule("review_left")
def review_left(staff, req):
    """Some undecided matched candidate of the round waits for this person's review."""
    screening = last_screening(req)
    mine = Review.objects.filter(candidate=OuterRef("candidate"), round=req.round,
                                 reviewer=staff.pk)  # fmt: skip
    waiting = screening is not None and (
        screening.findings.filter(result="").exclude(match=MatchClass.NONE)
        .exclude(Exists(mine)).exists()
    )  # fmt: skip
    return None if waiting else "本轮没有待您复核的人选"


@rule("on_request")
def on_request(staff, req):
    """The handler, or someone drawn for the round in progress."""
    p = people(req)
    if staff.pk == p.handler_id or staff.pk in (
        p.reviewers.get(req.round, frozenset()) | p.signers.get(req.round, frozenset())
    ):
        return None
    return "只有本件的办理人员可以办理此事项"


# --- who may be drawn, and may act once drawn ----------------------------------------------------

MAY_REGISTER: Predicate = active & compatible_roles & holds(Role.HANDLER)
MAY_HANDLE: Predicate = eligible(Role.HANDLER)
MAY_REVIEW: Predicate = eligible(Role.REVIEWER) & not_handler & never_signed
MAY_SIGN: Predicate = eligible(Role.SIGNER) & not_handler & never_reviewed
MAY_BE_DRAWN: dict[str, Predicate] = {
    Role.HANDLER: MAY_HANDLE,
    Role.REVIEWER: MAY_REVIEW,
    Role.SIGNER: MAY_SIGN,
}


# --- the draws a request needs -------------------------------------------------------------------


def _drawn(req, role: str) -> list:
    """The staff drawn for ``role`` in the round in progress."""
    return [p.staff for p in req.participants.filter(round=req.round, role=role)
            .select_related("staff__user", "staff__unit")
            .prefetch_related("staff__role_grants", "staff__recusals")]  # fmt: skip


def _reviewers_missing(req) -> int:
    """More reviewers the round needs: for some undecided candidate, the opinions still wanted
    (two, or one more after a disagreement) exceed the drawn reviewers who may still give one."""
    able = {s.pk for s in _drawn(req, Role.REVIEWER) if MAY_REVIEW.admits(s, req)}
    screening = last_screening(req)
    if screening is None:
        return 0
    missing = 0
    for finding in screening.findings.filter(result="").exclude(match=MatchClass.NONE):
        given = set(finding.candidate.reviews.filter(round=req.round)
                    .values_list("reviewer_id", flat=True))  # fmt: skip
        wanted = REVIEWS_NEEDED - len(given) if len(given) < REVIEWS_NEEDED else 1
        missing = max(missing, wanted - len(able - given))
    return missing


def missing_draw(req) -> tuple[str, int] | None:
    """The draw ``req`` needs before anyone can move it on: (role, how many), or None.

    Registered without a handler: one handler. In review: reviewers, when an undecided candidate
    waits for opinions no drawn reviewer able to act can give (none were drawn, a disagreement,
    a reviewer since made inactive or recused). Awaiting sign-off: a signer, when no signer drawn
    for the round may sign.
    """
    if req.state == S.RECEIVED:
        return (Role.HANDLER, 1) if req.handler_id is None else None
    if req.state == S.IN_REVIEW:
        count = _reviewers_missing(req)
        return (Role.REVIEWER, count) if count else None
    if req.state == S.AWAITING_SIGNOFF:
        if any(MAY_SIGN.admits(s, req) for s in _drawn(req, Role.SIGNER)):
            return None
        return Role.SIGNER, 1
    return None


def draw_pool(req, role: str) -> list:
    """Whom a draw for ``role`` may pick: the unit's holders the role's rule admits, less
    anyone already drawn for it in the round in progress."""
    taken = _drawn(req, role) if role != Role.HANDLER else []
    return pool(req.unit, role, MAY_BE_DRAWN[role], req, exclude=taken)


def pool_short(req, role: str, count: int) -> str | None:
    """Why a draw of ``count`` for ``role`` cannot be made now, or None."""
    if len(draw_pool(req, role)) >= count:
        return None
    if role == Role.HANDLER:
        return "没有可抽取的经办人（均已回避、未培训、超过任职期限或已停用）"
    if role == Role.REVIEWER:
        return f"可抽取的复核人不足 {count} 人（复核人不能是经办人或任何一轮的签发人）"
    return "没有可抽取的签发人（签发人不能是经办人或任何一轮的复核人）"


@rule("draw_due")
def draw_due(staff, req):
    """补抽: a draw is needed, and the pool can fill it."""
    need = missing_draw(req)
    if need is None:
        return "本件当前无需补抽"
    return pool_short(req, *need)


MAY_ASK_DRAW: Predicate = (
    staff_member
    & same_unit
    & (holds(Role.SUPERVISOR) | handler_of | (unassigned & holds(Role.HANDLER))).otherwise(
        "只有监督员或本件经办人可以补抽"
    )
)


@dataclass(frozen=True)
class Rule:
    """One workflow action: where it starts, who may take it, and what its routes need."""

    label: str  # the action's Chinese name, as in 「不能签发」
    states: frozenset[str]
    who: Predicate
    role: str  # what the action's routes need (the permission map): a role, or BUSINESS
    advances: bool = True  # moves the request on (an extension does not)


RULES: dict[str, Rule] = {
    "return": Rule("退回", frozenset({S.RECEIVED, S.ASSIGNED}),
                   first_round & (handler_of | unassigned) & MAY_HANDLE, Role.HANDLER),
    "screen": Rule("查询", frozenset({S.ASSIGNED, S.SCREENED}), handler_of & MAY_HANDLE,
                   Role.HANDLER),
    "submit": Rule("提交", frozenset({S.SCREENED}), handler_of & MAY_HANDLE, Role.HANDLER),
    "review": Rule("复核", frozenset({S.IN_REVIEW}), drawn_reviewer & MAY_REVIEW & review_left,
                   Role.REVIEWER),
    "sign_off": Rule("签发", frozenset({S.AWAITING_SIGNOFF}), drawn_signer & MAY_SIGN, Role.SIGNER),
    "issue": Rule("反馈", frozenset({S.SIGNED}), handler_of & MAY_HANDLE, Role.HANDLER),
    "extend": Rule("延期", OPEN_STATES, active & same_unit & on_request, BUSINESS, advances=False),
    "correct": Rule("更正", frozenset({S.ISSUED}), handler_of & MAY_HANDLE, Role.HANDLER),
    "draw": Rule("补抽", frozenset({S.RECEIVED, S.IN_REVIEW, S.AWAITING_SIGNOFF}),
                 MAY_ASK_DRAW & draw_due, BUSINESS),
}  # fmt: skip


def refusal(staff, req, action: str) -> tuple[str, str] | None:
    """(code, message) when ``staff`` may not take ``action`` on ``req`` now, else None.

    not_found: another unit's request (it is not shown to them at all); wrong_state; forbidden.
    """
    spec = RULES[action]
    if staff.unit_id != req.unit_id:
        return "not_found", "查询需求不存在"
    if req.state not in spec.states:
        return "wrong_state", f"本件当前状态为「{req.get_state_display()}」，不能{spec.label}"
    if reason := spec.who(staff, req):
        return "forbidden", reason
    return None


def allowed_actions(staff, req) -> list[str]:
    """The actions ``staff`` may take on ``req`` now: the buttons a page shows, the API's list."""
    return [action for action in RULES if refusal(staff, req, action) is None]


def who_may_act(req, staff) -> list[tuple[object, str]]:
    """(person, action) pairs among ``staff`` that would move ``req`` on. Empty for an open
    request means it is stuck: the supervisor must see it."""
    return [
        (person, action)
        for action, spec in RULES.items()
        if spec.advances and req.state in spec.states
        for person in staff
        if refusal(person, req, action) is None
    ]
