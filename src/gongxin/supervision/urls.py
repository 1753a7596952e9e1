from django.urls import path

from gongxin.supervision import statistics_views

urlpatterns: list = [
    path("supervision/statistics/", statistics_views.statistics, name="supervision_statistics"),
    path("supervision/statistics/xlsx", statistics_views.statistics_xlsx,
         name="supervision_statistics_xlsx"),
    path("supervision/national/", statistics_views.national_page, name="supervision_national"),
    path("supervision/national/xlsx", statistics_views.national_xlsx,
         name="supervision_national_xlsx"),
    path("supervision/national/<slug:unit>/", statistics_views.national_unit,
         name="supervision_national_unit"),
]  # fmt: skip
