"""Background actions: a large request's 查询, 提交 or 签发 run by the task worker."""

from __future__ import annotations

from django.db import models

from gongxin.accounts.models import Staff
from gongxin.core import clock
from gongxin.inquiry.choices import JobState
from gongxin.inquiry.models.requests import InquiryRequest


class RequestJob(models.Model):
    """One workflow action of a large request, enqueued by a person and run by the worker as
    that person (gongxin.inquiry.tasks). It holds no personal data: counts, states and the
    Chinese message of a refusal or failure. At most one is queued or running per request, so
    a double click cannot enqueue the same action twice. ``basis`` is what the request looked
    like at enqueue (state, round, screenings): a run that finds it moved on does nothing."""

    request = models.ForeignKey(InquiryRequest, models.CASCADE, related_name="jobs")
    action = models.CharField("办理事项", max_length=20)
    actor = models.ForeignKey(Staff, models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=10, choices=JobState.choices,
                             default=JobState.QUEUED)  # fmt: skip
    basis = models.CharField("提交时的办理状态", max_length=60)
    processed = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    step = models.CharField("当前步骤", max_length=30, blank=True)
    message = models.CharField("失败原因", max_length=300, blank=True)
    created_at = models.DateTimeField("提交时间", default=clock.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台办理"
        ordering = ["request", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=models.Q(state__in=["queued", "running"]),
                name="one_active_job_per_request",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.request_id} {self.action} {self.state}"

    @property
    def active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)

    @property
    def percent(self) -> int:
        return 100 * self.processed // self.total if self.total else 0
