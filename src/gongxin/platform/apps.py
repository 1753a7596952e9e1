from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "gongxin.platform"
    label = "platform"
    verbose_name = "平台"
