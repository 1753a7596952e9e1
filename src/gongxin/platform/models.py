"""Tables of the platform itself: the holiday schedules a sysadmin enters, and which data keys
the database's rows were written with."""

from __future__ import annotations

from django.db import models

from gongxin.core import clock
from gongxin.platform.jobs import LeasedJob


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class CalendarYear(models.Model):
    """A year's holiday schedule entered by a sysadmin (years chinesecalendar does not cover)."""

    year = models.PositiveIntegerField("年份", unique=True)
    entered_by = models.CharField("录入人", max_length=150)
    entered_at = models.DateTimeField("录入时间", default=clock.now)

    class Meta:
        verbose_name = "节假日安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One day off, or one weekend day worked (调休), of an entered year."""

    year = models.ForeignKey(CalendarYear, models.CASCADE, related_name="days")
    day = models.DateField("日期", unique=True)
    kind = models.CharField("类别", max_length=16, choices=CalendarDayKind.choices)

    class Meta:
        verbose_name = "节假日安排日期"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class KeyRecord(models.Model):
    """A data key the database has seen, by id and fingerprint (never the key): a key file that
    lacks it, or holds another key under its id, is refused before a search silently finds
    nothing (gongxin.platform.sealed.checked_keyring)."""

    key_id = models.CharField("密钥标识", max_length=32, unique=True)
    fingerprint = models.CharField("指纹", max_length=64)
    recorded_at = models.DateTimeField("登记时间", default=clock.now)

    class Meta:
        verbose_name = "数据密钥登记"
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return self.key_id


class BackgroundJob(LeasedJob):
    """A background job other than a request's workflow action: an export that yields a file,
    or an action with an effect (a spot-check draw, whose page ``result_url`` shows), run by
    the task worker for the person who asked (gongxin.platform.background) with the lease
    rules of every job (gongxin.platform.jobs). ``params`` say what to do and ``detail``
    what the download's audit event says: neither holds personal data. The file is stored
    here, in the database
    every node reads, with ``done`` in one UPDATE; it holds what the same download held when
    built at once, and only the person who asked is handed it, each time audited."""

    kind = models.CharField("种类", max_length=60)
    actor = models.ForeignKey("accounts.Staff", models.PROTECT, related_name="+")
    params = models.JSONField("参数", default=dict)
    detail = models.JSONField("留痕详情", default=dict)
    result = models.BinaryField("结果文件", null=True, editable=False)
    filename = models.CharField("文件名", max_length=150, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    result_url = models.CharField("结果页面", max_length=200, blank=True)

    class Meta:
        verbose_name = "后台任务"
        indexes = [models.Index(fields=["state", "lease_until"], name="background_job_lease")]

    def __str__(self) -> str:
        return f"{self.kind} {self.state}"
