"""API tokens: a client signs in once for a token and sends ``Authorization: Token <key>``;
it revokes the token when done (or a security administrator does, with the account)."""

from __future__ import annotations

from django.contrib.auth import authenticate, get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

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
    "name": serializers.CharField(),
})  # fmt: skip


class ObtainToken(APIView):
    """POST username and password: the account's API token (the same one until revoked).
    Wrong credentials, or an account that may not sign in, answer 401; more than a few tries a
    minute from one address answer 429 (account lockout is the sign-in's, issue 8)."""

    permission_classes = [MapPermission]
    authentication_classes = [TokenAuthentication]  # for the WWW-Authenticate of a 401
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=Credentials, responses={200: TOKEN, **problems(400, 401, 429)},
                   auth=[])  # fmt: skip
    def post(self, request):
        data = validated(Credentials, request.data)
        user = authenticate(request, username=data["username"], password=data["password"])
        staff = staff_of(user) if user is not None else None
        if staff is None or not allowed(staff, STAFF):
            # Which account was tried, from where. What was typed is kept only when it names an
            # account: people type passwords and ID numbers into the wrong field.
            tried = data["username"]
            known = get_user_model().objects.filter(username=tried).exists()
            record("api", "auth.token", outcome="refused", code="credentials",
                   username=tried if known else "（不存在的账号）",
                   address=request.META.get("REMOTE_ADDR", ""))  # fmt: skip
            raise AuthenticationFailed("用户名或密码不正确，或账号已停用")
        token, _ = Token.objects.get_or_create(user=user)
        record(staff, "auth.token", ref=("User", user.pk))
        return Response({"token": token.key, "username": user.username, "name": staff.full_name})


class RevokeToken(APIView):
    """DELETE: the token this request was made with (or the account's) stops working."""

    permission_classes = [MapPermission]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="已注销"),
                                            **problems(401, 404)})  # fmt: skip
    def delete(self, request):
        deleted, _ = Token.objects.filter(user=request.user).delete()
        record(request.staff, "auth.token_revoke", ref=("User", request.user.pk), revoked=deleted)
        return Response(status=204)
