"""API tokens: a client signs in for a token and sends ``Authorization: Token <key>``; the
token ends after GONGXIN_TOKEN_HOURS, when the client revokes it, when the person's sessions
are ended, or when the workstation it was issued on is deactivated. Only the key's digest is
stored (gongxin.accounts.models.ApiToken)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from gongxin.accounts import passwords, signin
from gongxin.accounts.models import ApiToken
from gongxin.api.authentication import HashedTokenAuthentication
from gongxin.audit.services import record
from gongxin.platform.rest import MapPermission, validated
from gongxin.platform.rest_fields import StrictCharField, problems


class Credentials(serializers.Serializer):
    username = StrictCharField(max_length=150, label="用户名")
    password = StrictCharField(max_length=128, trim_whitespace=False, label="密码",
                               style={"input_type": "password"})  # fmt: skip
    otp = StrictCharField(max_length=20, label="动态验证码",
                          help_text="验证器显示的 6 位数字；每个只能使用一次")  # fmt: skip


TOKEN = inline_serializer("Token", {
    "token": serializers.CharField(), "username": serializers.CharField(),
    "name": serializers.CharField(), "expires_at": serializers.DateTimeField(),
})  # fmt: skip


class ObtainToken(APIView):
    """POST username, password and ``otp`` (the 6-digit code of the person's authenticator,
    each usable once), from a registered workstation of the person's unit (its device cookie):
    a new API token, shown only in this answer, valid until ``expires_at``
    (GONGXIN_TOKEN_HOURS), until revoked, or until that workstation is deactivated.
    Wrong credentials or code, an account that may not sign in, one not enrolled yet or whose
    password must be changed first, or a request from no registered workstation answer 401;
    more than a few tries a minute from one address, or any try at an account locked after 5
    wrong passwords or codes, answer 429."""

    permission_classes = [MapPermission]
    authentication_classes = [HashedTokenAuthentication]  # for the WWW-Authenticate of a 401
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=Credentials, responses={200: TOKEN, **problems(400, 401, 429)},
                   auth=[])  # fmt: skip
    def post(self, request):
        data = validated(Credentials, request.data)
        # The Django request, which axes marks and its middleware reads: the API counts toward
        # the same lockout as the sign-in page, and a locked account gets no token. The checks
        # are the sign-in page's (gongxin.accounts.signin.attempt), which records refusals.
        plain = request._request
        result = signin.attempt(plain, data["username"], data["password"], data["otp"],
                                action="auth.token", actor="api", need_enrolled=True)  # fmt: skip
        if result.refusal:
            raise AuthenticationFailed(result.message, code=result.refusal)
        reason = passwords.change_reason(result.staff)
        if reason:
            record(result.staff, "auth.token", ref=("User", result.user.pk), outcome="refused",
                   code="password_expired")  # fmt: skip
            raise AuthenticationFailed(f"{reason}请在浏览器登录修改密码后再申请令牌。",
                                       code="password_expired")  # fmt: skip
        signin.succeeded(plain, result.user)
        token, key = ApiToken.issue(result.user, result.workstation)
        record(result.staff, "auth.token", ref=("User", result.user.pk),
               expires_at=token.expires_at.isoformat())  # fmt: skip
        staff = result.staff
        return Response({"token": key, "username": result.user.username, "name": staff.full_name,
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
