"""Signing in and out, changing one's own password, and the lockout page. Every outcome is
recorded once (gongxin.accounts.signin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from gongxin.accounts import signin
from gongxin.platform.trail import record
from gongxin.platform.views import error_page


class SignIn(auth_views.LoginView):
    """Django's sign-in (which gives the session a new key), refused while the account is
    locked even with the right password (axes' backend comes first)."""

    template_name = "gongxin/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        self.was_locked = signin.is_locked(request, request.POST.get("username", ""))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        record(signin.actor_of(user), "auth.sign_in", ref=("User", user.pk), via="web")
        return response

    def form_invalid(self, form):
        username = form.cleaned_data.get("username")
        if username and form.cleaned_data.get("password"):  # an attempt, not a blank form
            signin.refused(self.request, username, was_locked=self.was_locked,
                           action="auth.sign_in", actor="web")  # fmt: skip
        return super().form_invalid(form)


class SignOut(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            user = request.user
            record(signin.actor_of(user), "auth.sign_out", ref=("User", user.pk))
        return super().post(request, *args, **kwargs)


class PasswordChange(auth_views.PasswordChangeView):
    """One's own password. This session stays signed in; the person's other sessions end
    (signin.end_sessions; Django's digest of the password hash in each session also refuses
    them)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        signin.end_sessions(user, keep=self.request.session.session_key)
        record(signin.actor_of(user), "auth.password_change", ref=("User", user.pk))
        messages.success(self.request, "密码已修改。其他设备上的登录已失效。")
        return response


def locked_out(request, response=None, credentials=None):
    """The answer to a sign-in refused for lockout (AXES_LOCKOUT_CALLABLE): the Chinese page in
    the frame, or a problem under /api/."""
    return error_page(request, 429, "账号已锁定", signin.locked_message(), code="locked")
