"""Reading a request's record: the rounds, the screening a round's result stands on, the
findings, the people who may act. No writes here; pages, API, services and supervision read
through these."""

from __future__ import annotations

from gongxin.inquiry.choices import OPEN_STATES
from gongxin.inquiry.models import Finding, InquiryRequest, Screening
from gongxin.inquiry.rules import RULES, refusal


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


def undecided(req: InquiryRequest) -> bool:
    """Whether any candidate of the round in progress still waits for a result."""
    screening = last_screening(req)
    return screening is None or screening.findings.filter(result="").exists()


def stuck(requests, staff) -> list[tuple[InquiryRequest, str]]:
    """Open requests nobody among ``staff`` may move on, with what blocks each: for the
    supervisor's dashboard (an open request always has someone who may act, or is shown)."""
    blocked = []
    for req in requests.filter(state__in=OPEN_STATES):
        movers = [
            (person, action)
            for action, spec in RULES.items()
            if spec.advances and req.state in spec.states
            for person in staff
            if refusal(person, req, action) is None
        ]
        if not movers:
            blocked.append((req, _why(req, staff)))
    return blocked


def _why(req: InquiryRequest, staff) -> str:
    """The refusal the most concerned person gets: the drawn one, or anyone for a draw."""
    actions = [a for a, spec in RULES.items() if spec.advances and req.state in spec.states]
    for action in actions:
        for person in staff:
            found = refusal(person, req, action)
            if found and found[0] == "forbidden" and not found[1].startswith("您不是本件"):
                if person.pk == req.handler_id or _drawn(req, person):
                    return f"{person.full_name}：{found[1]}"
    if req.handler_id is None:
        return "没有可抽取的经办人（均已回避、未培训、超过任职期限或已停用）"
    return "没有可办理本件的人员"


def _drawn(req: InquiryRequest, person) -> bool:
    return req.participants.filter(staff=person, round=req.round).exists()
