from gongxin.platform.roles import Role

ROUTES = {
    "audit_trail": Role.AUDITOR,
    "audit_verify": Role.AUDITOR,
}
MENU = [("audit_trail", "留痕查询")]
