from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "gongxin.api"
    label = "api"
    verbose_name = "接口"
