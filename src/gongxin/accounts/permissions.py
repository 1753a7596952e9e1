from gongxin.platform.permissions import PUBLIC, STAFF

ROUTES = {
    "login": PUBLIC,
    "logout": STAFF,
}
