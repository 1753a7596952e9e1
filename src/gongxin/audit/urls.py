from django.urls import path

from gongxin.audit import views

urlpatterns = [
    path("audit/", views.trail, name="audit_trail"),
    path("audit/verify/", views.verify_chain, name="audit_verify"),
]
