from django.urls import path

from gongxin.supervision import report_views

urlpatterns: list = [
    path("supervision/reports/", report_views.reports, name="supervision_reports"),
    path(
        "supervision/reports/draft.docx", report_views.report_docx, name="supervision_report_docx"
    ),
    path("supervision/reports/draft.pdf", report_views.report_pdf, name="supervision_report_pdf"),
    path("supervision/reports/issue/", report_views.report_issue, name="supervision_report_issue"),
]
