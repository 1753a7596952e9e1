from gongxin.platform.permissions import PUBLIC, STAFF
from gongxin.platform.roles import Role

ROUTES = {
    "login": PUBLIC,
    "logout": STAFF,
    "password_change": STAFF,
    # 人员管理: the security administrator of the unit (the scope keeps it to that unit).
    "staff_list": Role.SECADMIN,
    "staff_new": Role.SECADMIN,
    "staff_detail": Role.SECADMIN,
    "staff_grant": Role.SECADMIN,
    "staff_revoke": Role.SECADMIN,
    "staff_deactivate": Role.SECADMIN,
    "staff_activate": Role.SECADMIN,
    # 人员档案 (gongxin.accounts.records): the same administrator, the same scope.
    "staff_training": Role.SECADMIN,
    "staff_training_withdraw": Role.SECADMIN,
    "staff_tenure": Role.SECADMIN,
    "staff_recusal": Role.SECADMIN,
    "staff_recusal_end": Role.SECADMIN,
    # Sign-in security. Enrolling the second factor: a person signed in with the password only
    # (the sign-in gate lets them reach nothing else). A workstation's browser enrols with the
    # one-time code, nobody signed in. 专机管理 and the resets: the unit's security administrator.
    "second_factor": STAFF,
    "workstation_enrol": PUBLIC,
    "workstation_list": Role.SECADMIN,
    "workstation_new": Role.SECADMIN,
    "workstation_code": Role.SECADMIN,
    "workstation_deactivate": Role.SECADMIN,
    "staff_password_reset": Role.SECADMIN,
    "staff_otp_reset": Role.SECADMIN,
    "staff_unlock": Role.SECADMIN,
    # 单位设置 (gongxin.accounts.unit_settings): the unit's system administrator.
    "unit_settings": Role.SYSADMIN,
}
# Actions that only change something when posted (a GET goes back to the person's page).
POST_ONLY = frozenset({"staff_grant", "staff_revoke", "staff_deactivate", "staff_activate",
                       "staff_password_reset", "staff_otp_reset", "staff_unlock",
                       "workstation_code", "workstation_deactivate", "staff_training",
                       "staff_training_withdraw", "staff_tenure", "staff_recusal",
                       "staff_recusal_end"})  # fmt: skip
# 修改密码 is beside the person's name in the frame (everyone signed in, administrators included).
MENU = [("staff_list", "人员管理"), ("workstation_list", "专机管理"), ("unit_settings", "单位设置")]
