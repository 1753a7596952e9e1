import django.db.models.deletion
import gongxin.core.clock
from django.db import migrations, models


class Migration(migrations.Migration):
    """The holiday calendar moved here from the inquiry app. The tables were created by
    inquiry.0001 and renamed by inquiry.0003; this migration only takes them into the platform's
    state (Django's recipe for moving a model between apps)."""

    initial = True

    dependencies = [
        ("inquiry", "0003_rounds_and_findings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CalendarYear",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("year", models.PositiveIntegerField(unique=True, verbose_name="年份")),
                        ("entered_by", models.CharField(max_length=150, verbose_name="录入人")),
                        ("entered_at", models.DateTimeField(default=gongxin.core.clock.now,
                                                            verbose_name="录入时间")),
                    ],
                    options={"verbose_name": "节假日安排", "ordering": ["year"]},
                ),
                migrations.CreateModel(
                    name="CalendarDay",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("day", models.DateField(unique=True, verbose_name="日期")),
                        ("kind", models.CharField(
                            choices=[("holiday", "放假"), ("workday", "调休上班")],
                            max_length=16, verbose_name="类别")),
                        ("year", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="days",
                                                   to="platform.calendaryear")),
                    ],
                    options={"verbose_name": "节假日安排日期", "ordering": ["day"]},
                ),
            ],
            database_operations=[],
        ),
    ]
