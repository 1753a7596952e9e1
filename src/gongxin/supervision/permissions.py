"""Supervision's routes in the permission map (gongxin.platform.permissions), and its menu."""

from gongxin.platform.permissions import BUSINESS
from gongxin.platform.roles import Role
from gongxin.supervision.consultations import LOG_CALLS
from gongxin.supervision.oversight import national_oversight, unit_oversight
from gongxin.supervision.registers import MANAGE

UNIT_OVERSIGHT = "unit_oversight"  # 监督员、签发人: the unit's statistics
NATIONAL_OVERSIGHT = "national_oversight"  # 国家级平台单位的监督员: the provinces side by side

NAMED_LEVELS = {UNIT_OVERSIGHT: unit_oversight, NATIONAL_OVERSIGHT: national_oversight}


# 风险防范措施台账 and 紧急应对预案: kept by the supervisor (registers.MANAGE); 电话咨询: recorded
# and read by the unit's business staff (consultations.LOG_CALLS).
REGISTER_ROUTES = {
    **{f"supervision_{name}": MANAGE for name in (
        "risks", "risk_new", "risks_export", "risk_detail", "risk_edit", "risk_review",
        "risk_revoke", "plans", "plan_new", "plans_export", "plan_detail", "plan_edit",
        "plan_drill",
    )},
    **{f"supervision_{name}": LOG_CALLS for name in (
        "consultations", "consultation_new", "consultations_export", "consultation_detail",
        "consultation_follow_up",
    )},
}  # fmt: skip

ROUTES: dict[str, str] = {**REGISTER_ROUTES}
MENU: tuple[tuple[str, str], ...] = (
    ("supervision_risks", "风险台账"),
    ("supervision_plans", "应急预案"),
    ("supervision_consultations", "电话咨询"),
)

# 定期轮换与业务培训 (the unit's supervisor) and 提醒 (anyone with a business role: their own;
# a supervisor also everyone's of the unit).
ROUTES |= {
    "supervision_rotation": Role.SUPERVISOR,
    "supervision_rotation_export": Role.SUPERVISOR,
    "supervision_reminders": BUSINESS,
}
MENU += (("supervision_rotation", "定期轮换"), ("supervision_reminders", "提醒"))

# 通报 (the unit's to its civil-service authority; the national center's on the provinces)
ROUTES |= {
    "supervision_reports": Role.SUPERVISOR,
    "supervision_report_docx": Role.SUPERVISOR,
    "supervision_report_pdf": Role.SUPERVISOR,
    "supervision_report_issue": Role.SUPERVISOR,  # POST only
    "supervision_report_file": Role.SUPERVISOR,  # an issued one, of the unit
}
MENU += (("supervision_reports", "通报"),)

# 抽查抽检 (spotcheck_views): the unit's supervisors.
ROUTES |= {
    "supervision_spot_checks": Role.SUPERVISOR,
    "supervision_spot_check_new": Role.SUPERVISOR,
    "supervision_spot_check": Role.SUPERVISOR,
    "supervision_finding_close": Role.SUPERVISOR,
}
MENU += (("supervision_spot_checks", "抽查抽检"),)

# 服务统计 and 全国监督 (statistics_views): the named levels above.
ROUTES |= {
    "supervision_statistics": UNIT_OVERSIGHT,
    "supervision_statistics_xlsx": UNIT_OVERSIGHT,
    "supervision_national": NATIONAL_OVERSIGHT,
    "supervision_national_xlsx": NATIONAL_OVERSIGHT,
    "supervision_national_unit": NATIONAL_OVERSIGHT,
}
# First in the menu: what a supervisor looks at most.
MENU = (("supervision_statistics", "服务统计"), ("supervision_national", "全国监督"), *MENU)
