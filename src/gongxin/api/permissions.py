from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from gongxin.inquiry.scope import staff_of
from gongxin.permissions import URL_PERMISSIONS, allowed


class MapPermission(BasePermission):
    """The route's entry in gongxin.permissions.URL_PERMISSIONS decides, as for the pages:
    anonymous → 401; signed in but out of scope → 404, never a hint that something exists."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        request.staff = staff_of(request.user)
        if not allowed(request.user, URL_PERMISSIONS[request.resolver_match.view_name]):
            raise NotFound
        return True
