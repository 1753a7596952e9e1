from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gongxin.audit"
    label = "audit"
    verbose_name = "留痕"

    def ready(self):
        from gongxin.audit import labels, scope  # noqa: F401 - scope registers the scope
        from gongxin.audit.services import record
        from gongxin.platform import trail
        from gongxin.platform.labels import register_module

        trail.connect(record)
        register_module(labels)
        from gongxin.audit import views  # noqa: F401 - registers the trail's export (background)
