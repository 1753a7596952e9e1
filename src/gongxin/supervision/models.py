"""Supervision's records: spot checks and their findings, the risk register, emergency plans
and drills, and the consultation log."""

from django.db import models

from gongxin.accounts.models import PlatformUnit, RequestingAgency, Staff
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


class RequestTally(models.Model):
    """A closed request's counts, as the statistics read them (gongxin.supervision.figures).

    A request's figures stop changing when it is closed (反馈 or 退回) until a 更正 reopens it,
    which changes its round and state; its working days change only with the calendar. So the
    counts are kept under that key (``round``, ``state``, ``calendar``): a row whose key no
    longer matches is counted again from the recorded rows before any figure is read. Derived,
    never edited: the rows remain the record; deleting every tally changes no figure, only the
    time of the next load."""

    request = models.OneToOneField(InquiryRequest, models.CASCADE, primary_key=True,
                                   related_name="+")  # fmt: skip
    unit = models.ForeignKey(PlatformUnit, models.CASCADE, related_name="+")
    received_on = models.DateField("收文日期")
    month = models.DateField("收文月份")  # the first day of received_on's month
    agency = models.ForeignKey(RequestingAgency, models.CASCADE, related_name="+")
    kind = models.CharField("类别", max_length=16)
    round = models.PositiveSmallIntegerField("办理轮次")
    state = models.CharField("状态", max_length=20)
    calendar = models.CharField("节假日安排版本", max_length=16)
    workdays = models.SmallIntegerField(
        "办理用时（工作日）", null=True
    )  # None: not issued or untimed
    candidates = models.PositiveIntegerField("人选数", default=0)
    listed = models.PositiveIntegerField("列入人数", default=0)
    decided = models.PositiveIntegerField("已定结果人数", default=0)
    reviews = models.PositiveIntegerField("复核人次", default=0)
    disagreements = models.PositiveIntegerField("复核不一致", default=0)
    extended = models.BooleanField("延期", default=False)
    corrected = models.BooleanField("更正", default=False)
    returned = models.BooleanField("退回", default=False)
    overdue = models.BooleanField("超期", default=False)

    class Meta:
        verbose_name = "统计计数"
        # The figures read a period's tallies three times, grouped (by month, by working days,
        # by agency and kind; each within a unit): each index holds every column its query
        # reads, in the order it groups by, so SQLite reads the index alone and groups without
        # sorting (bench/bench_supervision.py).
        indexes = [
            models.Index(fields=["unit", "month", "received_on", "extended", "corrected",
                                 "overdue", "returned", "workdays", "listed", "decided",
                                 "reviews", "disagreements", "round", "state", "calendar"],
                         name="tally_unit_months"),
            models.Index(fields=["unit", "workdays", "received_on"], name="tally_unit_days"),
            models.Index(fields=["unit", "kind", "agency", "received_on", "candidates"],
                         name="tally_unit_agencies"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.request_id} {self.state} {self.round}"


# 风险防范措施台账, 紧急应对预案, 电话咨询 (gongxin.supervision.register_models)
from gongxin.supervision.register_models import (  # noqa: E402, F401
    Consultation,
    Drill,
    EmergencyPlan,
    RiskPoint,
    RiskReview,
)
