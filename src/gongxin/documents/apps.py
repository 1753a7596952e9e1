from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "gongxin.documents"
    label = "documents"
    verbose_name = "公文"
