"""The project's routes plus two that fail, to see the 403 and 500 pages through the real
handlers (tests/test_resume.py)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from gongxin.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [*urlpatterns, path("test-forbidden/", forbidden), path("test-broken/", broken)]
