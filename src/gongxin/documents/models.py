"""Result letters (查询结果复函) and the per-unit, per-year sequence of their numbers."""

from __future__ import annotations

from django.db import models

from gongxin.accounts.models import PlatformUnit
from gongxin.inquiry.models import InquiryRequest


class LetterWording(models.Model):
    """A unit's own wording for its documents (keys as in gongxin.documents.wording)."""

    unit = models.OneToOneField(PlatformUnit, models.CASCADE, related_name="wording")
    texts = models.JSONField("措辞", default=dict, blank=True)

    class Meta:
        verbose_name = "公文措辞"

    def __str__(self) -> str:
        return f"{self.unit.name} 公文措辞"


class LetterSequence(models.Model):
    """The last number given to a unit's letters in a year: numbers have no gaps because they
    are taken inside the signing transaction, under this row's lock."""

    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度")
    last_number = models.PositiveIntegerField("已用号", default=0)

    class Meta:
        verbose_name = "发文编号"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_sequence_a_year")]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year}: {self.last_number}"


class ResultLetter(models.Model):
    """查询结果复函: fixed at signing; a correction is a new letter that supersedes this one."""

    request = models.ForeignKey(InquiryRequest, models.PROTECT, related_name="letters")
    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="letters")
    year = models.PositiveIntegerField("年度")
    number = models.PositiveIntegerField("序号")
    document_number = models.CharField("发文字号", max_length=50, unique=True)
    dated = models.DateField("成文日期")
    digest = models.CharField("结果摘要值", max_length=64)
    verification_code = models.CharField("验证码", max_length=19, unique=True)
    supersedes = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "查询结果复函"
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="letter_number_once")
        ]

    def __str__(self) -> str:
        return self.document_number


class LetterFile(models.Model):
    """A rendered letter as checked at signing (DOCX or PDF); never changed afterwards."""

    letter = models.ForeignKey(ResultLetter, models.PROTECT, related_name="files")
    kind = models.CharField("格式", max_length=8, choices=[("docx", "DOCX"), ("pdf", "PDF")])
    data = models.BinaryField("内容")
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "复函文件"
        constraints = [models.UniqueConstraint(fields=["letter", "kind"], name="one_file_per_kind")]

    def __str__(self) -> str:
        return f"{self.letter.document_number}.{self.kind}"
