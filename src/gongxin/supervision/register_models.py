"""风险防范措施台账, 紧急应对预案 and 电话咨询: the unit's risk points with their reviews, its
emergency plans with their drills, and its log of telephone consultations.

Read through ``restrict(staff, action)`` (gongxin.supervision.registers and
gongxin.supervision.consultations register the scopes); changed only through those modules'
services, each change audited once.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from gongxin.accounts.models import PlatformUnit, RequestingAgency, Staff
from gongxin.platform.scope import RestrictedManager


class Interval(models.IntegerChoices):
    """How often a risk point is reviewed, or a plan drilled (in months)."""

    MONTH = 1, "每月"
    QUARTER = 3, "每季度"
    HALF_YEAR = 6, "每半年"
    YEAR = 12, "每年"


class RiskStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    REVOKED = "revoked", "已撤销"


class RiskPoint(models.Model):
    """A risk point of the unit's work, the measure against it, who answers for it and when it
    is next reviewed. Revoked (with a reason), never deleted."""

    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="risk_points")
    title = models.CharField("风险点", max_length=100)
    description = models.TextField("风险描述")
    owner = models.ForeignKey(Staff, models.PROTECT, related_name="+", verbose_name="责任人")
    measure = models.TextField("防范措施")
    review_months = models.PositiveSmallIntegerField("复核周期", choices=Interval.choices)
    next_review_on = models.DateField("下次复核日期")
    status = models.CharField("状态", max_length=16, choices=RiskStatus.choices,
                              default=RiskStatus.ACTIVE)  # fmt: skip
    revoked_reason = models.CharField("撤销原因", max_length=200, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.CharField("撤销人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间")
    created_by = models.CharField("登记人", max_length=150)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "风险点"
        ordering = ["next_review_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def overdue(self, today: dt.date) -> bool:
        """Its review date has passed (the day itself is not overdue) and it is in force."""
        return self.status == RiskStatus.ACTIVE and self.next_review_on < today


class RiskReview(models.Model):
    """One review of a risk point: when, by whom, and what it found."""

    risk = models.ForeignKey(RiskPoint, models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField("复核日期")
    reviewer = models.ForeignKey(Staff, models.PROTECT, related_name="+", verbose_name="复核人")
    outcome = models.TextField("复核情况")
    recorded_at = models.DateTimeField("登记时间")
    recorded_by = models.CharField("登记人", max_length=150)

    class Meta:
        verbose_name = "风险点复核"
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.risk.title}：{self.reviewed_on}复核"


class Scenario(models.TextChoices):
    SYSTEM = "system", "系统故障"
    LEAK = "leak", "数据泄露"
    LISTS = "lists", "名单库异常"
    OTHER = "other", "其他"


class EmergencyPlan(models.Model):
    """紧急应对预案: a scenario, who answers for it, what is done, and when it is next drilled."""

    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="emergency_plans")
    title = models.CharField("预案名称", max_length=100)
    scenario = models.CharField("适用情形", max_length=16, choices=Scenario.choices)
    owner = models.ForeignKey(Staff, models.PROTECT, related_name="+", verbose_name="责任人")
    measures = models.TextField("应对措施")
    drill_months = models.PositiveSmallIntegerField("演练周期", choices=Interval.choices)
    next_drill_on = models.DateField("下次演练日期")
    created_at = models.DateTimeField("登记时间")
    created_by = models.CharField("登记人", max_length=150)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "应急预案"
        ordering = ["next_drill_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def overdue(self, today: dt.date) -> bool:
        return self.next_drill_on < today


class Drill(models.Model):
    """One drill of a plan: when, who took part, how it went, what was found and improved."""

    plan = models.ForeignKey(EmergencyPlan, models.PROTECT, related_name="drills")
    held_on = models.DateField("演练日期")
    participants = models.ManyToManyField(Staff, related_name="+", verbose_name="参加人员")
    outcome = models.TextField("演练情况")
    problems = models.TextField("发现的问题", blank=True)
    improvements = models.TextField("改进措施", blank=True)
    recorded_at = models.DateTimeField("登记时间")
    recorded_by = models.CharField("登记人", max_length=150)

    class Meta:
        verbose_name = "应急演练"
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan.title}：{self.held_on}演练"


class Topic(models.TextChoices):
    SCOPE = "scope", "查询范围"
    PROGRESS = "progress", "办理进度"
    RESULT = "result", "结果解释"
    OTHER = "other", "其他"


class Consultation(models.Model):
    """电话咨询: one call — from which agency (one the unit serves, or a name typed in), who
    called, when, about what, the answer, and whether it needed following up."""

    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="consultations")
    agency = models.ForeignKey(RequestingAgency, models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name="来电单位")  # fmt: skip
    agency_name = models.CharField("来电单位", max_length=100)  # as shown: the agency's or typed
    caller = models.CharField("来电人", max_length=50)
    called_on = models.DateField("来电日期")
    called_time = models.TimeField("来电时间", null=True, blank=True)
    topic = models.CharField("咨询事项", max_length=16, choices=Topic.choices)
    question = models.TextField("咨询内容")
    answer = models.TextField("答复内容")
    follow_up = models.BooleanField("需跟进", default=False)
    followed_up_on = models.DateField("跟进日期", null=True, blank=True)
    follow_up_note = models.TextField("跟进情况", blank=True)
    followed_up_by = models.CharField("跟进人", max_length=150, blank=True)
    recorded_by = models.ForeignKey(Staff, models.PROTECT, related_name="+",
                                    verbose_name="记录人")  # fmt: skip
    recorded_at = models.DateTimeField("登记时间")

    objects = RestrictedManager()

    class Meta:
        verbose_name = "电话咨询"
        ordering = ["-called_on", "-called_time", "-pk"]
        indexes = [models.Index(fields=["unit", "called_on"], name="consultation_unit_day")]

    def __str__(self) -> str:
        return f"{self.called_on} {self.agency_name}来电"

    @property
    def open(self) -> bool:
        """Needs following up and has not been."""
        return self.follow_up and self.followed_up_on is None
