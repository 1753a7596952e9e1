from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "gongxin.supervision"
    label = "supervision"
    verbose_name = "监督管理"

    def ready(self):
        from gongxin.platform.labels import register_module
        from gongxin.supervision import labels

        register_module(labels)

        from gongxin.platform.panels import provider
        from gongxin.supervision.statistics_panel import statistics_panel

        provider(statistics_panel)
