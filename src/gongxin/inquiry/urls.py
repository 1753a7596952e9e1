from django.urls import path

from gongxin.inquiry import (
    candidate_views,
    document_views,
    queue_views,
    return_views,
    search_views,
    sheet_views,
    signoff_views,
    task_views,
    views,
)
from gongxin.inquiry.rules import RULES

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/register.xlsx", queue_views.request_register, name="request_register"),
    path("requests/search/", search_views.request_search, name="request_search"),
    path("requests/<id:pk>/", views.request_detail, name="request_detail"),
    path("requests/<id:pk>/result/", views.request_result, name="request_result"),
    path("requests/<id:pk>/progress/", task_views.request_progress, name="request_progress"),
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
        if action not in ("review", "edit_candidates")
    ],
    path("requests/<id:pk>/draft.pdf", signoff_views.request_draft, name="request_draft"),
    path(
        "requests/<id:pk>/candidates/",
        candidate_views.edit_candidates_page,
        name="request_edit_candidates",
    ),
    path("candidates/<id:pk>/review/", views.candidate_review, name="candidate_review"),
    path("templates/", document_views.request_templates, name="request_templates"),
    path(
        "templates/request.<slug:fmt>",
        document_views.request_template_file,
        name="request_template_file",
    ),
    path("wording/", document_views.wording_page, name="wording"),
]
