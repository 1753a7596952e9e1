"""Supervision's records: spot checks and their findings, the risk register, emergency plans
and drills, and the consultation log."""

from django.db import models

from gongxin.accounts.models import PlatformUnit, Staff
from gongxin.core import clock
from gongxin.inquiry.models import InquiryRequest
from gongxin.platform.scope import RestrictedManager


class SpotCheck(models.Model):
    """抽查抽检: a random sample of the unit's requests first issued (反馈) in a period, each
    screened again as of its original date and list version (decision 0015)."""

    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="spot_checks")
    period_start = models.DateField("反馈日期起")
    period_end = models.DateField("反馈日期止")
    rate = models.PositiveSmallIntegerField("抽查比例（%）")
    drawn_by = models.ForeignKey(Staff, models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("抽查时间", default=clock.now)
    population = models.PositiveIntegerField("可抽查件数")
    sample_size = models.PositiveIntegerField("抽查件数")

    objects = RestrictedManager()

    class Meta:
        verbose_name = "抽查抽检"
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.period_start}—{self.period_end}"


class SpotCheckItem(models.Model):
    """One sampled request and whether its issued result agreed with the re-screening.
    ``differences`` holds row numbers, result codes and counts only, never a name or number."""

    spot_check = models.ForeignKey(SpotCheck, models.PROTECT, related_name="items")
    request = models.ForeignKey(InquiryRequest, models.PROTECT, related_name="+")
    candidates = models.PositiveIntegerField("核对人选数")
    agreed = models.BooleanField("结果一致")
    differences = models.JSONField("不一致之处", default=list, blank=True)

    class Meta:
        verbose_name = "抽查事项"
        ordering = ["spot_check", "id"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "request"], name="spot_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.spot_check_id}/{self.request_id}"


class Finding(models.Model):
    """抽查发现的问题: opened by a discrepancy, open until a supervisor closes it with an
    explanation."""

    item = models.OneToOneField(SpotCheckItem, models.PROTECT, related_name="finding")
    opened_at = models.DateTimeField("发现时间", default=clock.now)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(Staff, models.PROTECT, null=True, blank=True, related_name="+")
    explanation = models.TextField("处理说明", blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "抽查问题"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | ~models.Q(explanation=""),
                name="finding_closed_with_explanation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {'已关闭' if self.closed_at else '未关闭'}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


# 风险防范措施台账, 紧急应对预案, 电话咨询 (gongxin.supervision.register_models)
from gongxin.supervision.register_models import (  # noqa: E402, F401
    Consultation,
    Drill,
    EmergencyPlan,
    RiskPoint,
    RiskReview,
)
