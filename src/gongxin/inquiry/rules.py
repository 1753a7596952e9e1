"""Who may do what to an inquiry request, in which state and in which round (DESIGN §1).

Each rule is a named predicate (gongxin.platform.rules): it answers None, or the Chinese reason
a person may not. ``RULES`` says, per action, the states it starts from, the predicate the
acting person must meet and the role it ever needs. The draws, the service checks, the buttons a
page offers, the permission map (``permissions.py``) and the API all ask this module; nothing
else decides.

Separation of duties, across every round: the handler never reviews or signs; whoever reviewed
the request in any round never signs it, and whoever signed it in any round never reviews it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongxin.inquiry.choices import OPEN_STATES, ParticipantRole, RequestState
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
)

S = RequestState


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
SUPERVISES: Predicate = active & holds(Role.SUPERVISOR) & same_unit


@dataclass(frozen=True)
class Rule:
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
    "review": Rule("复核", frozenset({S.IN_REVIEW}), drawn_reviewer & MAY_REVIEW, Role.REVIEWER),
    "sign_off": Rule("签发", frozenset({S.AWAITING_SIGNOFF}), drawn_signer & MAY_SIGN, Role.SIGNER),
    "issue": Rule("反馈", frozenset({S.SIGNED}), handler_of & MAY_HANDLE, Role.HANDLER),
    "extend": Rule("延期", OPEN_STATES, active & same_unit & on_request, BUSINESS, advances=False),
    "correct": Rule("更正", frozenset({S.ISSUED}), handler_of & MAY_HANDLE, Role.HANDLER),
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
