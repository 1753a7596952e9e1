from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "gongxin.supervision"
    label = "supervision"
    verbose_name = "监督管理"

    def ready(self):
        from gongxin.platform.labels import register_module
        from gongxin.platform.panels import provider
        from gongxin.supervision import labels, spotchecks

        register_module(labels)
        provider(spotchecks.dashboard_panels)  # also registers the spot checks' scope
