from django.urls import path

from gongxin.accounts import views
from gongxin.platform.permissions import requires

urlpatterns = [
    path("login/", requires("login")(views.SignIn.as_view()), name="login"),
    path("logout/", requires("logout")(views.SignOut.as_view()), name="logout"),
    path(
        "password/",
        requires("password_change")(views.PasswordChange.as_view()),
        name="password_change",
    ),
]
