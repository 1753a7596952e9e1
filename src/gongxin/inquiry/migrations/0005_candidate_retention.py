from django.db import migrations, models


def closed_times(apps, schema_editor):
    """Requests closed before the field existed: issued at their round's issue; returned when
    the trail says so, else (the trail purged) when registered."""
    Request = apps.get_model("inquiry", "InquiryRequest")
    Round = apps.get_model("inquiry", "Round")
    Event = apps.get_model("audit", "AuditEvent")
    for req in Request.objects.filter(state__in=["issued", "returned"]).iterator():
        if req.state == "issued":
            at = (Round.objects.filter(request=req, number=req.round)
                  .values_list("issued_at", flat=True).first())  # fmt: skip
        else:
            at = (Event.objects.filter(action="request.return", object_type="InquiryRequest",
                                       object_id=str(req.pk), outcome="ok")
                  .order_by("-seq").values_list("at", flat=True).first())  # fmt: skip
        Request.objects.filter(pk=req.pk).update(closed_at=at or req.registered_at)


class Migration(migrations.Migration):
    """Candidate data purged after the retention period (docs/retention.md): when a request
    closed, when its candidates were purged; a purged candidate keeps no index and no key."""

    dependencies = [
        ("audit", "0003_hash_chain"),
        ("inquiry", "0004_returned_letter_may_come_again"),
    ]

    operations = [
        migrations.AddField(
            model_name="inquiryrequest",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="办结时间"),
        ),
        migrations.AddField(
            model_name="inquiryrequest",
            name="purged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="人选信息清除时间"),
        ),
        migrations.AlterField(
            model_name="candidate",
            name="id_index",
            field=models.BinaryField(max_length=16, null=True, verbose_name="公民身份号码索引"),
        ),
        migrations.AlterField(
            model_name="candidate",
            name="key_id",
            field=models.CharField(blank=True, max_length=32, verbose_name="密钥标识"),
        ),
        migrations.RunPython(closed_times, migrations.RunPython.noop),
    ]
