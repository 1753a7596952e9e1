from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gongxin.registry"
    label = "registry"
    verbose_name = "名单库"
