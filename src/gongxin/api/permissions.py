from rest_framework.permissions import BasePermission

from gongxin.inquiry.scope import staff_of
from gongxin.permissions import URL_PERMISSIONS, allowed


class MapPermission(BasePermission):
    """The route's entry in gongxin.permissions.URL_PERMISSIONS decides, as for the pages."""

    def has_permission(self, request, view):
        name = request.resolver_match.view_name
        request.staff = staff_of(request.user)
        return allowed(request.user, URL_PERMISSIONS[name])
