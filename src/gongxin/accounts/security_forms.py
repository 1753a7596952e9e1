"""Forms of sign-in security: the sign-in page (password and code), the new password, the
workstation's registration and enrolment. What is accepted is gongxin.accounts.signin's and the
services' to say; these read what was typed."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError

from gongxin.accounts import signin


class SignInForm(AuthenticationForm):
    """Username, password and the TOTP code on one page: a refusal never says which was wrong.
    The whole check is ``signin.attempt`` (workstation, lockout, password, code), which also
    records the outcome; ``attempt`` is kept for the view."""

    otp = forms.CharField(label="动态验证码", required=False, max_length=20)

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": signin.CREDENTIALS,
        "inactive": signin.CREDENTIALS,
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:  # an attempt, not a blank form
            self.attempt = signin.attempt(
                self.request, username, password, self.cleaned_data.get("otp", ""),
                action="auth.sign_in", actor="web", need_enrolled=False,
            )  # fmt: skip
            if self.attempt.refusal:
                raise ValidationError(self.attempt.message, code=self.attempt.refusal)
            self.user_cache = self.attempt.user
        return self.cleaned_data


class NewPasswordForm(PasswordChangeForm):
    """Django's change form, refusing the password in use (an expired or reset password must
    really change)."""

    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise ValidationError("新密码不能与当前密码相同", code="password_unchanged")
        return new


class CodeForm(forms.Form):
    """The six digits of the authenticator, when the second factor is enrolled."""

    otp = forms.CharField(label="动态验证码", max_length=20,
                          error_messages={"required": "请输入验证器显示的 6 位数字"})  # fmt: skip


class WorkstationForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100, help_text="如“经办一号机”“安全管理员机”",
                           error_messages={"required": "请填写名称"})  # fmt: skip
    ranges = forms.CharField(
        label="地址范围", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="可不填。本机使用的网络地址或地址段，每行一个，如 10.12.3.45 或 10.12.3.0/24；"
                  "不填则不限地址，只凭本机浏览器中的设备凭据",
    )  # fmt: skip


class EnrolmentForm(forms.Form):
    code = forms.CharField(label="登记码", max_length=40,
                           error_messages={"required": "请输入安全管理员给出的登记码"})  # fmt: skip
