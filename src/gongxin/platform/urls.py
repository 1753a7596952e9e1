from django.urls import path

from gongxin.platform import views

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
]
