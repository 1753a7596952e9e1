"""Inquiry requests and everything recorded while handling one.

State changes happen only in gongxin.inquiry.services; nothing here changes ``state``.
Candidates' names and ID numbers are stored only encrypted (like list entries).
"""

from __future__ import annotations

from django.db import models

from gongxin.accounts.models import PlatformUnit, RequestingAgency, Staff
from gongxin.core.matching import MatchClass
from gongxin.inquiry.choices import (
    CalendarDayKind,
    CandidateResult,
    ExtensionKind,
    ParticipantRole,
    RequestKind,
    RequestState,
    ReviewDecision,
)
from gongxin.registry.models import ListEntry

MATCH_CHOICES = [(m.value, m.label) for m in MatchClass]


class InquiryRequest(models.Model):
    """查询需求: one letter from one agency, listing candidates."""

    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="requests")
    agency = models.ForeignKey(RequestingAgency, models.PROTECT, related_name="requests")
    letter_number = models.CharField("来文文号", max_length=100)
    received_on = models.DateField("收文日期")
    kind = models.CharField("类别", max_length=16, choices=RequestKind.choices)
    state = models.CharField(
        "状态", max_length=20, choices=RequestState.choices, default=RequestState.RECEIVED
    )
    deadline = models.DateField("办结期限", null=True, blank=True)
    deadline_problem = models.CharField("期限问题", max_length=100, blank=True)
    registered_by = models.ForeignKey(Staff, models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    handler = models.ForeignKey(
        Staff, models.PROTECT, null=True, blank=True, related_name="handled_requests"
    )
    screened_on = models.DateField("查询日期", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    result_digest = models.CharField("结果摘要值", max_length=64, blank=True)
    issued_at = models.DateTimeField("反馈时间", null=True, blank=True)
    # 更正: each correction after issue starts a new round of screening, review and signing.
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    correction_reason = models.CharField("更正原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "查询需求"
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "letter_number"], name="one_request_per_letter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency.name} {self.letter_number}"


class Candidate(models.Model):
    """人选: one person named in the letter."""

    request = models.ForeignKey(InquiryRequest, models.CASCADE, related_name="candidates")
    row = models.PositiveIntegerField("序号")
    subject_cipher = models.BinaryField("姓名与公民身份号码（密文）")
    id_index = models.BinaryField("公民身份号码索引", max_length=16)
    position = models.CharField("拟任职位", max_length=100, blank=True)
    match = models.CharField("比对结果", max_length=16, choices=MATCH_CHOICES, blank=True)
    result = models.CharField(
        "查询结果", max_length=16, choices=CandidateResult.choices, blank=True, default=""
    )
    result_reason = models.CharField("结果说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "人选"
        ordering = ["request", "row"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "id_index"], name="candidate_once_per_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.row}"


class CandidateMatch(models.Model):
    """One list entry that matched a candidate at screening, with the evidence as it was then."""

    candidate = models.ForeignKey(Candidate, models.CASCADE, related_name="matches")
    entry = models.ForeignKey(ListEntry, models.PROTECT, related_name="+")
    match = models.CharField("匹配类别", max_length=16, choices=MATCH_CHOICES)
    source_name = models.CharField("名单", max_length=100)
    authority = models.CharField("认定机关", max_length=200)
    basis_document = models.CharField("认定文书号", max_length=200)
    listed_on = models.DateField("列入日期")
    removed_on = models.DateField("移出日期", null=True, blank=True)

    class Meta:
        verbose_name = "匹配记录"
        ordering = ["candidate", "entry"]

    def __str__(self) -> str:
        return f"{self.candidate_id}→{self.entry_id}"


class Participant(models.Model):
    """A reviewer or the signer drawn for a request: the people 'on' it besides the handler."""

    request = models.ForeignKey(InquiryRequest, models.CASCADE, related_name="participants")
    staff = models.ForeignKey(Staff, models.PROTECT, related_name="participations")
    role = models.CharField("角色", max_length=16, choices=ParticipantRole.choices)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    assigned_at = models.DateTimeField("分派时间", auto_now_add=True)

    class Meta:
        verbose_name = "办理人员"
        constraints = [
            models.UniqueConstraint(
                fields=["request", "staff", "role", "round"], name="participant_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_role_display()} {self.staff_id}"


class Review(models.Model):
    """复核: one reviewer's decision on one candidate's matches, with the re-check at that time."""

    candidate = models.ForeignKey(Candidate, models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(Staff, models.PROTECT, related_name="reviews")
    decision = models.CharField("意见", max_length=16, choices=ReviewDecision.choices)
    reason = models.CharField("理由", max_length=500)
    still_listed = models.BooleanField("复核时仍在名单中")
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    created_at = models.DateTimeField("复核时间", auto_now_add=True)

    class Meta:
        verbose_name = "复核意见"
        ordering = ["candidate", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "reviewer", "round"], name="one_review_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.get_decision_display()}"


class Extension(models.Model):
    """延期 agreed with the agency before the deadline, or an overdue explanation after it."""

    request = models.ForeignKey(InquiryRequest, models.CASCADE, related_name="extensions")
    kind = models.CharField("类别", max_length=16, choices=ExtensionKind.choices)
    reason = models.CharField("原因", max_length=500)
    agency_contact = models.CharField("发起单位联系人", max_length=100, blank=True)
    agreed_on = models.DateField("商定日期", null=True, blank=True)
    method = models.CharField("沟通方式", max_length=50, blank=True)
    previous_deadline = models.DateField("原期限", null=True, blank=True)
    new_deadline = models.DateField("新期限", null=True, blank=True)
    recorded_by = models.ForeignKey(Staff, models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "延期记录"
        ordering = ["request", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_kind_display()}"


class CalendarYear(models.Model):
    """A year's holiday schedule entered by a sysadmin (years chinesecalendar does not cover)."""

    year = models.PositiveIntegerField("年份", unique=True)
    entered_by = models.CharField("录入人", max_length=150)
    entered_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = "节假日安排"
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    year = models.ForeignKey(CalendarYear, models.CASCADE, related_name="days")
    day = models.DateField("日期", unique=True)
    kind = models.CharField("类别", max_length=16, choices=CalendarDayKind.choices)

    class Meta:
        verbose_name = "节假日安排日期"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"
