from django.contrib.auth import views as auth_views
from django.urls import path

from gongxin.platform.permissions import requires

login = auth_views.LoginView.as_view(
    template_name="gongxin/login.html", redirect_authenticated_user=True
)

urlpatterns = [
    path("login/", requires("login")(login), name="login"),
    path("logout/", requires("logout")(auth_views.LogoutView.as_view()), name="logout"),
]
