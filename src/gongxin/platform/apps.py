from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "gongxin.platform"
    label = "platform"
    verbose_name = "平台"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from gongxin.platform import (
            background,  # noqa: F401 - registers exports' job kind
            checks,  # noqa: F401 - registers the system checks
            planner,
        )

        post_migrate.connect(planner.after_migrate, sender=self)

        # Every process (server worker, command) starts by removing uploads a crashed one left.
        from gongxin.platform.uploads import sweep_leftovers

        sweep_leftovers()
