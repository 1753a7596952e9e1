"""How the limits on what one person sends are said (the numbers are in settings, GONGXIN_*,
documented in docs/limits.md): the advice that ends a refusal, and long problem lists cut to
what a page or an API answer can show."""

from __future__ import annotations

from django.conf import settings

from gongxin.platform.errors import Problem


def candidates_max() -> int:
    return settings.GONGXIN_CANDIDATES_MAX


def too_many_candidates(found: int, where: str = "本次") -> str:
    """The refusal of a batch over the limit, with the way to register it (分批登记)."""
    most = candidates_max()
    return (f"每份来函最多{most}名人选，{where}有{found}名，请分成若干份"
            f"（每份不超过{most}名）分别登记")  # fmt: skip


def split_advice() -> str:
    most = candidates_max()
    return f"每份来函最多{most}名人选，人选较多时请分成若干份分别登记"


def shown(problems: list[Problem]) -> tuple[list[Problem], int]:
    """The problems to list, and how many more there are (listed as 「另有N处问题未列出」)."""
    most = settings.GONGXIN_PROBLEMS_SHOWN
    return problems[:most], max(0, len(problems) - most)


def not_listed(rest: int) -> str:
    return f"另有{rest}处问题未列出"
