"""The request, its rounds, the people drawn for it, and its extensions."""

from __future__ import annotations

from django.db import models

from gongxin.accounts.models import PlatformUnit, RequestingAgency, Staff
from gongxin.core import clock
from gongxin.inquiry.choices import (
    ExtensionKind,
    ParticipantRole,
    RequestKind,
    RequestState,
    SendMethod,
)
from gongxin.platform.scope import RestrictedManager


class InquiryRequest(models.Model):
    """查询需求: one letter from one agency, listing candidates."""

    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="requests")
    agency = models.ForeignKey(RequestingAgency, models.PROTECT, related_name="requests")
    letter_number = models.CharField("来文文号", max_length=100)  # as the clerk typed it
    # The number's normal form (gongxin.core.docnumber.letter_key): what the duplicate check
    # and the search compare, so 京组函[2026]088号 is the same letter as 京组函〔2026〕88号.
    letter_key = models.CharField("文号比对键", max_length=200, db_index=True, editable=False)
    # The same letter registered before and returned (退回): this is its new registration.
    follows = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="followed_by",
        verbose_name="前次退回",
    )  # fmt: skip
    received_on = models.DateField("收文日期")
    kind = models.CharField("类别", max_length=16, choices=RequestKind.choices)
    state = models.CharField(
        "状态", max_length=20, choices=RequestState.choices, default=RequestState.RECEIVED
    )
    deadline = models.DateField("办结期限", null=True, blank=True)
    deadline_problem = models.CharField("期限问题", max_length=100, blank=True)
    registered_by = models.ForeignKey(Staff, models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("登记时间", default=clock.now)
    handler = models.ForeignKey(
        Staff, models.PROTECT, null=True, blank=True, related_name="handled_requests"
    )
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    # The 退函 of a returned request: numbered from the unit's sequence when first generated.
    return_letter = models.OneToOneField(
        "documents.Letter", models.PROTECT, null=True, blank=True, related_name="returned_request",
        verbose_name="退回函",
    )  # fmt: skip
    # The round in progress (or the last one): 1, and one more for each 更正.
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    # When it was last closed (issued or returned; cleared by 更正): the candidate retention
    # counts from here. When the candidates' personal data was purged after that retention
    # (gongxin.inquiry.services.retention): the request, its counts and letters stay.
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    purged_at = models.DateTimeField("人选信息清除时间", null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "查询需求"
        ordering = ["-received_on", "-id"]
        constraints = [
            # A letter is registered once; one returned (退回) may be sent again and registered.
            models.UniqueConstraint(
                fields=["agency", "letter_key"], condition=~models.Q(state="returned"),
                name="one_request_per_letter",
            )
        ]  # fmt: skip
        # The statistics read the requests received in a period (gongxin.supervision.figures):
        # a unit's, or every unit's, with their state and round (which are open, and whether
        # the kept counts are current). This index holds all four, so those reads never touch
        # the table (bench/bench_supervision.py: 100,000 requests; without it they scan it).
        indexes = [
            models.Index(fields=["unit", "received_on", "state", "round"],
                         name="request_unit_period"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.agency.name} {self.letter_number}"

    def candidate_indexes(self) -> frozenset[bytes]:
        """The blind indexes of the candidates' ID numbers: what a recusal of a named person is
        checked against (gongxin.platform.rules.not_recused). Every row the request ever had,
        edited and removed ones too (a person named in an earlier round's letter still binds
        the recusal). Read once per request object (services read a fresh one per action)."""
        cached = self.__dict__.get("_candidate_indexes")
        if cached is None:
            found = self.candidates.values_list("id_index", flat=True)
            cached = self.__dict__["_candidate_indexes"] = frozenset(bytes(i) for i in found)
        return cached

    @property
    def current(self) -> Round:
        """The round in progress (cached on the instance)."""
        cached = getattr(self, "_current", None)
        if cached is None or cached.number != self.round:
            cached = self.rounds.get(number=self.round)
            self._current = cached
        return cached


class Round(models.Model):
    """One pass of screening, review and sign-off. Round 1 starts at registration; each 更正
    opens the next, with its reason. A round's record is final once the next one opens."""

    request = models.ForeignKey(InquiryRequest, models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField("轮次")
    reason = models.CharField("更正原因", max_length=300, blank=True)
    opened_by = models.ForeignKey(Staff, models.PROTECT, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField("开始时间", default=clock.now)
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    signed_by = models.ForeignKey(Staff, models.PROTECT, null=True, blank=True, related_name="+")
    result_digest = models.CharField("结果摘要值", max_length=64, blank=True)
    letter = models.OneToOneField(
        "documents.Letter", models.PROTECT, null=True, blank=True, related_name="inquiry_round",
        verbose_name="查询结果复函",
    )  # fmt: skip
    issued_at = models.DateTimeField("反馈时间", null=True, blank=True)
    # How and when the letter was sent (反馈), as the handler recorded it.
    sent_by = models.CharField("发送方式", max_length=16, choices=SendMethod.choices, blank=True)
    sent_on = models.DateField("发送日期", null=True, blank=True)
    send_note = models.CharField("经办说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "办理轮次"
        ordering = ["request", "number"]
        constraints = [models.UniqueConstraint(fields=["request", "number"], name="round_once")]

    def __str__(self) -> str:
        return f"{self.request_id} 第{self.number}轮"


class Participant(models.Model):
    """A reviewer or the signer drawn for a round: the people "on" a request besides the
    handler."""

    request = models.ForeignKey(InquiryRequest, models.CASCADE, related_name="participants")
    staff = models.ForeignKey(Staff, models.PROTECT, related_name="participations")
    role = models.CharField("角色", max_length=16, choices=ParticipantRole.choices)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    assigned_at = models.DateTimeField("分派时间", default=clock.now)

    class Meta:
        verbose_name = "办理人员"
        ordering = ["request", "round", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "staff", "role", "round"], name="participant_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_role_display()} {self.staff_id}"


class SendBack(models.Model):
    """退回复核: the round's signer disagreed with the results and sent its matched candidates
    back to be reviewed again, with a reason (decision 0012). The reviews given before are kept,
    set aside (``Review.set_aside_by``): they no longer count."""

    request = models.ForeignKey(InquiryRequest, models.CASCADE, related_name="send_backs")
    round = models.PositiveSmallIntegerField("办理轮次")
    reason = models.CharField("退回原因", max_length=300)
    sent_by = models.ForeignKey(Staff, models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("退回时间", default=clock.now)

    class Meta:
        verbose_name = "退回复核"
        ordering = ["request", "sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} 第{self.round}轮退回复核"


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
    recorded_at = models.DateTimeField("记录时间", default=clock.now)

    class Meta:
        verbose_name = "延期记录"
        ordering = ["request", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_kind_display()}"
