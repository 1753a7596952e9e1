"""What the supervisor must see: open requests nobody may move on, and why (无人可办理).

"Nobody" includes 补抽: a request waiting for a draw the pool can fill is not stuck, it is on the
to-do list of the supervisor and the handler. What is left is a draw nobody can fill, or a
handler who can no longer act.
"""

from __future__ import annotations

from gongxin.inquiry.choices import OPEN_STATES
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.rules import RULES, missing_draw, pool_short, refusal, who_may_act


def stuck(requests, staff) -> list[tuple[InquiryRequest, str]]:
    """Open requests among ``requests`` that nobody among ``staff`` may move on, each with
    what blocks it."""
    return [(req, why(req, staff)) for req in requests.filter(state__in=OPEN_STATES)
            if not who_may_act(req, staff)]  # fmt: skip


def why(req: InquiryRequest, staff) -> str:
    """What blocks a stuck request, in the words its people would be refused with."""
    if need := missing_draw(req):
        if reason := pool_short(req, *need):
            return reason
        return "需要补抽，但本单位没有可发起补抽的人员（监督员或本件经办人）"
    handler = next((p for p in staff if p.pk == req.handler_id), None)
    if handler is not None:
        for action, spec in RULES.items():
            if spec.advances and req.state in spec.states:
                if found := refusal(handler, req, action):
                    return f"经办人{handler.full_name}：{found[1]}"
    return "没有可办理本件的人员"
