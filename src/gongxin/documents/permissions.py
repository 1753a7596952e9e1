from gongxin.platform.permissions import PUBLIC

ROUTES = {
    "verify": PUBLIC,  # agencies check a letter; shows no personal data
    "verify_code": PUBLIC,
}
