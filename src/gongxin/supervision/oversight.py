"""Who oversees what: the rules of the statistics pages (one place: the permission map names
them as levels)."""

from __future__ import annotations

from gongxin.platform.roles import Role
from gongxin.platform.rules import holds, national_unit

# 服务统计 of one's own unit: its supervisors and its signers.
unit_oversight = (holds(Role.SUPERVISOR) | holds(Role.SIGNER)).otherwise(
    "只有监督员和签发人可以查看本单位服务统计"
)


# 全国监督 (the provinces side by side): the national center's supervisors.
national_oversight = holds(Role.SUPERVISOR) & national_unit
