"""Supervision's routes in the permission map (gongxin.platform.permissions), and its menu."""

ROUTES: dict[str, str] = {}
MENU: tuple[tuple[str, str], ...] = ()
