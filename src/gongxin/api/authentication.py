"""How the API knows who calls: a web session, or a token looked up by its digest.

A module of its own, without views: REST framework imports it while loading its settings.
"""

from __future__ import annotations

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from gongxin.accounts.models import ApiToken
from gongxin.core import clock
from gongxin.platform.trail import set_workstation


class HashedTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, looked up by the key's digest; an expired token, or one
    of an account that may no longer sign in, is refused like a wrong one. The trail names the
    workstation the token was issued on for every call made with it."""

    def authenticate_credentials(self, key):
        live = (ApiToken.objects.select_related("user", "workstation__unit")
                .filter(expires_at__gt=clock.now()))  # fmt: skip
        token = live.filter(digest=ApiToken.digest_of(key)).first()
        if token is None or not token.user.is_active:
            raise AuthenticationFailed("令牌无效或已过期，请重新获取")
        if token.workstation is not None:
            set_workstation(token.workstation.label, token.workstation.unit.code)
        return token.user, token
