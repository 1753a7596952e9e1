"""The Chinese labels of the trail codes the accounts app records (gongxin.platform.labels)."""

ACTIONS = {
    "auth.sign_in": "登录",
    "auth.sign_out": "退出登录",
    "auth.lockout": "账号锁定",
    "auth.otp_enrol": "绑定动态口令",
    "auth.password_change": "修改密码",
    "auth.token": "签发接口令牌",
    "auth.token_revoke": "注销接口令牌",
    "staff.create": "新建账号",
    "staff.activate": "启用账号",
    "staff.deactivate": "停用账号",
    "staff.expire": "长期未用账号自动停用",
    "staff.otp_reset": "重置动态口令",
    "staff.password_reset": "重置密码",
    "staff.unlock": "解除锁定",
    "staff.post_since": "登记任职日期",
    "role.grant": "授予角色",
    "role.revoke": "撤销角色",
    "training.record": "登记业务培训",
    "training.withdraw": "撤销培训记录",
    "recusal.add": "登记回避",
    "recusal.end": "结束回避",
    "workstation.register": "登记专用终端",
    "workstation.code": "生成终端绑定码",
    "workstation.enrol": "绑定专用终端",
    "workstation.deactivate": "停用专用终端",
}
OBJECTS = {"User": "账号"}
GROUPS = {
    "auth": "登录与口令",
    "staff": "账号管理",
    "role": "角色授权",
    "training": "业务培训",
    "recusal": "回避",
    "workstation": "专用终端",
}
