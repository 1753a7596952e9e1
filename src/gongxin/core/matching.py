"""Matching rules (DESIGN §1 step 3): how a candidate relates to one list entry.

``exact``: the ID number and the name agree. ``id_only``: the ID number agrees, the name does
not. ``possible``: the entry's ID number is masked, its visible digits agree with the candidate's
and the name agrees. A name alone never matches; an organisation never matches a person.
"""

from __future__ import annotations

from enum import StrEnum


class MatchClass(StrEnum):
    EXACT = "exact"
    ID_ONLY = "id_only"
    POSSIBLE = "possible"
    NONE = "none"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def explanation(self) -> str:
        """One line a reviewer reads beside the evidence: what agreed, and what to check."""
        return _EXPLANATIONS[self]


_LABELS = {
    MatchClass.EXACT: "完全匹配",
    MatchClass.ID_ONLY: "仅身份号码匹配",
    MatchClass.POSSIBLE: "可能匹配",
    MatchClass.NONE: "未匹配",
}
_EXPLANATIONS = {
    MatchClass.EXACT: "姓名与公民身份号码均一致",
    MatchClass.ID_ONLY: "号码一致、姓名不同：可能为改名或录入错误，请核实是否同一人",
    MatchClass.POSSIBLE: "名单记录的号码部分隐去，可见数字与姓名一致：须核实是否同一人",
    MatchClass.NONE: "未发现号码一致的名单记录",
}
_STRENGTH = {MatchClass.EXACT: 3, MatchClass.ID_ONLY: 2, MatchClass.POSSIBLE: 1, MatchClass.NONE: 0}


def classify(*, id_agrees: bool, name_agrees: bool, entry_masked: bool) -> MatchClass:
    """The class of one candidate against one entry of the same subject kind.

    ``id_agrees`` means equal numbers for a full entry, and agreeing visible digits for a masked
    one (see :func:`gongxin.core.idnumber.masked_agrees`); ``name_agrees`` compares normalised
    names. A masked number without the name is not evidence of anything.
    """
    if not id_agrees:
        return MatchClass.NONE
    if entry_masked:
        return MatchClass.POSSIBLE if name_agrees else MatchClass.NONE
    return MatchClass.EXACT if name_agrees else MatchClass.ID_ONLY


def strongest(classes) -> MatchClass:
    """The candidate's overall class is the strongest class of any entry."""
    return max(classes, key=_STRENGTH.__getitem__, default=MatchClass.NONE)
