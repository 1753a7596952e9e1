from django.urls import path

from gongxin.inquiry import document_views, return_views, sheet_views, views
from gongxin.inquiry.rules import RULES

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<id:pk>/", views.request_detail, name="request_detail"),
    path("requests/<id:pk>/result/", views.request_result, name="request_result"),
    path(
        "requests/<id:pk>/letter.<slug:fmt>", document_views.request_letter, name="request_letter"
    ),
    path("requests/<id:pk>/return-letter/", return_views.make, name="request_return_letter"),
    path(
        "requests/<id:pk>/return-letter.<slug:fmt>",
        return_views.download,
        name="request_return_letter_file",
    ),
    path("requests/<id:pk>/sheet/", sheet_views.sheet, name="request_sheet"),
    *[
        path(f"requests/<id:pk>/{action}/", views.action_view(action), name=f"request_{action}")
        for action in RULES
        if action != "review"
    ],
    path("candidates/<id:pk>/review/", views.candidate_review, name="candidate_review"),
    path("templates/", document_views.request_templates, name="request_templates"),
    path(
        "templates/request.<slug:fmt>",
        document_views.request_template_file,
        name="request_template_file",
    ),
    path("wording/", document_views.wording_page, name="wording"),
]
