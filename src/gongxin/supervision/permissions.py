"""Supervision's routes in the permission map (gongxin.platform.permissions), and its menu."""

from gongxin.platform.roles import Role

ROUTES: dict[str, str] = {}
MENU: tuple[tuple[str, str], ...] = ()

# 抽查抽检 (spotcheck_views): the unit's supervisors.
ROUTES |= {
    "supervision_spot_checks": Role.SUPERVISOR,
    "supervision_spot_check_new": Role.SUPERVISOR,
    "supervision_spot_check": Role.SUPERVISOR,
    "supervision_finding_close": Role.SUPERVISOR,
}
MENU += (("supervision_spot_checks", "抽查抽检"),)
