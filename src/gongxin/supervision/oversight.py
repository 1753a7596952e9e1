"""Who oversees what: the rules of the statistics pages (one place: the permission map names
them as levels), and the hook through which the national page shows each province's open
spot-check findings."""

from __future__ import annotations

from gongxin.accounts.choices import UnitLevel
from gongxin.platform.roles import Role
from gongxin.platform.rules import Reason, holds, rule

# 服务统计 of one's own unit: its supervisors and its signers.
unit_oversight = (holds(Role.SUPERVISOR) | holds(Role.SIGNER)).otherwise(
    "只有监督员和签发人可以查看本单位服务统计"
)


@rule("national_unit")
def national_unit(staff, subject) -> Reason:
    unit = getattr(staff, "unit", None)
    return (
        None
        if getattr(unit, "level", None) == UnitLevel.NATIONAL
        else "只有国家级平台单位可以监督各省"
    )


# 全国监督 (the provinces side by side): the national center's supervisors.
national_oversight = holds(Role.SUPERVISOR) & national_unit


def open_findings_by_unit(period=None) -> dict[str, int]:
    """unit code -> open spot-check findings (抽查发现的问题未关闭). Empty until the spot checks
    are wired in at merge."""
    return {}
