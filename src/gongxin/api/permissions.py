from gongxin.platform.permissions import PUBLIC, STAFF

ROUTES = {
    "api-schema": STAFF,
    "api-docs": STAFF,
    "api:token-obtain": PUBLIC,  # a client signs in for a token
    "api:token-revoke": STAFF,
}
