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


# --- 人员档案: training, tenure, recusals (gongxin.accounts.records) ---------------------------


class TrainingForm(forms.Form):
    course = forms.CharField(label="培训内容", max_length=100,
                             error_messages={"required": "请填写培训内容"})  # fmt: skip
    trained_on = forms.DateField(label="培训合格日期", widget=DATE_INPUT,
                                 error_messages=DATE_ERRORS)  # fmt: skip
    valid_until = forms.DateField(label="有效期至", widget=DATE_INPUT, required=False,
                                  error_messages=DATE_ERRORS,
                                  help_text="不填的，按系统设定的有效期计算")  # fmt: skip


class RecordReasonForm(ReasonForm):
    """An action on one of the person's rows (a training record, a recusal), named by id."""

    record = forms.IntegerField(min_value=1, error_messages={"required": "请选择记录",
                                                             "invalid": "请选择记录"})  # fmt: skip


class TenureForm(ReasonForm):
    post_since = forms.DateField(label="本岗位任职起始日期", widget=DATE_INPUT,
                                 error_messages=DATE_ERRORS)  # fmt: skip


class RecusalForm(forms.Form):
    """Either an agency or a person (name and ID number); which fields a kind needs, and
    whether they are right, is the service's to say (gongxin.accounts.records.add_recusal)."""

    kind = forms.ChoiceField(label="回避对象", choices=[("agency", "发起查询单位"),
                                                      ("person", "人选")],
                             error_messages={"required": "请选择回避对象",
                                             "invalid_choice": "请选择回避对象"})  # fmt: skip
    agency = forms.IntegerField(label="发起查询单位", required=False,
                                error_messages={"invalid": "请选择发起查询单位"})  # fmt: skip
    name = forms.CharField(label="人选姓名", max_length=100, required=False)
    id_number = forms.CharField(label="公民身份号码", max_length=40, required=False)
    reason = forms.CharField(label="回避原因", max_length=200,
                             error_messages={"required": "请填写回避原因"})  # fmt: skip
    starts_on = forms.DateField(label="回避起始日期", widget=DATE_INPUT, required=False,
                                error_messages=DATE_ERRORS)  # fmt: skip
    ends_on = forms.DateField(label="回避截止日期", widget=DATE_INPUT, required=False,
                              error_messages=DATE_ERRORS)  # fmt: skip
