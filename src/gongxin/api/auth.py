"""API tokens: a client signs in for a token and sends ``Authorization: Token <key>``; the
token ends after GONGXIN_TOKEN_HOURS, when the client revokes it, or when the person's sessions
are ended. Only the key's digest is stored (gongxin.accounts.models.ApiToken)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from gongxin.accounts import signin
from gongxin.accounts.models import ApiToken
from gongxin.api.authentication import HashedTokenAuthentication
from gongxin.audit.services import record
from gongxin.platform.permissions import STAFF, allowed
from gongxin.platform.rest import MapPermission, validated
from gongxin.platform.rest_fields import StrictCharField, problems
from gongxin.platform.scope import staff_of


class Credentials(serializers.Serializer):
    username = StrictCharField(max_length=150, label="用户名")
    password = StrictCharField(max_length=128, trim_whitespace=False, label="密码",
                               style={"input_type": "password"})  # fmt: skip


TOKEN = inline_serializer("Token", {
    "token": serializers.CharField(), "username": serializers.CharField(),
    "name": serializers.CharField(), "expires_at": serializers.DateTimeField(),
})  # fmt: skip


class ObtainToken(APIView):
    """POST username and password: a new API token, shown only in this answer, valid until
    ``expires_at`` (GONGXIN_TOKEN_HOURS) or until revoked.
    Wrong credentials, or an account that may not sign in, answer 401; more than a few tries a
    minute from one address, or any try at an account locked after 5 wrong passwords, answer 429."""

    permission_classes = [MapPermission]
    authentication_classes = [HashedTokenAuthentication]  # for the WWW-Authenticate of a 401
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=Credentials, responses={200: TOKEN, **problems(400, 401, 429)},
                   auth=[])  # fmt: skip
    def post(self, request):
        data = validated(Credentials, request.data)
        # The Django request, which axes marks and its middleware reads: the API counts toward
        # the same lockout as the sign-in page, and a locked account gets no token.
        plain = request._request
        was_locked = signin.is_locked(plain, data["username"])
        user = authenticate(plain, username=data["username"], password=data["password"])
        staff = staff_of(user) if user is not None else None
        if staff is None or not allowed(staff, STAFF):
            # Which account was tried, from where; never the password (gongxin.accounts.signin).
            signin.refused(plain, data["username"], was_locked=was_locked, action="auth.token",
                           actor="api")  # fmt: skip
            raise AuthenticationFailed("用户名或密码不正确，或账号已停用")
        signin.succeeded(plain, user)
        token, key = ApiToken.issue(user)
        record(staff, "auth.token", ref=("User", user.pk), expires_at=token.expires_at.isoformat())
        return Response({"token": key, "username": user.username, "name": staff.full_name,
                         "expires_at": token.expires_at})  # fmt: skip


class RevokeToken(APIView):
    """DELETE: the token this request was made with stops working (made with a web session:
    every token of the account)."""

    permission_classes = [MapPermission]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="已注销"),
                                            **problems(401, 404)})  # fmt: skip
    def delete(self, request):
        used = request.auth if isinstance(request.auth, ApiToken) else None
        tokens = ApiToken.objects.filter(user=request.user)
        deleted, _ = (tokens.filter(pk=used.pk) if used else tokens).delete()
        record(request.staff, "auth.token_revoke", ref=("User", request.user.pk), revoked=deleted)
        return Response(status=204)
