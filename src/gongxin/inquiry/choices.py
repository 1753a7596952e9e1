from django.db import models


class RequestKind(models.TextChoices):
    RECRUITMENT = "recruitment", "录用"
    TRANSFER = "transfer", "调任"


class RequestState(models.TextChoices):
    RECEIVED = "received", "已登记"
    ASSIGNED = "assigned", "已分派"
    SCREENED = "screened", "已查询"
    IN_REVIEW = "in_review", "复核中"
    AWAITING_SIGNOFF = "awaiting_signoff", "待签发"
    SIGNED = "signed", "已签发"
    ISSUED = "issued", "已反馈"
    RETURNED = "returned", "已退回"


CLOSED_STATES = frozenset({RequestState.ISSUED, RequestState.RETURNED})
OPEN_STATES = frozenset(RequestState) - CLOSED_STATES


class CandidateResult(models.TextChoices):
    PENDING = "", "待定"
    NOT_LISTED = "not_listed", "未发现被依法列为失信联合惩戒对象"
    LISTED = "listed", "被依法列为失信联合惩戒对象"


class ReviewDecision(models.TextChoices):
    CONFIRM = "confirm", "确认列入"
    REJECT = "reject", "排除"


class ParticipantRole(models.TextChoices):
    REVIEWER = "reviewer", "复核人"
    SIGNER = "signer", "签发人"


class ExtensionKind(models.TextChoices):
    EXTENSION = "extension", "延期"
    OVERDUE = "overdue", "超期说明"


class JobState(models.TextChoices):
    """A background action's state, as its request page shows it (gongxin.inquiry.tasks)."""

    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


ACTIVE_JOB_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})


class SendMethod(models.TextChoices):
    """How a signed letter went out (反馈)."""

    CONFIDENTIAL = "confidential", "机要交换"
    NETWORK = "network", "专网传输"
    POST = "post", "邮寄"
    IN_PERSON = "in_person", "当面送达"
    OTHER = "other", "其他"
