import gongxin.core.clock
from django.db import migrations, models

# Anchors are as append-only as events: the database refuses to change or remove one, except
# while audit_purge_permit holds a row (tests emptying their tables; see 0003). PostgreSQL
# reuses 0003's trigger function.
SQLITE = [
    """CREATE TRIGGER audit_anchor_no_update BEFORE UPDATE ON audit_purgeanchor
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_purgeanchor
       WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_UNDO = ["DROP TRIGGER audit_anchor_no_update", "DROP TRIGGER audit_anchor_no_delete"]
POSTGRESQL = [
    """CREATE TRIGGER audit_anchor_append_only BEFORE UPDATE OR DELETE ON audit_purgeanchor
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_purgeanchor
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
]
POSTGRESQL_UNDO = [
    "DROP TRIGGER audit_anchor_no_truncate ON audit_purgeanchor",
    "DROP TRIGGER audit_anchor_append_only ON audit_purgeanchor",
]


def triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(vendor, []):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    """Where the trail starts after a purge (record 0006). Numbered 0005 to sit after the
    workstation field (0004) of the sign-in work; it needs only the chain (0003)."""

    dependencies = [
        ("audit", "0004_event_workstation"),
    ]

    operations = [
        migrations.CreateModel(
            name="PurgeAnchor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),  # fmt: skip
                ("seq", models.PositiveBigIntegerField(unique=True, verbose_name="清除至序号")),
                ("digest", models.CharField(max_length=64, verbose_name="该序号的摘要")),
                ("before", models.DateTimeField(verbose_name="清除此时间以前的记录")),
                ("removed", models.PositiveBigIntegerField(verbose_name="清除条数")),
                ("purged_at", models.DateTimeField(default=gongxin.core.clock.now,
                                                   verbose_name="清除时间")),  # fmt: skip
            ],
            options={"verbose_name": "留痕清除边界", "ordering": ["seq"]},
        ),
        migrations.RunPython(triggers, drop_triggers),
    ]
