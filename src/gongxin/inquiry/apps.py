from django.apps import AppConfig


class InquiryConfig(AppConfig):
    name = "gongxin.inquiry"
    label = "inquiry"
    verbose_name = "查询需求"

    def ready(self):
        from gongxin.documents.integrity import register_check
        from gongxin.inquiry import (
            scope,  # noqa: F401 - registers the scopes
            tasks,  # noqa: F401 - registers its kind of background job
        )
        from gongxin.inquiry.result_check import letter_problems
        from gongxin.inquiry.sealed import register_sealed

        register_sealed()
        register_check(letter_problems)
        from gongxin.inquiry import labels
        from gongxin.platform.labels import register_module

        register_module(labels)
