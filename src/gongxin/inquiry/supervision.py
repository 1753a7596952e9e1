"""What the supervisor must see: open requests nobody may move on, and why (无人可办理); and
what a request waits for, in words, wherever it is shown.

"Nobody" includes 补抽: a request waiting for a draw the pool can fill is not stuck, it is on the
to-do list of the supervisor and the handler. What is left is a draw nobody can fill, or a
handler who can no longer act.
"""

from __future__ import annotations

from gongxin.inquiry.choices import OPEN_STATES
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.rules import draw_needed, pool_shortfall, unable, who_may_act
from gongxin.platform.roles import Role


def stuck(requests, staff) -> list[tuple[InquiryRequest, str]]:
    """Open requests among ``requests`` that nobody among ``staff`` may move on, each with
    what blocks it."""
    return [(req, why(req, staff)) for req in requests.filter(state__in=OPEN_STATES)
            if not who_may_act(req, staff)]  # fmt: skip


def _left(req, role) -> str:
    """「（原签发人吴军：账号已停用，不能办理）」 for those drawn who can no longer act."""
    gone = "；".join(f"{s.full_name}：{reason}" for s, reason in unable(req, role))
    return f"（原{Role(role).label}{gone}）" if gone else ""


def waiting_for(req: InquiryRequest) -> str:
    """「待补抽签发人 1 名（原签发人…：账号已停用…）：没有可抽取的…」, or blank when no draw is
    needed: what the request waits for, whom the draw replaces, and why it cannot be made yet."""
    need = draw_needed(req)
    if need is None:
        return ""
    role, count = need
    said = f"待补抽{Role(role).label} {count} 名{_left(req, role)}"
    return f"{said}：{short}" if (short := pool_shortfall(req, role, count)) else said


def why(req: InquiryRequest, staff) -> str:
    """What blocks a stuck request: the draw it waits for and why that cannot be made."""
    if need := draw_needed(req):
        left = _left(req, need[0])
        if reason := pool_shortfall(req, *need):
            return f"{reason}{left}"
        return f"需要补抽，但本单位没有可发起补抽的人员（监督员或本件经办人）{left}"
    return "没有可办理本件的人员"
