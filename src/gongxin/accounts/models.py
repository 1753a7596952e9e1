"""Who serves whom, and who may do what (DESIGN §1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models

from gongxin.accounts.choices import AgencyLevel, UnitLevel
from gongxin.core import clock
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
    """A person at a platform unit (专人专岗): roles, training, post tenure."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.PROTECT, related_name="staff")
    unit = models.ForeignKey(PlatformUnit, models.PROTECT, related_name="staff")
    full_name = models.CharField("姓名", max_length=50)
    active = models.BooleanField("在岗", default=True)
    trained_on = models.DateField("业务培训合格日期", null=True, blank=True)
    post_since = models.DateField("本岗位任职起始日期")

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

    def recused_for(self, agency_id) -> bool:
        """回避: whether this person must not act on requests from this agency."""
        cached = getattr(self, "_recused", None)
        if cached is None:
            cached = frozenset(r.agency_id for r in self.recusals.all())
            self._recused = cached
        return agency_id in cached

    def tenure_ends(self) -> dt.date:
        years = settings.GONGXIN_HANDLER_TENURE_YEARS
        try:
            return self.post_since.replace(year=self.post_since.year + years)
        except ValueError:  # 29 February
            return self.post_since.replace(year=self.post_since.year + years, day=28)


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


class Recusal(models.Model):
    """回避: this person does not handle or review requests from this agency."""

    staff = models.ForeignKey(Staff, models.CASCADE, related_name="recusals")
    agency = models.ForeignKey(RequestingAgency, models.CASCADE, related_name="recusals")
    reason = models.CharField("原因", max_length=200)
    created_at = models.DateTimeField("登记时间", default=clock.now)

    class Meta:
        verbose_name = "回避"
        constraints = [
            models.UniqueConstraint(fields=["staff", "agency"], name="one_recusal_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.staff.full_name} 回避 {self.agency.name}"


class ApiToken(models.Model):
    """An API token (``Authorization: Token <key>``). Only the key's SHA-256 is stored: the key
    is shown once, when it is issued, so a copy of the database signs nobody in. A token ends at
    ``expires_at``, when it is revoked, or when the person's sessions are ended (password
    change, deactivation)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    digest = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", default=clock.now)
    expires_at = models.DateTimeField("失效时间")

    class Meta:
        verbose_name = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user} {self.expires_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()

    @classmethod
    def issue(cls, user) -> tuple[ApiToken, str]:
        """A new token for ``user`` and its key (the only time the key exists outside the
        client). The person's expired tokens are cleared at the same time."""
        now = clock.now()
        cls.objects.filter(user=user, expires_at__lte=now).delete()
        key = secrets.token_urlsafe(32)
        hours = settings.GONGXIN_TOKEN_HOURS
        token = cls.objects.create(user=user, digest=cls.digest_of(key),
                                   expires_at=now + dt.timedelta(hours=hours))  # fmt: skip
        return token, key
