from django.db import migrations, models

from gongxin.core import chain

CHAINED = ("at", "actor", "unit_code", "action", "object_type", "object_id", "outcome", "detail")

# The database itself refuses to change or remove an event. Deleting is let through only while
# audit_purge_permit holds a row: a table of no model, so that Django's flush (emptying the
# tables after a test, in any order) leaves it alone; a purge inserts and removes its row in the
# purging transaction.
PERMIT = "CREATE TABLE audit_purge_permit (id integer PRIMARY KEY)"
SQLITE = [
    PERMIT,
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_UNDO = [
    "DROP TRIGGER audit_event_no_update",
    "DROP TRIGGER audit_event_no_delete",
    "DROP TABLE audit_purge_permit",
]
POSTGRESQL = [
    PERMIT,
    """CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP <> 'UPDATE' AND EXISTS (SELECT 1 FROM audit_purge_permit) THEN
           IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
           RETURN NULL;
         END IF;
         RAISE EXCEPTION 'audit events are append-only';
       END $$""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
]
POSTGRESQL_UNDO = [
    "DROP TRIGGER audit_event_no_truncate ON audit_auditevent",
    "DROP TRIGGER audit_event_append_only ON audit_auditevent",
    "DROP FUNCTION audit_event_append_only()",
    "DROP TABLE audit_purge_permit",
]


def chain_existing(apps, schema_editor):
    """Events written before the chain are chained in the order they were written."""
    Event = apps.get_model("audit", "AuditEvent")
    Head = apps.get_model("audit", "ChainHead")
    digest, seq = chain.GENESIS, 0
    for event in Event.objects.order_by("id").iterator():
        seq += 1
        digest = chain.link(digest, seq, {name: getattr(event, name) for name in CHAINED})
        Event.objects.filter(pk=event.pk).update(seq=seq, digest=digest)
    Head.objects.create(pk=1, seq=seq, digest=digest)


def triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(vendor, []):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    """Hash-chain the trail (SM3) and make the database refuse changes to it (record 0006)."""

    dependencies = [
        ("audit", "0002_clock_default"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),  # fmt: skip
                ("seq", models.PositiveBigIntegerField(default=0, verbose_name="序号")),
                ("digest", models.CharField(max_length=64, verbose_name="摘要")),
            ],
            options={"verbose_name": "留痕链头"},
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="digest",
            field=models.CharField(default="", max_length=64, verbose_name="摘要"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="序号"),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["seq"], "verbose_name": "留痕记录"},
        ),
        migrations.RunPython(triggers, drop_triggers),
    ]
