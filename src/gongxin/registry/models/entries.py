"""List sources, entries and the imports that change them.

Entries are never deleted and never re-opened: listing and removal dates make every past date
screenable again exactly. Names and ID numbers are stored only as ciphertext plus keyed blind
indexes (see gongxin.core.crypto).

An import writes its rows and removals in short transactions while it is *staged*, and they
count only once the import is switched on and given a list version (decision 0009): an entry
belongs to version V when the import that created it has a version ≤ V, and its removal
counts in V only when the removing import has one too. Rows of an import that never reached
its version are deleted again; nobody ever saw them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from gongxin.core import clock
from gongxin.registry.choices import ImportMode, ImportStatus, SubjectKind


class ListSource(models.Model):
    """A dishonesty list (名单来源), e.g. 失信被执行人; built-in ones have stable codes."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    publisher = models.CharField("发布机关", max_length=100, blank=True)
    legal_basis = models.CharField("依据", max_length=200, blank=True)
    builtin = models.BooleanField("内置", default=False)
    created_at = models.DateTimeField("创建时间", default=clock.now)

    class Meta:
        verbose_name = "名单来源"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


def current_version() -> int:
    """The latest list version (0 before any import): what screening reads unless told."""
    return ListImport.objects.aggregate(v=models.Max("version"))["v"] or 0


class ListImport(models.Model):
    """One attempt to load a list file: what it was, who ran it, and what it changed.

    While it is staged (status ``staging``) its rows are in the entry table but count for
    nobody; ``owner``, ``touched_at`` and ``entry_floor`` let the process staging it prove it
    still holds it, and let a later import clear what a crashed one left.
    """

    source = models.ForeignKey(ListSource, models.PROTECT, related_name="imports")
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    mode = models.CharField("方式", max_length=16, choices=ImportMode.choices)
    as_of = models.DateField("名单日期")
    status = models.CharField("状态", max_length=16, choices=ImportStatus.choices)
    rows_total = models.PositiveIntegerField("行数", default=0)
    added = models.PositiveIntegerField("新增", default=0)
    removed = models.PositiveIntegerField("移出", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    imported_by = models.CharField("操作人", max_length=150)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间")
    # Given when the import is switched on, in the order imports are switched on: screening
    # reads the entries of one version, whatever is switched on while it runs.
    version = models.PositiveIntegerField("名单版本", null=True, blank=True, unique=True)
    owner = models.CharField("暂存进程标识", max_length=32, blank=True)
    touched_at = models.DateTimeField("暂存进度时间", null=True, blank=True)
    entry_floor = models.BigIntegerField("暂存前最大记录号", null=True, blank=True)

    class Meta:
        verbose_name = "名单导入"
        ordering = ["-id"]
        constraints = [
            # One import of a source at a time: the second is refused, not kept waiting.
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(status="staging"),
                name="one_staged_import_per_source",
            ),
            models.CheckConstraint(
                condition=Q(version__isnull=True) | Q(status="done"),
                name="import_version_only_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source.code} {self.file_name} {self.get_status_display()}"


class EntryIdField(models.BigAutoField):
    """A 64-bit row id without SQLite's AUTOINCREMENT.

    AUTOINCREMENT only guarantees that ids of deleted rows are never reused, and entries are
    never deleted; it costs every insert an update of sqlite_sequence (a quarter of the write
    time of a million-row import, measured). Other databases are unaffected.
    """

    def db_type_suffix(self, connection):
        return None if connection.vendor == "sqlite" else super().db_type_suffix(connection)


class EntryQuerySet(models.QuerySet):
    """Entries as a list version shows them (default: the current version)."""

    def of_version(self, version: int | None = None) -> EntryQuerySet:
        """Entries created by an import switched on in ``version`` or before."""
        return self.filter(created_by_import__in=_switched(version))

    def in_force(self, day, version: int | None = None) -> EntryQuerySet:
        """Entries that count on ``day`` (listed, not yet removed) in ``version``."""
        version = current_version() if version is None else version
        return self.of_version(version).filter(listed_on__lte=day).exclude(removed_by(day, version))

    def current(self, version: int | None = None) -> EntryQuerySet:
        """Entries of ``version`` that no import of that version has removed."""
        version = current_version() if version is None else version
        return self.of_version(version).exclude(
            removed_on__isnull=False, removed_by_import__in=_switched(version)
        )


def _switched(version: int | None):
    version = current_version() if version is None else version
    return ListImport.objects.filter(version__lte=version).values("id")


def removed_by(day, version: int | None = None) -> Q:
    """Condition: removed on or before ``day`` by an import switched on in ``version``."""
    return Q(removed_on__lte=day, removed_by_import__in=_switched(version))


class ListEntry(models.Model):
    """One listing of one subject (名单记录), with its provenance."""

    id = EntryIdField(primary_key=True)

    # No plain indexes on the foreign keys: a partial index serves the one look-up by source,
    # and every extra B-tree costs each of millions of inserts.
    source = models.ForeignKey(ListSource, models.PROTECT, related_name="entries", db_index=False)
    subject_kind = models.CharField("主体类型", max_length=16, choices=SubjectKind.choices)
    # Ciphertexts carry their key id; the indexes are keyed hashes of the normalised values.
    # One ciphertext for name and number: they are only ever needed together, and one
    # encryption per entry instead of two is a third of an import's CPU time.
    subject_cipher = models.BinaryField("姓名或名称与证件号码（密文）")
    name_index = models.BinaryField("姓名索引", max_length=16)
    id_index = models.BinaryField("证件号码索引", max_length=16, null=True)
    id_masked = models.BooleanField("证件号码已隐去部分", default=False)
    masked_index = models.BinaryField("姓名与隐去部分的号码索引", max_length=16, null=True)
    entry_key = models.BinaryField("记录标识", max_length=16)
    key_id = models.CharField("密钥标识", max_length=32)
    authority = models.CharField("认定机关", max_length=200)
    basis_document = models.CharField("认定文书号", max_length=200)
    case_number = models.CharField("案号", max_length=200, blank=True)
    listed_on = models.DateField("列入日期")
    planned_end = models.DateField("计划移出日期", null=True, blank=True)
    removed_on = models.DateField("移出日期", null=True, blank=True)
    removal_reason = models.CharField("移出原因", max_length=200, blank=True, db_default="")
    created_by_import = models.ForeignKey(
        ListImport,
        models.PROTECT,
        related_name="created_entries",
        verbose_name="列入批次",
        db_index=False,
    )
    removed_by_import = models.ForeignKey(
        ListImport,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="removed_entries",
        verbose_name="移出批次",
        db_index=False,
    )

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = "名单记录"
        indexes = [
            models.Index(fields=["id_index"], name="entry_id_index"),
            models.Index(fields=["masked_index"], condition=Q(id_masked=True), name="entry_masked"),
            # Imports read a source's active entries in one pass and compare entry keys in
            # memory, so entry_key needs no index of its own.
            models.Index(
                fields=["source"], condition=Q(removed_on__isnull=True), name="entry_active_source"
            ),
            # Only removed entries: undoing the removals of an import that was never switched
            # on finds them without reading the table.
            models.Index(
                fields=["removed_by_import"],
                condition=Q(removed_by_import__isnull=False),
                name="entry_removed_by",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("listed_on")),
                name="entry_removed_after_listed",
            ),
            models.CheckConstraint(
                condition=Q(id_masked=True) | Q(id_index__isnull=False),
                name="entry_full_id_indexed",
            ),
            models.CheckConstraint(
                condition=Q(id_masked=False) | Q(masked_index__isnull=False),
                name="entry_masked_indexed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.code}#{self.pk}"


class MaskLayout(models.Model):
    """A way lists mask ID numbers (which positions are hidden), e.g. ``##########****####``.

    Screening masks each candidate's number in every known layout to look masked entries up
    by index; imports record the layouts they meet. Holds no personal data.
    """

    layout = models.CharField("隐去方式", max_length=18, unique=True)

    class Meta:
        verbose_name = "号码隐去方式"

    def __str__(self) -> str:
        return self.layout
