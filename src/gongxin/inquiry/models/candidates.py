"""Candidates, and what each screening and each review found about them.

Names and ID numbers are stored only encrypted (like list entries). A screening never replaces
an earlier one: it adds its own findings and matches, and the round's result is read from the
round's last screening.
"""

from __future__ import annotations

from django.db import models

from gongxin.accounts.models import Staff
from gongxin.core import clock
from gongxin.core.matching import MatchClass
from gongxin.inquiry.choices import CandidateResult, ReviewDecision
from gongxin.inquiry.models.requests import InquiryRequest
from gongxin.platform.scope import RestrictedManager, RestrictedQuerySet
from gongxin.registry.models import ListEntry

MATCH_CHOICES = [(m.value, m.label) for m in MatchClass]


class CandidateQuerySet(RestrictedQuerySet):
    """Which rows are a request's candidates in which round (decision 0011). Every path that
    lists "the candidates" of a round — screening, submission, pages, API, letters — asks here."""

    def of_round(self, req, number: int) -> CandidateQuerySet:
        """The candidates of round ``number``: joined at or before it, not removed or replaced
        by then (``until_round`` is the first round a row is no longer in)."""
        return self.filter(request=req, since_round__lte=number).exclude(until_round__lte=number)

    def current(self, req) -> CandidateQuerySet:
        """The candidates of the round in progress (rows closed only ever close in the round
        then in progress, so the open rows are exactly these)."""
        return self.filter(request=req, until_round__isnull=True)


class Candidate(models.Model):
    """人选: one person named in the letter. After the retention period the name, number and
    index are removed (empty cipher, no index, no key): the row stays as a reference.

    A row a screening has seen is never changed: an edit closes it (``until_round``) and adds
    the corrected row (``since_round``, ``replaces``), so every round's findings, reviews and
    letter keep naming what they named. A row no screening has seen is edited in place, the
    old value kept in a CandidateRevision."""

    request = models.ForeignKey(InquiryRequest, models.CASCADE, related_name="candidates")
    row = models.PositiveIntegerField("序号")
    subject_cipher = models.BinaryField("姓名与公民身份号码（密文）")
    id_index = models.BinaryField("公民身份号码索引", max_length=16, null=True)
    # The blind index of the normalised name, for the search by name (decision 0014).
    name_index = models.BinaryField("姓名索引", max_length=16, null=True)
    key_id = models.CharField("密钥标识", max_length=32, blank=True)
    position = models.CharField("拟任职位", max_length=100, blank=True)
    since_round = models.PositiveSmallIntegerField("加入轮次", default=1)
    until_round = models.PositiveSmallIntegerField("移除或替换轮次", null=True, blank=True)
    replaces = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="replaced_by",
        verbose_name="替换的人选",
    )  # fmt: skip

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = "人选"
        ordering = ["request", "row"]
        indexes = [  # the search for a person (by ID number or by name) across requests
            models.Index(fields=["id_index"], name="candidate_id_index"),
            models.Index(fields=["name_index"], name="candidate_name_index"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "id_index"], condition=models.Q(until_round__isnull=True),
                name="candidate_once_per_request",
            ),
            models.UniqueConstraint(
                fields=["request", "row"], condition=models.Q(until_round__isnull=True),
                name="candidate_row_once_per_request",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.request_id}#{self.row}"


class Screening(models.Model):
    """查询比对: one screening of all of a request's candidates, as of a date."""

    request = models.ForeignKey(InquiryRequest, models.PROTECT, related_name="screenings")
    round = models.PositiveSmallIntegerField("办理轮次")
    as_of = models.DateField("查询日期")
    screened_by = models.ForeignKey(Staff, models.PROTECT, related_name="+")
    screened_at = models.DateTimeField("查询时间", default=clock.now)
    # The candidates were changed after it, before submission: it no longer stands for the
    # round (the request is screened again), but stays as a record.
    outdated = models.BooleanField("人选修改后作废", default=False)

    class Meta:
        verbose_name = "查询比对"
        ordering = ["request", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} 第{self.round}轮 {self.as_of}"


class Finding(models.Model):
    """What one screening found about one candidate, and (for the round's last screening) the
    result the round decided: by submission when nothing matched, by review otherwise."""

    screening = models.ForeignKey(Screening, models.PROTECT, related_name="findings")
    candidate = models.ForeignKey(Candidate, models.PROTECT, related_name="findings")
    match = models.CharField("比对结果", max_length=16, choices=MATCH_CHOICES)
    result = models.CharField(
        "查询结果", max_length=16, choices=CandidateResult.choices, blank=True, default=""
    )
    result_reason = models.CharField("结果说明", max_length=100, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "比对结论"
        ordering = ["screening", "candidate__row"]
        constraints = [
            models.UniqueConstraint(fields=["screening", "candidate"], name="finding_once")
        ]

    def __str__(self) -> str:
        return f"{self.screening_id}/{self.candidate_id} {self.match}"

    @property
    def matched(self) -> bool:
        return self.match != MatchClass.NONE


class CandidateMatch(models.Model):
    """One list entry that matched a candidate at a screening, with the evidence as it was."""

    finding = models.ForeignKey(Finding, models.PROTECT, related_name="matches")
    entry = models.ForeignKey(ListEntry, models.PROTECT, related_name="+")
    match = models.CharField("匹配类别", max_length=16, choices=MATCH_CHOICES)
    source_name = models.CharField("名单", max_length=100)
    authority = models.CharField("认定机关", max_length=200)
    basis_document = models.CharField("认定文书号", max_length=200)
    listed_on = models.DateField("列入日期")
    removed_on = models.DateField("移出日期", null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "匹配记录"
        ordering = ["finding", "entry"]

    def __str__(self) -> str:
        return f"{self.finding_id}→{self.entry_id}"


class Review(models.Model):
    """复核: one reviewer's decision on one candidate's matches in one round, with the re-check
    of the list at that time."""

    candidate = models.ForeignKey(Candidate, models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(Staff, models.PROTECT, related_name="reviews")
    decision = models.CharField("意见", max_length=16, choices=ReviewDecision.choices)
    reason = models.CharField("理由", max_length=500)
    still_listed = models.BooleanField("复核时仍在名单中")
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    created_at = models.DateTimeField("复核时间", default=clock.now)
    # Set when the signer sent the round back for review (退回复核): kept, no longer counted.
    set_aside_by = models.ForeignKey(
        "inquiry.SendBack", models.PROTECT, null=True, blank=True, related_name="set_aside",
        verbose_name="退回复核",
    )  # fmt: skip

    class Meta:
        verbose_name = "复核意见"
        ordering = ["candidate", "created_at", "id"]
        constraints = [
            # One counting review per reviewer and round; a sent-back one may be given again.
            models.UniqueConstraint(
                fields=["candidate", "reviewer", "round"], name="one_review_per_reviewer",
                condition=models.Q(set_aside_by__isnull=True),
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.get_decision_display()}"

    @property
    def counts(self) -> bool:
        """Whether it counts toward the candidate's result (not set aside by a send-back)."""
        return self.set_aside_by_id is None


class CandidateChange(models.TextChoices):
    ADD = "add", "增加"
    EDIT = "edit", "修改"
    REMOVE = "remove", "删除"


class CandidateRevision(models.Model):
    """修改人选: one change of one candidate row (added, edited, removed), with the value
    before and after, sealed like the candidate, who, when and why. Shown (name, masked number)
    to those who may see the request's candidates; the trail records only the row, the fields
    and the change."""

    request = models.ForeignKey(InquiryRequest, models.CASCADE, related_name="candidate_revisions")
    candidate = models.ForeignKey(Candidate, models.CASCADE, related_name="revisions")
    round = models.PositiveSmallIntegerField("办理轮次")
    row = models.PositiveIntegerField("序号")
    change = models.CharField("修改类别", max_length=8, choices=CandidateChange.choices)
    fields = models.JSONField("修改的项目", default=list)  # "name", "id_number", "position"
    old_cipher = models.BinaryField("原姓名与公民身份号码（密文）", blank=True, default=b"")
    new_cipher = models.BinaryField("新姓名与公民身份号码（密文）", blank=True, default=b"")
    key_id = models.CharField("密钥标识", max_length=32, blank=True)
    old_position = models.CharField("原拟任职位", max_length=100, blank=True)
    new_position = models.CharField("新拟任职位", max_length=100, blank=True)
    reason = models.CharField("修改原因", max_length=300)
    changed_by = models.ForeignKey(Staff, models.PROTECT, related_name="+")
    changed_at = models.DateTimeField("修改时间", default=clock.now)
    # The request's state was 已查询 and went back to 已分派 (the screening is outdated).
    rescreen = models.BooleanField("须重新查询", default=False)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "人选修改记录"
        ordering = ["request", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.row} {self.change}"
