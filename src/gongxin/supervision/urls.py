from django.urls import path

from gongxin.supervision import register_views as rv
from gongxin.supervision import report_views, rotation_views, spotcheck_views, statistics_views

urlpatterns: list = [
    # 风险防范措施台账, 紧急应对预案, 电话咨询 (gongxin.supervision.register_views)
    path("supervision/risks/", rv.risk_list, name="supervision_risks"),
    path("supervision/risks/new/", rv.risk_new, name="supervision_risk_new"),
    path("supervision/risks/export/", rv.risk_export, name="supervision_risks_export"),
    path("supervision/risks/<id:pk>/", rv.risk_detail, name="supervision_risk_detail"),
    path("supervision/risks/<id:pk>/edit/", rv.risk_edit, name="supervision_risk_edit"),
    path("supervision/risks/<id:pk>/review/", rv.risk_review, name="supervision_risk_review"),
    path("supervision/risks/<id:pk>/revoke/", rv.risk_revoke, name="supervision_risk_revoke"),
    path("supervision/plans/", rv.plan_list, name="supervision_plans"),
    path("supervision/plans/new/", rv.plan_new, name="supervision_plan_new"),
    path("supervision/plans/export/", rv.plan_export, name="supervision_plans_export"),
    path("supervision/plans/<id:pk>/", rv.plan_detail, name="supervision_plan_detail"),
    path("supervision/plans/<id:pk>/edit/", rv.plan_edit, name="supervision_plan_edit"),
    path("supervision/plans/<id:pk>/drill/", rv.plan_drill, name="supervision_plan_drill"),
    path("supervision/consultations/", rv.consultation_list, name="supervision_consultations"),
    path(
        "supervision/consultations/new/", rv.consultation_new, name="supervision_consultation_new"
    ),
    path(
        "supervision/consultations/export/",
        rv.consultation_export,
        name="supervision_consultations_export",
    ),
    path(
        "supervision/consultations/<id:pk>/",
        rv.consultation_detail,
        name="supervision_consultation_detail",
    ),
    path(
        "supervision/consultations/<id:pk>/follow-up/",
        rv.consultation_follow_up,
        name="supervision_consultation_follow_up",
    ),
    path("supervision/rotation/", rotation_views.rotation_page, name="supervision_rotation"),
    path(
        "supervision/rotation.xlsx",
        rotation_views.rotation_export,
        name="supervision_rotation_export",
    ),
    path("supervision/reminders/", rotation_views.reminders_page, name="supervision_reminders"),
    path("supervision/reports/", report_views.reports, name="supervision_reports"),
    path(
        "supervision/reports/draft.docx", report_views.report_docx, name="supervision_report_docx"
    ),
    path("supervision/reports/draft.pdf", report_views.report_pdf, name="supervision_report_pdf"),
    path("supervision/reports/issue/", report_views.report_issue, name="supervision_report_issue"),
    path(
        "supervision/reports/<id:pk>.pdf", report_views.report_file, name="supervision_report_file"
    ),
]

# 抽查抽检 (gongxin.supervision.spotcheck_views)
urlpatterns += [
    path(
        "supervision/spot-checks/", spotcheck_views.spot_check_list, name="supervision_spot_checks"
    ),
    path(
        "supervision/spot-checks/new/",
        spotcheck_views.spot_check_new,
        name="supervision_spot_check_new",
    ),
    path(
        "supervision/spot-checks/<id:pk>/",
        spotcheck_views.spot_check_detail,
        name="supervision_spot_check",
    ),
    path(
        "supervision/findings/<id:pk>/close/",
        spotcheck_views.finding_close,
        name="supervision_finding_close",
    ),
]

# 服务统计, 全国监督 (gongxin.supervision.statistics_views)
urlpatterns += [
    path("supervision/statistics/", statistics_views.statistics, name="supervision_statistics"),
    path("supervision/statistics/xlsx", statistics_views.statistics_xlsx,
         name="supervision_statistics_xlsx"),
    path("supervision/national/", statistics_views.national_page, name="supervision_national"),
    path("supervision/national/xlsx", statistics_views.national_xlsx,
         name="supervision_national_xlsx"),
    path("supervision/national/<slug:unit>/", statistics_views.national_unit,
         name="supervision_national_unit"),
]  # fmt: skip
