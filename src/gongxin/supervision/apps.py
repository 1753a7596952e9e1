from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "gongxin.supervision"
    label = "supervision"
    verbose_name = "监督管理"

    def ready(self):
        from gongxin.platform.labels import register_module
        from gongxin.supervision import labels

        register_module(labels)
        from gongxin.supervision import rotation_panels  # noqa: F401 - registers its panels
