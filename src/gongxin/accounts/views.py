"""Signing in and out, enrolling the second factor, changing one's own password, and the lockout
page. Every outcome is recorded once (gongxin.accounts.signin)."""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from gongxin.accounts import passwords, secondfactor, signin, workstations
from gongxin.accounts.security_forms import CodeForm, NewPasswordForm, SignInForm
from gongxin.platform.permissions import requires
from gongxin.platform.scope import staff_of
from gongxin.platform.trail import record
from gongxin.platform.views import error_page


def next_page(request) -> str:
    """Where to go once a step is done: the page the person was sent from, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("dashboard")


class SignIn(auth_views.LoginView):
    """Django's sign-in (which gives the session a new key) with the whole check of
    ``signin.attempt``: a registered workstation, the password (refused while the account is
    locked, axes' backend comes first), the TOTP code. A person not enrolled yet is signed in
    without the second factor and the gate sends them to enrol it."""

    template_name = "gongxin/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["workstation"] = workstations.at(self.request)
        return context

    def form_valid(self, form):
        result = form.attempt
        response = super().form_valid(form)
        if result.device is not None:
            django_otp.login(self.request, result.device)
        self.request.session[signin.WORKSTATION_KEY] = result.workstation.pk
        factor = "totp" if result.device is not None else "not_enrolled"
        record(result.staff, "auth.sign_in", ref=("User", result.user.pk), via="web",
               second_factor=factor)  # fmt: skip
        return response


class SignOut(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            user = request.user
            record(signin.actor_of(user), "auth.sign_out", ref=("User", user.pk))
        return super().post(request, *args, **kwargs)


class PasswordChange(auth_views.PasswordChangeView):
    """One's own password. This session stays signed in; the person's other sessions end
    (signin.end_sessions; Django's digest of the password hash in each session also refuses
    them). When the password must change first (gongxin.accounts.passwords), the page says why
    and the sign-in gate sends every other page here."""

    template_name = "accounts/password_change.html"
    form_class = NewPasswordForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reason"] = passwords.change_reason(staff_of(self.request.user))
        context["next"] = next_page(self.request)
        return context

    def get_success_url(self):
        return next_page(self.request)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        staff = staff_of(user)
        if staff is not None:
            passwords.changed(staff)
        signin.end_sessions(user, keep=self.request.session.session_key)
        record(signin.actor_of(user), "auth.password_change", ref=("User", user.pk))
        messages.success(self.request, "密码已修改。其他设备上的登录已失效。")
        return response


@requires("second_factor")
def second_factor(request):
    """绑定动态验证码: at the first sign-in (and after the security administrator reset it), the
    secret as a QR code and as text; a code from the authenticator confirms it and completes
    the sign-in."""
    user = request.user
    if user.is_verified():
        return redirect(next_page(request))
    if secondfactor.enrolled(user):
        # A session that has not passed the code of an enrolled device: sign in again with it.
        record(request.staff, "auth.sign_out", ref=("User", user.pk), reason="second_factor")
        logout(request)
        messages.info(request, "请重新登录，并输入验证器显示的动态验证码")
        return redirect_to_login(next_page(request))
    form = CodeForm(request.POST or None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = secondfactor.confirm(user, form.cleaned_data["otp"])
            if device is None:
                record(request.staff, "auth.otp_enrol", ref=("User", user.pk),
                       outcome="refused", code="otp")  # fmt: skip
            else:
                record(request.staff, "auth.otp_enrol", ref=("User", user.pk))
        if device is not None:
            django_otp.login(request, device)
            messages.success(
                request, "已绑定动态验证码。以后每次登录都需输入验证器显示的 6 位数字。"
            )
            return redirect(next_page(request))
        problem = ("验证码不正确：请输入验证器当前显示的 6 位数字（每 30 秒更新），"
                   "并核对手机的时间是否准确")  # fmt: skip
    elif request.method == "POST":
        problem = form.errors["otp"][0]
    device = secondfactor.pending_device(user)
    context = {"qr": secondfactor.qr_data_uri(device), "secret": secondfactor.secret_of(device),
               "problem": problem, "next": next_page(request)}  # fmt: skip
    return render(request, "accounts/second_factor.html", context)


def locked_out(request, response=None, credentials=None):
    """The answer to a sign-in refused for lockout (AXES_LOCKOUT_CALLABLE): the Chinese page in
    the frame, or a problem under /api/."""
    back = (reverse("login"), "返回登录页")  # not signed in: the dashboard would be the same page
    return error_page(request, 429, "账号已锁定", signin.locked_message(), code="locked",
                      back=back)  # fmt: skip
