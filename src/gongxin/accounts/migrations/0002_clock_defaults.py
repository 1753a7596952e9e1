import gongxin.core.clock
from django.db import migrations, models


class Migration(migrations.Migration):
    """Times come from the one clock (gongxin.core.clock), which tests can pin."""

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recusal",
            name="created_at",
            field=models.DateTimeField(default=gongxin.core.clock.now, verbose_name="登记时间"),
        ),
        migrations.AlterField(
            model_name="rolegrant",
            name="granted_at",
            field=models.DateTimeField(default=gongxin.core.clock.now, verbose_name="授权时间"),
        ),
    ]
