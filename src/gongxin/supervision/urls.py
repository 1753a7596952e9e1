from django.urls import path

from gongxin.supervision import spotcheck_views

urlpatterns: list = [
    path("supervision/spot-checks/", spotcheck_views.spot_check_list,
         name="supervision_spot_checks"),
    path("supervision/spot-checks/new/", spotcheck_views.spot_check_new,
         name="supervision_spot_check_new"),
    path("supervision/spot-checks/<id:pk>/", spotcheck_views.spot_check_detail,
         name="supervision_spot_check"),
    path("supervision/findings/<id:pk>/close/", spotcheck_views.finding_close,
         name="supervision_finding_close"),
]  # fmt: skip
