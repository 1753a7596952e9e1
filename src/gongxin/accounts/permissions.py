from gongxin.platform.permissions import PUBLIC, STAFF

ROUTES = {
    "login": PUBLIC,
    "logout": STAFF,
    "password_change": STAFF,
}
# Last in the menu: everyone signed in, the three administrators included, changes their own.
MENU = [("password_change", "修改密码")]
