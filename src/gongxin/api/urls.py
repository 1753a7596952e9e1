"""The API's root: each product's routes, the token endpoints, the schema and its pages."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

import gongxin.platform.converters  # noqa: F401 - registers <id:…>
from gongxin.api.auth import ObtainToken, RevokeToken
from gongxin.inquiry.api.views import register_routes
from gongxin.platform.permissions import requires

router = SimpleRouter(use_regex_path=False)  # typed <id:pk> paths
register_routes(router)

app_name = "api"
urlpatterns = [
    path("auth/token/", ObtainToken.as_view(), name="token-obtain"),
    path("auth/token/current/", RevokeToken.as_view(), name="token-revoke"),
    *router.urls,
]

schema_urls = [
    path("api/schema/", requires("api-schema")(SpectacularAPIView.as_view()), name="api-schema"),
    path(
        "api/docs/",
        requires("api-docs")(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
