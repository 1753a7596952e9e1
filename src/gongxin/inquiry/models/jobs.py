"""Background actions: a large request's 查询, 提交 or 签发 run by the task worker."""

from __future__ import annotations

from django.db import models

from gongxin.accounts.models import Staff
from gongxin.inquiry.models.requests import InquiryRequest
from gongxin.platform.jobs import LeasedJob


class RequestJob(LeasedJob):
    """One workflow action of a large request, enqueued by a person and run by the worker as
    that person (gongxin.inquiry.tasks). It holds no personal data: counts, states and the
    Chinese message of a refusal or failure. At most one is queued or running per request, so
    a double click cannot enqueue the same action twice. ``basis`` is what the request looked
    like at enqueue (state, round, screenings): a run that finds it moved on does nothing. The
    state, progress and lease fields are every job's (gongxin.platform.jobs.LeasedJob)."""

    request = models.ForeignKey(InquiryRequest, models.CASCADE, related_name="jobs")
    action = models.CharField("办理事项", max_length=20)
    actor = models.ForeignKey(Staff, models.PROTECT, related_name="+")
    basis = models.CharField("提交时的办理状态", max_length=60)

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
