"""Choices of the registry, with the Chinese labels staff see and write in files."""

from django.db import models


class SubjectKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人和其他组织"


class ImportMode(models.TextChoices):
    SNAPSHOT = "snapshot", "全量快照"
    DELTA = "delta", "增量变更"


class ImportStatus(models.TextChoices):
    STAGING = "staging", "正在导入（尚未生效）"
    DONE = "done", "已导入"
    REJECTED = "rejected", "已拒绝"
    DUPLICATE = "duplicate", "重复文件，未更改"
    FAILED = "failed", "导入失败，未更改"


class DeltaAction(models.TextChoices):
    ADD = "add", "列入"
    REMOVE = "remove", "移出"


# Built-in list sources with stable codes (DESIGN §3); a unit may add more.
BUILTIN_SOURCES = (
    ("sxbzxr", "失信被执行人", "最高人民法院", "法释〔2017〕7号"),
    ("zdsswf", "重大税收违法失信主体", "国家税务总局", "国家税务总局令第54号"),
    (
        "yzwfsx",
        "市场监督管理严重违法失信名单",
        "国家市场监督管理总局",
        "国家市场监督管理总局令第44号",
    ),
)
