"""Supervision's routes in the permission map (gongxin.platform.permissions), and its menu."""

from gongxin.supervision.oversight import national_oversight, unit_oversight

UNIT_OVERSIGHT = "unit_oversight"  # 监督员、签发人: the unit's statistics
NATIONAL_OVERSIGHT = "national_oversight"  # 国家级平台单位的监督员: the provinces side by side

NAMED_LEVELS = {UNIT_OVERSIGHT: unit_oversight, NATIONAL_OVERSIGHT: national_oversight}

ROUTES: dict[str, str] = {
    "supervision_statistics": UNIT_OVERSIGHT,
    "supervision_statistics_xlsx": UNIT_OVERSIGHT,
    "supervision_national": NATIONAL_OVERSIGHT,
    "supervision_national_xlsx": NATIONAL_OVERSIGHT,
    "supervision_national_unit": NATIONAL_OVERSIGHT,
}
MENU: tuple[tuple[str, str], ...] = (
    ("supervision_statistics", "服务统计"),
    ("supervision_national", "全国监督"),
)
