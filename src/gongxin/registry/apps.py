from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gongxin.registry"
    label = "registry"
    verbose_name = "名单库"

    def ready(self):
        from gongxin.platform.labels import register_module
        from gongxin.registry import labels
        from gongxin.registry.sealed import register_sealed

        register_sealed()
        register_module(labels)
