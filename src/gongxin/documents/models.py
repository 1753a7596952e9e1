"""Issued documents (公文) of the GB/T 9704 engine: numbers without gaps per unit and year,
the files as checked and signed, and each unit's wording. Nothing here knows which product a
document belongs to: a product links its own records to ``Letter``."""

from __future__ import annotations

from django.db import models

from gongxin.accounts.models import PlatformUnit
from gongxin.core import clock
from gongxin.platform.scope import RestrictedManager


class LetterWording(models.Model):
    """A unit's own wording for its documents (keys as each product's wording defines them)."""

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


class Letter(models.Model):
    """An issued letter: numbered and fixed at signing; a correction is a new letter that
    supersedes this one. ``item_count`` is how many people it lists (shown publicly). ``kind``:
    a result letter (复函), a letter returning a request unanswered (退函) or a report (通报);
    all take their number from the unit's one sequence."""

    KINDS = [("result", "查询结果复函"), ("return", "退回函"), ("report", "通报")]

    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="letters")
    kind = models.CharField("类别", max_length=8, choices=KINDS, default="result")
    year = models.PositiveIntegerField("年度")
    number = models.PositiveIntegerField("序号")
    document_number = models.CharField("发文字号", max_length=50, unique=True)
    dated = models.DateField("成文日期")
    digest = models.CharField("结果摘要值", max_length=64)
    verification_code = models.CharField("验证码", max_length=19, unique=True)
    item_count = models.PositiveIntegerField("所列人数", default=0)
    supersedes = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    created_at = models.DateTimeField("生成时间", default=clock.now)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "公文"
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="letter_number_once")
        ]

    def __str__(self) -> str:
        return self.document_number


class LetterFile(models.Model):
    """A rendered letter as checked at signing (DOCX or PDF); never changed afterwards.

    The file names people, so it is stored encrypted with the data keys (``key_id``; empty for
    files stored before letters were encrypted, which the next key rotation seals). ``sha256``
    is of the file itself, as issued. A product purges the file after its retention period
    (``purged_at``; data emptied): the letter, its number and this digest stay.
    """

    letter = models.ForeignKey(Letter, models.PROTECT, related_name="files")
    kind = models.CharField("格式", max_length=8, choices=[("docx", "DOCX"), ("pdf", "PDF")])
    data = models.BinaryField("内容（密文）")
    key_id = models.CharField("密钥标识", max_length=32, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField("生成时间", default=clock.now)
    purged_at = models.DateTimeField("文件清除时间", null=True, blank=True)

    class Meta:
        verbose_name = "公文文件"
        constraints = [models.UniqueConstraint(fields=["letter", "kind"], name="one_file_per_kind")]

    def __str__(self) -> str:
        return f"{self.letter.document_number}.{self.kind}"
