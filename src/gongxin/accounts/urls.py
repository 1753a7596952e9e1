from django.urls import path

from gongxin.accounts import record_views, security_views, staff_views, unit_settings, views
from gongxin.platform.permissions import requires

urlpatterns = [
    path("login/", requires("login")(views.SignIn.as_view()), name="login"),
    path("logout/", requires("logout")(views.SignOut.as_view()), name="logout"),
    path(
        "password/",
        requires("password_change")(views.PasswordChange.as_view()),
        name="password_change",
    ),
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/new/", staff_views.staff_new, name="staff_new"),
    path("staff/<id:pk>/", staff_views.staff_detail, name="staff_detail"),
    path("staff/<id:pk>/grant/", staff_views.staff_grant, name="staff_grant"),
    path("staff/<id:pk>/revoke/", staff_views.staff_revoke, name="staff_revoke"),
    path("staff/<id:pk>/deactivate/", staff_views.staff_deactivate, name="staff_deactivate"),
    path("staff/<id:pk>/activate/", staff_views.staff_activate, name="staff_activate"),
    # 人员档案: training, tenure, recusals (the row acted on is named in the form body).
    path("staff/<id:pk>/training/", record_views.staff_training, name="staff_training"),
    path(
        "staff/<id:pk>/training/withdraw/",
        record_views.staff_training_withdraw,
        name="staff_training_withdraw",
    ),
    path("staff/<id:pk>/tenure/", record_views.staff_tenure, name="staff_tenure"),
    path("staff/<id:pk>/recusals/", record_views.staff_recusal, name="staff_recusal"),
    path("staff/<id:pk>/recusals/end/", record_views.staff_recusal_end, name="staff_recusal_end"),
    # Sign-in security: the second factor, workstations (专机), the administrator's resets.
    path("second-factor/", views.second_factor, name="second_factor"),
    path("workstation/enrol/", security_views.workstation_enrol, name="workstation_enrol"),
    path("workstations/", security_views.workstation_list, name="workstation_list"),
    path("workstations/new/", security_views.workstation_new, name="workstation_new"),
    path("workstations/<id:pk>/code/", security_views.workstation_code, name="workstation_code"),
    path(
        "workstations/<id:pk>/deactivate/",
        security_views.workstation_deactivate,
        name="workstation_deactivate",
    ),
    path(
        "staff/<id:pk>/password-reset/",
        security_views.staff_password_reset,
        name="staff_password_reset",
    ),
    path("staff/<id:pk>/otp-reset/", security_views.staff_otp_reset, name="staff_otp_reset"),
    path("staff/<id:pk>/unlock/", security_views.staff_unlock, name="staff_unlock"),
    # 单位设置: the unit's system administrator (the tenure on a rotating post).
    path("unit/settings/", unit_settings.unit_settings, name="unit_settings"),
]
