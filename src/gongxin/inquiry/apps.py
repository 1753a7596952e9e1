from django.apps import AppConfig


class InquiryConfig(AppConfig):
    name = "gongxin.inquiry"
    label = "inquiry"
    verbose_name = "查询业务"
