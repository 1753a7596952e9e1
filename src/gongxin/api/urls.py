from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from gongxin.api import views
from gongxin.permissions import requires

router = SimpleRouter(use_regex_path=False)  # typed <int:pk> paths
router.register("requests", views.RequestViewSet, basename="request")
router.register("candidates", views.CandidateViewSet, basename="candidate")

app_name = "api"
urlpatterns = router.urls

schema_urls = [
    path("api/schema/", requires("api-schema")(SpectacularAPIView.as_view()), name="api-schema"),
    path(
        "api/docs/",
        requires("api-docs")(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
