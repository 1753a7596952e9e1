from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "gongxin.documents"
    label = "documents"
    verbose_name = "公文"

    def ready(self):
        from gongxin.documents import scope  # noqa: F401 - registers the scope
        from gongxin.documents.sealed import register_sealed

        register_sealed()
        from gongxin.documents import labels
        from gongxin.platform.labels import register_module

        register_module(labels)
