"""Forms of 人员管理. They read what was typed; who may do what, which roles go together and
whether a password is strong enough are the services' to say (gongxin.accounts.services)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from gongxin.platform.forms import DATE_INPUT
from gongxin.platform.roles import Role

DATE_ERRORS = {"invalid": "日期格式不正确", "required": "请填写日期"}


class StaffCreateForm(forms.Form):
    username = forms.CharField(
        label="用户名", max_length=150, validators=[UnicodeUsernameValidator()],
        help_text="登录用，只能包含字母、数字和 @ . + - _",
        error_messages={"required": "请填写用户名"},
    )  # fmt: skip
    full_name = forms.CharField(label="姓名", max_length=50,
                                error_messages={"required": "请填写姓名"})  # fmt: skip
    post_since = forms.DateField(label="本岗位任职起始日期", widget=DATE_INPUT,
                                 error_messages=DATE_ERRORS)  # fmt: skip
    trained_on = forms.DateField(label="业务培训合格日期", widget=DATE_INPUT, required=False,
                                 error_messages=DATE_ERRORS, help_text="未取得的不填")  # fmt: skip
    roles = forms.MultipleChoiceField(
        label="角色", choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text="业务角色可兼任；系统管理员、安全管理员、审计管理员只能单独担任其中一个",
    )  # fmt: skip
    password = forms.CharField(
        label="初始密码", strip=False, widget=forms.PasswordInput,
        help_text="至少 12 位，含大写字母、小写字母、数字、符号中的三类，不能是常见密码",
        error_messages={"required": "请设置初始密码"},
    )  # fmt: skip
    password_again = forms.CharField(label="再次输入初始密码", strip=False,
                                     widget=forms.PasswordInput,
                                     error_messages={"required": "请再次输入初始密码"})  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") != data.get("password"):
            self.add_error("password_again", "两次输入的密码不一致")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由", max_length=200, error_messages={"required": "请填写理由"}
    )


class RoleChangeForm(ReasonForm):
    role = forms.ChoiceField(label="角色", choices=Role.choices,
                             error_messages={"required": "请选择角色"})  # fmt: skip
