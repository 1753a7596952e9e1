from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gongxin.audit"
    label = "audit"
    verbose_name = "留痕"
