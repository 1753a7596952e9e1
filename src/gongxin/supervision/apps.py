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
        # The scopes of the registers and the log, and the 工作台 panel of overdue reviews and
        # drills (gongxin.platform.panels).
        from gongxin.supervision import (  # noqa: F401
            consultations,
            exports,
            registers,
            rotation_panels,
        )

        provider(spotchecks.dashboard_panels)  # also registers the spot checks' scope
        from gongxin.supervision.statistics_panel import statistics_panel

        provider(statistics_panel)
