from django.db import migrations, models

# One ALTER TABLE on both databases. Django's own AddField would rebuild the table on SQLite
# (a column with a default), and dropping the old table drops its append-only triggers with it
# (migration 0003); adding the column in place keeps the triggers and copies no row.
ADD = "ALTER TABLE audit_auditevent ADD COLUMN workstation varchar(120) DEFAULT '' NOT NULL"
DROP = "ALTER TABLE audit_auditevent DROP COLUMN workstation"


class Migration(migrations.Migration):
    """The workstation each event came from. Existing events get none, and an empty workstation
    is not part of the digest (AuditEvent.CHAINED_WHEN_SET): their chain stays valid."""

    dependencies = [
        ("audit", "0003_hash_chain"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="auditevent",
                    name="workstation",
                    field=models.CharField(blank=True, default="", max_length=120,
                                           verbose_name="专用终端"),
                ),
            ],
        ),
    ]
