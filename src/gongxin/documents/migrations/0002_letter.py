"""Letters belong to the GB/T 9704 engine, not to a product: ResultLetter becomes Letter,
without the link to the inquiry request (the inquiry's rounds link to their letter, see
inquiry.0003); the number of people it lists is kept on it for the public verification page.
Letter files get a key id: from now on they are stored encrypted (files stored before have
none and are sealed by `gongxin init` or the next key rotation)."""

import gongxin.core.clock
from django.db import migrations, models


def count_items(apps, schema_editor):
    Letter = apps.get_model("documents", "Letter")
    Candidate = apps.get_model("inquiry", "Candidate")
    for letter in Letter.objects.all():
        letter.item_count = Candidate.objects.filter(request_id=letter.request_id).count()
        letter.save(update_fields=["item_count"])


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("inquiry", "0003_rounds_and_findings"),
    ]

    operations = [
        migrations.RenameModel(old_name="ResultLetter", new_name="Letter"),
        migrations.AddField(
            model_name="letter",
            name="item_count",
            field=models.PositiveIntegerField(default=0, verbose_name="所列人数"),
        ),
        migrations.RunPython(count_items, migrations.RunPython.noop),
        migrations.RemoveField(model_name="letter", name="request"),
        migrations.AlterModelOptions(
            name="letter",
            options={"ordering": ["-year", "-number"], "verbose_name": "公文"},
        ),
        migrations.AlterField(
            model_name="letter",
            name="created_at",
            field=models.DateTimeField(default=gongxin.core.clock.now, verbose_name="生成时间"),
        ),
        migrations.AlterModelOptions(name="letterfile", options={"verbose_name": "公文文件"}),
        migrations.AddField(
            model_name="letterfile",
            name="key_id",
            field=models.CharField(blank=True, max_length=32, verbose_name="密钥标识"),
        ),
        migrations.AlterField(
            model_name="letterfile",
            name="created_at",
            field=models.DateTimeField(default=gongxin.core.clock.now, verbose_name="生成时间"),
        ),
        migrations.AlterField(
            model_name="letterfile",
            name="data",
            field=models.BinaryField(verbose_name="内容（密文）"),
        ),
    ]
