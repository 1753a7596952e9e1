"""Who may do what to an inquiry request, in which state and in which round (DESIGN §1).

Each rule is a named predicate (gongxin.platform.rules): it answers None, or the Chinese reason
a person may not. ``RULES`` says, per action, the states it starts from, the predicate the
acting person must meet and the role it ever needs. The draws, the service checks, the buttons a
page offers, the permission map (``permissions.py``) and the API all ask this module; nothing
else decides.

Separation of duties, across every round: the handler never reviews or signs; whoever was drawn
to review the request in any round never signs it, and whoever was drawn to sign it in any
round never reviews it.

Draws (随机抽取): ``draw_needed`` says which draw a request needs before anyone can move it on
(a handler, reviewers, a signer), ``draw_pool`` whom it may draw. The services draw at once when
they can; a draw nobody can fill leaves the request waiting, and 补抽 (the "draw" action) is
offered as soon as the pool allows, to the supervisor and the request's handler.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongxin.accounts.eligibility import pool
from gongxin.accounts.models import RULE_PREFETCH
from gongxin.inquiry.choices import (
    OPEN_STATES,
    CandidateResult,
    ParticipantRole,
    RequestState,
    ReviewDecision,
)
from gongxin.inquiry.queries import reviews_waiting
from gongxin.platform.permissions import BUSINESS
from gongxin.platform.roles import Role
from gongxin.platform.rules import (
    Predicate,
    business,
    eligible,
    holds,
    rule,
    same_unit,
    staff_member,
)

S = RequestState
REVIEWS_NEEDED = 2  # agreeing reviews that decide a matched candidate
# Where the request waits for its handler (a correction, after issue, is the handler's too, but
# an issued request is closed: nothing waits).
HANDLER_STEPS = frozenset({S.RECEIVED, S.ASSIGNED, S.SCREENED, S.SIGNED})


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


def forget(req) -> None:
    """After a change to who is on the request or to what it waits for (a draw, a review):
    the next question about it reads the database again."""
    for cached in ("_people", "_draw_needed", "_pool_shortfall", "_reviews_waiting"):
        req.__dict__.pop(cached, None)
    getattr(req, "_prefetched_objects_cache", {}).pop("participants", None)


# --- the request's people -----------------------------------------------------------------------


@rule("handler_of")
def handler_of(staff, req):
    """The request's handler (drawn at registration)."""
    return None if req.handler_id == staff.pk else "只有本件的经办人可以办理此事项"


@rule("first_round")
def first_round(staff, req):
    """A letter is returned (退回) before any result; a corrected request is not."""
    return None if req.round == 1 else "已反馈过结果的查询需求不能退回，请通过更正办理"


@rule("unassigned")
def unassigned(staff, req):
    """No handler drawn yet (any handler of the unit may then return the letter)."""
    return None if req.handler_id is None else "只有本件的经办人可以办理此事项"


@rule("not_handler")
def not_handler(staff, req):
    """Not the request's handler (who never reviews or signs it)."""
    return "经办人不能复核或签发本人经办的查询" if req.handler_id == staff.pk else None


@rule("never_reviewed")
def never_reviewed(staff, req):
    """Whoever was drawn to review the request, in any round, does not sign it (the draw is
    the record: drawn and replaced by 补抽 before reviewing counts too)."""
    if staff.pk in people(req).ever(ParticipantRole.REVIEWER):
        return "签发人不能是本件（含以往各轮）的复核人"
    return None


@rule("never_signed")
def never_signed(staff, req):
    """Whoever was drawn to sign the request, in any round, does not review it."""
    if staff.pk in people(req).ever(ParticipantRole.SIGNER):
        return "复核人不能是本件（含以往各轮）的签发人"
    return None


@rule("drawn_reviewer")
def drawn_reviewer(staff, req):
    """Drawn to review the round in progress."""
    if staff.pk in people(req).reviewers.get(req.round, ()):
        return None
    return "您不是本件本轮抽取的复核人"


@rule("drawn_signer")
def drawn_signer(staff, req):
    """Drawn to sign the round in progress."""
    if staff.pk in people(req).signers.get(req.round, ()):
        return None
    return "您不是本件本轮抽取的签发人"


@rule("review_left")
def review_left(staff, req):
    """Some undecided matched candidate of the round waits for this person's review."""
    if any(staff.pk not in {r for r, _ in given} for given in reviews_waiting(req).values()):
        return None
    return "本轮没有待您复核的人选"


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

MAY_REGISTER: Predicate = staff_member & holds(Role.HANDLER)
MAY_HANDLE: Predicate = eligible(Role.HANDLER)
MAY_REVIEW: Predicate = eligible(Role.REVIEWER) & not_handler & never_signed
MAY_SIGN: Predicate = eligible(Role.SIGNER) & not_handler & never_reviewed
MAY_ACT: dict[str, Predicate] = {
    Role.HANDLER: MAY_HANDLE,
    Role.REVIEWER: MAY_REVIEW,
    Role.SIGNER: MAY_SIGN,
}
MAY_BE_DRAWN: dict[str, Predicate] = {
    **MAY_ACT,
    # A handler drawn later (the first one left) must not be anyone drawn to review or sign.
    Role.HANDLER: MAY_HANDLE & never_reviewed & never_signed,
}


# --- what reviews decide ---------------------------------------------------------------------


def verdict(decisions: list[str]) -> tuple[str, str] | None:
    """(result, reason) once two reviews agree on a matched candidate; None while undecided."""
    if decisions.count(ReviewDecision.CONFIRM) >= REVIEWS_NEEDED:
        return CandidateResult.LISTED, "经两名复核人确认"
    if decisions.count(ReviewDecision.REJECT) >= REVIEWS_NEEDED:
        return CandidateResult.NOT_LISTED, "经两名复核人排除"
    return None


def opinions_wanted(decisions: list[str]) -> int:
    """More reviews an undecided candidate needs before it could be decided: two at first, one
    after a single review or a disagreement."""
    if verdict(decisions) is not None:
        return 0
    return REVIEWS_NEEDED - max(decisions.count(d) for d in ReviewDecision.values)


# --- the draws a request needs -------------------------------------------------------------------


def _drawn(req, role: str) -> list:
    """The staff drawn for ``role`` in the round in progress (from the participants a list
    prefetched, gongxin.inquiry.queues.prefetched, when it did)."""
    if "participants" in getattr(req, "_prefetched_objects_cache", {}):
        return [p.staff for p in req.participants.all() if p.round == req.round and p.role == role]
    return [p.staff for p in req.participants.filter(round=req.round, role=role)
            .select_related("staff__user", "staff__unit")
            .prefetch_related(*(f"staff__{r}" for r in RULE_PREFETCH))]  # fmt: skip


def _reviewers_missing(req) -> int:
    """More reviewers the round needs: for some undecided candidate, the opinions still wanted
    exceed the drawn reviewers who may still give one (not yet given, still able to act)."""
    given = reviews_waiting(req)
    if not given:
        return 0
    able = {s.pk for s in _drawn(req, Role.REVIEWER) if MAY_REVIEW.admits(s, req)}
    return max(
        opinions_wanted([d for _, d in done]) - len(able - {r for r, _ in done})
        for done in given.values()
    )


def draw_needed(req) -> tuple[str, int] | None:
    """The draw ``req`` needs before anyone can move it on: (role, how many), or None.

    Registered without a handler: one handler; and a new handler when the request waits for
    its handler's step (退回, 查询, 提交, 反馈) and the handler can no longer act (left, recused,
    past tenure). In review: reviewers, when an undecided candidate waits for opinions no drawn
    reviewer able to act can give (none were drawn, a disagreement, a reviewer since made
    inactive or recused). Awaiting sign-off: a signer, when no signer drawn for the round may
    sign. Worked out once per request object and state (pages ask it for every person);
    ``forget`` clears it.
    """
    key = (req.state, req.round, req.handler_id)
    cached = req.__dict__.get("_draw_needed")
    if cached is not None and cached[0] == key:
        return cached[1]
    need = None
    if req.state in HANDLER_STEPS:
        if req.handler_id is None or unable(req, Role.HANDLER):
            need = (Role.HANDLER, 1)
    elif req.state == S.IN_REVIEW:
        count = _reviewers_missing(req)
        need = (Role.REVIEWER, count) if count > 0 else None
    elif req.state == S.AWAITING_SIGNOFF:
        signers = _drawn(req, Role.SIGNER)
        if len(unable(req, Role.SIGNER)) == len(signers):
            need = (Role.SIGNER, 1)
    req.__dict__["_draw_needed"] = (key, need)
    return need


def unable(req, role: str) -> list[tuple[object, str]]:
    """Those drawn for ``role`` (the handler, or the round's reviewers or signers) who may no
    longer act on the request, each with why (what a page says a 补抽 replaces)."""
    if role == Role.HANDLER:
        drawn = [req.handler] if req.handler_id is not None else []
    else:
        drawn = _drawn(req, role)
    return [(s, reason) for s in drawn if (reason := MAY_ACT[role](s, req))]


def draw_pool(req, role: str) -> list:
    """Whom a draw for ``role`` may pick: the unit's holders the role's rule admits, less
    anyone already drawn for it in the round in progress."""
    taken = _drawn(req, role) if role != Role.HANDLER else []
    return pool(req.unit, role, MAY_BE_DRAWN[role], req, exclude=taken)


def pool_shortfall(req, role: str, count: int) -> str | None:
    """Why a draw of ``count`` for ``role`` cannot be made now (the reason), or None."""
    key = (req.state, req.round, role, count)
    cached = req.__dict__.get("_pool_shortfall")
    if cached is not None and cached[0] == key:
        return cached[1]
    reason = None
    if len(draw_pool(req, role)) < count:
        reason = {
            Role.HANDLER: "没有可抽取的经办人（均已回避、未培训、超过任职期限或已停用）",
            Role.REVIEWER: f"可抽取的复核人不足 {count} 人（复核人不能是经办人或任何一轮的签发人）",
            Role.SIGNER: "没有可抽取的签发人（签发人不能是经办人或任何一轮的复核人）",
        }[role]  # fmt: skip
    req.__dict__["_pool_shortfall"] = (key, reason)
    return reason


@rule("draw_due")
def draw_due(staff, req):
    """补抽: a draw is needed, and the pool can fill it."""
    need = draw_needed(req)
    if need is None:
        return "本件当前无需补抽"
    return pool_shortfall(req, *need)


def appointable(req) -> list:
    """Whom the supervisor may appoint as the request's handler by hand (指派): exactly whom a
    draw could pick (MAY_BE_DRAWN: never recused, untrained, inactive, nor drawn to review or
    sign it in any round), less the handler it has."""
    return [s for s in draw_pool(req, Role.HANDLER) if s.pk != req.handler_id]


@rule("appoint_due")
def appoint_due(staff, req):
    """指派: someone may be appointed handler."""
    if appointable(req):
        return None
    return pool_shortfall(req, Role.HANDLER, 1) or "除现任经办人外，没有可指派的经办人"


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
    # What the request must need besides its state, whoever asks (补抽: a draw to make). Not
    # met is "not now" (409 in the API), not "not you" (403).
    when: Predicate | None = None


RULES: dict[str, Rule] = {
    "return": Rule("退回", frozenset({S.RECEIVED, S.ASSIGNED}),
                   first_round & (handler_of | unassigned) & MAY_HANDLE, Role.HANDLER),
    "screen": Rule("查询", frozenset({S.ASSIGNED, S.SCREENED}), handler_of & MAY_HANDLE,
                   Role.HANDLER),
    # Before submission (after it, reviews stand on the screening); 更正 reopens at 已分派.
    "edit_candidates": Rule("修改人选", frozenset({S.ASSIGNED, S.SCREENED}),
                            handler_of & MAY_HANDLE, Role.HANDLER, advances=False),
    "submit": Rule("提交", frozenset({S.SCREENED}), handler_of & MAY_HANDLE, Role.HANDLER),
    "review": Rule("复核", frozenset({S.IN_REVIEW}), drawn_reviewer & MAY_REVIEW & review_left,
                   Role.REVIEWER),
    "sign_off": Rule("签发", frozenset({S.AWAITING_SIGNOFF}), drawn_signer & MAY_SIGN, Role.SIGNER),
    "send_back": Rule("退回复核", frozenset({S.AWAITING_SIGNOFF}), drawn_signer & MAY_SIGN,
                      Role.SIGNER),
    "issue": Rule("反馈", frozenset({S.SIGNED}), handler_of & MAY_HANDLE, Role.HANDLER),
    "extend": Rule("延期", OPEN_STATES, business & same_unit & on_request, BUSINESS,
                   advances=False),
    "correct": Rule("更正", frozenset({S.ISSUED}), handler_of & MAY_HANDLE, Role.HANDLER),
    "draw": Rule("补抽", HANDLER_STEPS | {S.IN_REVIEW, S.AWAITING_SIGNOFF}, MAY_ASK_DRAW,
                 BUSINESS, when=draw_due),
    # 指派: the supervisor names the handler by hand, with a reason (a stuck request, a handler
    # away). It does not move the request on: whether a request is stuck is unchanged by it.
    "appoint": Rule("指派", HANDLER_STEPS, staff_member & same_unit & holds(Role.SUPERVISOR),
                    Role.SUPERVISOR, advances=False, when=appoint_due),
}  # fmt: skip


# --- what a person may read on a request besides its candidates ----------------------------------

MAY_SEE_DRAFT: Predicate = (
    (drawn_signer & MAY_SIGN) | (staff_member & same_unit & holds(Role.SUPERVISOR))
).otherwise("只有本件本轮抽取的签发人和监督员可以查看复函草稿")


def draft_refusal(staff, req) -> tuple[str, str] | None:
    """(code, message) when ``staff`` may not read the draft letter of ``req`` now: the drawn
    signer before signing (签发前核对), and the unit's supervisors."""
    if staff.unit_id != req.unit_id:
        return "not_found", "查询需求不存在"
    if req.purged_at is not None:
        return "purged", "本件人选信息已按保存期限清除"
    if req.state != S.AWAITING_SIGNOFF:
        return "wrong_state", f"本件当前状态为「{req.get_state_display()}」，没有待签发的复函草稿"
    if reason := MAY_SEE_DRAFT(staff, req):
        return "forbidden", reason
    return None


def sees_reviews(staff, req, number: int, reviews, decided: bool) -> bool:
    """Independent review (复核独立): whether ``staff`` may see the others' reviews of one
    candidate in round ``number`` (``reviews``: that candidate's reviews of the round).

    A reviewer drawn for the round sees no other reviewer's decision or reason on a candidate
    until they have given their own counting review of it, or the candidate is decided (by
    two agreeing reviews); the handler, the signer and the supervisor see them all, as does
    anyone once the round is no longer in review. Page, API and 办理记录 ask this one rule.
    """
    if decided or number != req.round or req.state != S.IN_REVIEW:
        return True
    if staff.pk not in people(req).reviewers.get(number, ()):
        return True
    return any(r.reviewer_id == staff.pk and r.set_aside_by_id is None for r in reviews)


def visible_reviews(staff, req, number: int, reviews, decided: bool) -> list:
    """The reviews of one candidate in round ``number`` that ``staff`` may see: all, or while
    their own is still to be given, only their own earlier ones (set aside by a send-back)."""
    reviews = list(reviews)
    if sees_reviews(staff, req, number, reviews, decided):
        return reviews
    return [r for r in reviews if r.reviewer_id == staff.pk]


def disagreement(reviews) -> bool:
    """意见不一致: the counting reviews of an undecided candidate hold both decisions."""
    decisions = {r.decision for r in reviews if r.set_aside_by_id is None}
    return len(decisions) > 1


def refusal(staff, req, action: str) -> tuple[str, str] | None:
    """(code, message) when ``staff`` may not take ``action`` on ``req`` now, else None.

    not_found: another unit's request (it is not shown to them at all); purged (its candidates'
    data is gone after the retention period); wrong_state; forbidden (not this person);
    not_now (the request does not need it, whoever asks).
    """
    spec = RULES[action]
    if staff.unit_id != req.unit_id:
        return "not_found", "查询需求不存在"
    if req.purged_at is not None:
        return "purged", "本件人选信息已按保存期限清除，不能再办理"
    if req.state not in spec.states:
        return "wrong_state", f"本件当前状态为「{req.get_state_display()}」，不能{spec.label}"
    if reason := spec.who(staff, req):
        return "forbidden", reason
    if spec.when is not None and (reason := spec.when(staff, req)):
        return "not_now", reason
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


# --- the 退函 of a returned request --------------------------------------------------------------


@rule("return_handler")
def return_handler(staff, req):
    """The handler of a returned request, or (returned before any handler was drawn) whoever
    registered it."""
    return None if staff.pk == (req.handler_id or req.registered_by_id) else "不是本件经办人"


MAY_RETURN_LETTER: Predicate = (
    staff_member & same_unit & (holds(Role.SUPERVISOR) | return_handler)
).otherwise("只有本件经办人或监督员可以生成和下载退回函")
