from django.urls import path

from gongxin.supervision import rotation_views

urlpatterns: list = []

urlpatterns += [
    path("supervision/rotation/", rotation_views.rotation_page, name="supervision_rotation"),
    path(
        "supervision/rotation.xlsx",
        rotation_views.rotation_export,
        name="supervision_rotation_export",
    ),
    path("supervision/reminders/", rotation_views.reminders_page, name="supervision_reminders"),
]
