"""The root of the routes: each app's urls, the API, and the error pages."""

from django.urls import include, path

import gongxin.platform.converters  # noqa: F401 - registers <id:…>
from gongxin.api.urls import schema_urls

urlpatterns = [
    path("", include("gongxin.accounts.urls")),
    path("", include("gongxin.platform.urls")),
    path("", include("gongxin.documents.urls")),
    path("", include("gongxin.inquiry.urls")),
    path("", include("gongxin.audit.urls")),
    path("", include("gongxin.supervision.urls")),
    path("api/v1/", include("gongxin.api.urls")),
    *schema_urls,
]

handler400 = "gongxin.platform.views.bad_request"
handler403 = "gongxin.platform.views.permission_denied"
handler404 = "gongxin.platform.views.page_not_found"
handler500 = "gongxin.platform.views.server_error"
