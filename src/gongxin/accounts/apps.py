from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongxin.accounts"
    label = "accounts"
    verbose_name = "单位与人员"

    def ready(self):
        from gongxin.accounts import scope  # noqa: F401 - registers the scopes
        from gongxin.accounts.recusals import register_sealed

        register_sealed()
        from gongxin.accounts import labels
        from gongxin.platform.labels import register_module

        register_module(labels)
