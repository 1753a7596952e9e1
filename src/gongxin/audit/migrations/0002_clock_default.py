import gongxin.core.clock
from django.db import migrations, models


class Migration(migrations.Migration):
    """Times come from the one clock (gongxin.core.clock), which tests can pin."""

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=gongxin.core.clock.now, verbose_name="时间"
            ),
        ),
    ]
