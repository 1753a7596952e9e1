from django.contrib.auth import views as auth_views
from django.urls import include, path

from gongxin.api.urls import schema_urls
from gongxin.documents import views as documents
from gongxin.inquiry import views
from gongxin.permissions import requires

urlpatterns = [
    path(
        "login/",
        requires("login")(
            auth_views.LoginView.as_view(
                template_name="gongxin/login.html", redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout/", requires("logout")(auth_views.LogoutView.as_view()), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/result/", views.request_result, name="request_result"),
    path("requests/<int:pk>/letter.<slug:fmt>", documents.request_letter, name="request_letter"),
    path("templates/", documents.request_templates, name="request_templates"),
    path(
        "templates/request.<slug:fmt>",
        documents.request_template_file,
        name="request_template_file",
    ),
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="request_action"),
    path("candidates/<int:pk>/review/", views.candidate_review, name="candidate_review"),
    path("calendar/", views.calendar, name="calendar"),
    path("wording/", documents.wording_page, name="wording"),
    path("verify/", documents.verify, name="verify"),
    path("verify/<str:code>/", documents.verify_code, name="verify_code"),
    path("api/v1/", include("gongxin.api.urls")),
    *schema_urls,
]
