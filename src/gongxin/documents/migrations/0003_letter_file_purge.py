from django.db import migrations, models


class Migration(migrations.Migration):
    """A letter file purged after its product's retention period keeps its digest."""

    dependencies = [
        ("documents", "0002_letter"),
    ]

    operations = [
        migrations.AddField(
            model_name="letterfile",
            name="purged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="文件清除时间"),
        ),
    ]
