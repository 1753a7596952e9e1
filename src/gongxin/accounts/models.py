"""Who serves whom, and who may do what (DESIGN §1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models

from gongxin.accounts.choices import AgencyLevel, UnitLevel
from gongxin.core import clock
from gongxin.core.dates import add_months
from gongxin.platform.errors import InvalidSubmission, Problem
from gongxin.platform.roles import Role
from gongxin.platform.scope import RestrictedManager


class PlatformUnit(models.Model):
    """信用信息共享平台管理单位: the national center, or one provincial unit."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField("级别", max_length=16, choices=UnitLevel.choices)
    # Two-digit province prefix of the GB/T 2260 region code; empty for the national center.
    region_code = models.CharField("行政区划代码", max_length=2, blank=True)
    letter_prefix = models.CharField("发文字号前缀", max_length=20, help_text="如：京信用函")
    # 经办人员定期轮换: how long a person holds a rotating post (gongxin.platform.rules
    # TENURE_ROLES) before they are no longer drawn for it. Set by the unit's system
    # administrator (gongxin.accounts.unit_settings), within TENURE_MONTHS_RANGE.
    tenure_months = models.PositiveSmallIntegerField("经办岗位任职期限（月）", default=24)

    class Meta:
        verbose_name = "平台管理单位"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region_code"],
                condition=models.Q(level="provincial"),
                name="one_unit_per_province",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RequestingAgency(models.Model):
    """发起查询单位: sends letters, never logs in. Central organs are served nationally."""

    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField("级别", max_length=16, choices=AgencyLevel.choices)
    region_code = models.CharField("所在省份代码", max_length=2, blank=True)
    unit = models.ForeignKey(
        PlatformUnit, models.PROTECT, related_name="agencies", verbose_name="服务单位"
    )
    active = models.BooleanField("有效", default=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "发起查询单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """A person at a platform unit (专人专岗): roles, post tenure; training records and recusals
    are rows of their own (TrainingRecord, Recusal)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.PROTECT, related_name="staff")
    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="staff")
    full_name = models.CharField("姓名", max_length=50)
    active = models.BooleanField("在岗", default=True)
    post_since = models.DateField("本岗位任职起始日期")
    # Password age (gongxin.accounts.passwords): changed at least every GONGXIN_PASSWORD_DAYS,
    # and at the next sign-in after the security administrator reset it.
    password_changed_at = models.DateTimeField("密码设置时间", default=clock.now)
    must_change_password = models.BooleanField("须修改密码", default=False)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "工作人员"
        ordering = ["unit", "full_name"]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.unit.name}）"

    def current_grants(self) -> list[RoleGrant]:
        """The grants not revoked: the roles held now (read in Python, so a prefetch serves)."""
        return [grant for grant in self.role_grants.all() if grant.revoked_at is None]

    @property
    def roles(self) -> frozenset[str]:
        cached = getattr(self, "_roles", None)
        if cached is None:
            cached = frozenset(grant.role for grant in self.current_grants())
            self._roles = cached
        return cached

    def tenure_ends(self) -> dt.date:
        """The first day this person is past their unit's tenure on a rotating post: the
        unit's ``tenure_months`` after ``post_since``, the same day of the month (the month's
        last day when it has no such day: 31 August + 6 months is 28 or 29 February)."""
        return add_months(self.post_since, self.unit.tenure_months)


class RoleGrant(models.Model):
    """分级授权: one role held by one person, who granted it, when and why; revoking keeps the
    row (who revoked it, when, why), so the history of who held what is never lost. A person
    holds a role while a grant of it is not revoked; at most one such grant per role."""

    staff = models.ForeignKey(Staff, models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField("授权时间", default=clock.now)
    granted_by = models.CharField("授权人", max_length=150)
    grant_reason = models.CharField("授权理由", max_length=200, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.CharField("撤销人", max_length=150, blank=True)
    revoke_reason = models.CharField("撤销理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "角色授权"
        ordering = ["granted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_current_grant_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff.full_name}：{self.get_role_display()}"


# --- staff records: training, recusals (业务培训、回避) ---------------------------------------

# The relations the staff rules read (gongxin.platform.rules: the unit's tenure, roles, trained,
# not_recused): whoever asks the rules of many people at once prefetches these, and only these.
RULE_PREFETCH = ("unit", "role_grants", "training_records", "recusals__person")


class TrainingRecord(models.Model):
    """业务培训: one passed training, valid from ``trained_on`` to ``valid_until`` (both days
    included). A person counts as trained on a day when a record not withdrawn is valid that
    day (gongxin.platform.rules.trained). Never deleted: a record made in error is withdrawn,
    with who, when and why, and stays in the history."""

    staff = models.ForeignKey(Staff, models.PROTECT, related_name="training_records")
    course = models.CharField("培训内容", max_length=100)
    trained_on = models.DateField("培训合格日期")
    valid_until = models.DateField("有效期至")
    recorded_by = models.CharField("登记人", max_length=150)
    recorded_at = models.DateTimeField("登记时间", default=clock.now)
    withdrawn_at = models.DateTimeField("作废时间", null=True, blank=True)
    withdrawn_by = models.CharField("作废人", max_length=150, blank=True)
    withdraw_reason = models.CharField("作废理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "业务培训记录"
        ordering = ["staff", "-trained_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("trained_on")),
                name="training_valid_after_trained",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff.full_name}：{self.course}（{self.trained_on}—{self.valid_until}）"

    @staticmethod
    def period(trained_on: dt.date, valid_until: dt.date | None, today: dt.date):
        """(trained_on, valid_until) as they will be stored: ``valid_until`` defaults to
        GONGXIN_TRAINING_VALID_DAYS after the training. Raises InvalidSubmission (each problem,
        in Chinese) for a training in the future or an end before it."""
        problems = []
        if trained_on > today:
            problems.append(Problem("培训合格日期", "不能晚于今天"))
        if valid_until is None:
            valid_until = trained_on + dt.timedelta(days=settings.GONGXIN_TRAINING_VALID_DAYS)
        elif valid_until < trained_on:
            problems.append(Problem("有效期至", "不能早于培训合格日期"))
        if problems:
            raise InvalidSubmission(problems)
        return trained_on, valid_until


class RecusedPerson(models.Model):
    """The named person of a recusal (回避某一人选): name and ID number only sealed, plus the
    keyed blind index of the number under the candidates' context, so a recusal finds the
    person among a request's candidates without opening anything (gongxin.accounts.recusals).
    A row of its own so that the key rotation (gongxin.platform.sealed) rewrites sealed rows
    only."""

    subject_cipher = models.BinaryField("姓名与公民身份号码（密文）")
    id_index = models.BinaryField("公民身份号码索引", max_length=16)
    key_id = models.CharField("密钥标识", max_length=32)

    class Meta:
        verbose_name = "回避人选"

    def __str__(self) -> str:
        return f"回避人选#{self.pk}"


class Recusal(models.Model):
    """回避: this person does not handle, review or sign requests from this agency, or requests
    naming this person, from ``starts_on`` to ``ends_on`` (open-ended when empty). Never
    deleted: ending one keeps the row, with who ended it, when and why. Whether one holds on a
    day is gongxin.platform.rules.in_force."""

    staff = models.ForeignKey(Staff, models.PROTECT, related_name="recusals")
    agency = models.ForeignKey(RequestingAgency, models.PROTECT, null=True, blank=True,
                               related_name="recusals", verbose_name="发起查询单位")  # fmt: skip
    person = models.OneToOneField(RecusedPerson, models.PROTECT, null=True, blank=True,
                                  related_name="recusal", verbose_name="人选")  # fmt: skip
    reason = models.CharField("原因", max_length=200)
    starts_on = models.DateField("回避起始日期")
    ends_on = models.DateField("回避截止日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", default=clock.now)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    ended_at = models.DateTimeField("解除时间", null=True, blank=True)
    ended_by = models.CharField("解除人", max_length=150, blank=True)
    end_reason = models.CharField("解除理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "回避"
        ordering = ["staff", "-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(agency__isnull=False, person__isnull=True)
                    | models.Q(agency__isnull=True, person__isnull=False)
                ),
                name="recusal_of_agency_or_person",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="recusal_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        whom = self.agency.name if self.agency_id else "一名人选"
        return f"{self.staff.full_name} 回避 {whom}"

    def person_indexes(self) -> frozenset[bytes]:
        """The blind indexes of the named person's ID number under every key of the key file
        (empty for an agency): a candidate indexed before or after a rotation is found."""
        if self.person_id is None:
            return frozenset()
        cached = self.__dict__.get("_person_indexes")
        if cached is None:
            from gongxin.accounts.recusals import person_indexes

            cached = self.__dict__["_person_indexes"] = person_indexes(self.person)
        return cached


class ApiToken(models.Model):
    """An API token (``Authorization: Token <key>``). Only the key's SHA-256 is stored: the key
    is shown once, when it is issued, so a copy of the database signs nobody in. A token ends at
    ``expires_at``, when it is revoked, or when the person's sessions are ended (password
    change, deactivation)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    digest = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", default=clock.now)
    expires_at = models.DateTimeField("失效时间")
    # The registered workstation it was issued on: the trail names it for each call, and the
    # token ends when that workstation is deactivated.
    workstation = models.ForeignKey("Workstation", models.CASCADE, null=True, blank=True,
                                    related_name="api_tokens", verbose_name="专用终端")  # fmt: skip

    class Meta:
        verbose_name = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} {self.expires_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()

    @classmethod
    def issue(cls, user, workstation: Workstation | None = None) -> tuple[ApiToken, str]:
        """A new token for ``user`` and its key (the only time the key exists outside the
        client). The person's expired tokens are cleared at the same time."""
        now = clock.now()
        cls.objects.filter(user=user, expires_at__lte=now).delete()
        key = secrets.token_urlsafe(32)
        hours = settings.GONGXIN_TOKEN_HOURS
        token = cls.objects.create(user=user, digest=cls.digest_of(key), workstation=workstation,
                                   expires_at=now + dt.timedelta(hours=hours))  # fmt: skip
        return token, key


# --- 专机: registered workstations ------------------------------------------------------------


class Workstation(models.Model):
    """专用终端 (专机): a browser the security administrator registered for the unit. Staff sign
    in only from an active workstation of their own unit (gongxin.accounts.workstations).

    Registering gives a one-time enrolment code (登记码); typing it at /workstation/enrol/ in
    the workstation's browser leaves there a long-lived cookie holding a random device
    credential. Only the SHA-256 of the code and of the credential are stored. Optional address
    ranges (CIDR) narrow where the credential is accepted. A workstation is deactivated, never
    deleted: the trail names it."""

    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="workstations",
                             verbose_name="单位")  # fmt: skip
    name = models.CharField("名称", max_length=100)
    address_ranges = models.JSONField("地址范围", default=list, blank=True,
                                      help_text="CIDR，如 10.12.0.0/16；空则不限")  # fmt: skip
    active = models.BooleanField("启用", default=True)
    registered_by = models.CharField("登记人", max_length=150)
    registered_at = models.DateTimeField("登记时间", default=clock.now)
    deactivated_by = models.CharField("停用人", max_length=150, blank=True)
    deactivated_at = models.DateTimeField("停用时间", null=True, blank=True)
    deactivate_reason = models.CharField("停用理由", max_length=200, blank=True)
    credential_digest = models.CharField("设备凭据摘要", max_length=64, blank=True)
    enrolled_at = models.DateTimeField("浏览器登记时间", null=True, blank=True)
    code_digest = models.CharField("登记码摘要", max_length=64, blank=True)
    code_expires_at = models.DateTimeField("登记码有效期至", null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "专用终端"
        ordering = ["unit", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["credential_digest"],
                                    condition=~models.Q(credential_digest=""),
                                    name="one_workstation_per_credential"),
            models.UniqueConstraint(fields=["code_digest"], condition=~models.Q(code_digest=""),
                                    name="one_workstation_per_code"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.name}（{self.unit.name}）"

    @property
    def label(self) -> str:
        """How the trail names it: its number and name."""
        return f"#{self.pk} {self.name}"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()
