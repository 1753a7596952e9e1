from django.db import models


class UnitLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"


class AgencyLevel(models.TextChoices):
    CENTRAL = "central", "中央和国家机关"
    PROVINCIAL = "provincial", "省级机关"
    MUNICIPAL = "municipal", "市级机关"
    COUNTY = "county", "县级机关"


class Role(models.TextChoices):
    HANDLER = "handler", "经办人"
    REVIEWER = "reviewer", "复核人"
    SIGNER = "signer", "签发人"
    SUPERVISOR = "supervisor", "监督员"
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITOR = "auditor", "审计管理员"


BUSINESS_ROLES = frozenset({Role.HANDLER, Role.REVIEWER, Role.SIGNER, Role.SUPERVISOR})
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
