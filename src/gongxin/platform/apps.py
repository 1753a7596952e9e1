from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "gongxin.platform"
    label = "platform"
    verbose_name = "平台"

    def ready(self) -> None:
        from gongxin.platform import (
            background,  # noqa: F401 - registers exports' job kind
            checks,  # noqa: F401 - registers the system checks
        )

        # Every process (server worker, command) starts by removing uploads a crashed one left.
        from gongxin.platform.uploads import sweep_leftovers

        sweep_leftovers()
