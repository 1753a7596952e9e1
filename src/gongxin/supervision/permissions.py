"""Supervision's routes in the permission map (gongxin.platform.permissions), and its menu."""

from gongxin.platform.roles import Role

ROUTES: dict[str, str] = {
    "supervision_reports": Role.SUPERVISOR,
    "supervision_report_docx": Role.SUPERVISOR,
    "supervision_report_pdf": Role.SUPERVISOR,
    "supervision_report_issue": Role.SUPERVISOR,  # POST only
}
MENU: tuple[tuple[str, str], ...] = (("supervision_reports", "通报"),)
