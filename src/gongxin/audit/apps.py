from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gongxin.audit"
    label = "audit"
    verbose_name = "留痕"

    def ready(self):
        from gongxin.audit import scope  # noqa: F401 - registers the scope
        from gongxin.audit.services import record
        from gongxin.platform import trail

        trail.connect(record)
