"""Supervision's routes in the permission map (gongxin.platform.permissions), and its menu."""

from gongxin.platform.permissions import BUSINESS
from gongxin.platform.roles import Role

ROUTES: dict[str, str] = {}
MENU: tuple[tuple[str, str], ...] = ()

# 定期轮换与业务培训 (the unit's supervisor) and 提醒 (anyone with a business role: their own;
# a supervisor also everyone's of the unit).
ROUTES |= {
    "supervision_rotation": Role.SUPERVISOR,
    "supervision_rotation_export": Role.SUPERVISOR,
    "supervision_reminders": BUSINESS,
}
MENU += (("supervision_rotation", "定期轮换"), ("supervision_reminders", "提醒"))
