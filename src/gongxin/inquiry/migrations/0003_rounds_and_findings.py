"""Rounds, screenings and findings: no round's evidence is overwritten by a later one.

Before this, the request held the round in progress's screening date, signature and issue, the
candidate held one result, and a screening deleted the previous one's matches. Existing data is
carried over: each round gets a Round (its letter and digest; an earlier round's sign-off and
issue times from the audit trail, which recorded every one, else blank rather than guessed); the
round in progress's screening becomes a Screening with a
Finding per candidate, and the matches are attached to those. Earlier rounds' matches and
results had already been deleted by the old code and cannot be recovered; their reviews and
letters are kept.

The holiday calendar's tables move to the platform app (platform.0001 takes them into its
state).
"""

import django.db.models.deletion
import gongxin.core.clock
from django.db import migrations, models

MATCH_CHOICES = [("exact", "完全匹配"), ("id_only", "仅身份号码匹配"), ("possible", "可能匹配"),
                 ("none", "未匹配")]  # fmt: skip
RESULT_CHOICES = [("", "待定"), ("not_listed", "未发现被依法列为失信联合惩戒对象"),
                  ("listed", "被依法列为失信联合惩戒对象")]  # fmt: skip


def _key_id(blob) -> str:
    blob = bytes(blob)
    return blob[2 : 2 + blob[1]].decode("ascii", "replace") if len(blob) > 2 else ""


def _nth(times: list, number: int):
    return times[number - 1] if number <= len(times) else None


def carry_over(apps, schema_editor):
    Request = apps.get_model("inquiry", "InquiryRequest")
    Round = apps.get_model("inquiry", "Round")
    Screening = apps.get_model("inquiry", "Screening")
    Finding = apps.get_model("inquiry", "Finding")
    Candidate = apps.get_model("inquiry", "Candidate")
    CandidateMatch = apps.get_model("inquiry", "CandidateMatch")
    Letter = apps.get_model("documents", "ResultLetter")
    Event = apps.get_model("audit", "AuditEvent")

    def times(req, action) -> list:
        """When each round of ``req`` took ``action``, in order (the trail recorded each)."""
        return list(Event.objects.filter(object_type="InquiryRequest", object_id=str(req.pk),
                                         action=action, outcome="ok")
                    .order_by("at", "pk").values_list("at", flat=True))  # fmt: skip

    for candidate in Candidate.objects.all():
        candidate.key_id = _key_id(candidate.subject_cipher)
        candidate.save(update_fields=["key_id"])
    for req in Request.objects.all():
        letters = list(Letter.objects.filter(request_id=req.pk).order_by("year", "number"))
        signed, issued = times(req, "request.sign_off"), times(req, "request.issue")
        for number in range(1, req.round + 1):
            letter = letters[number - 1] if number <= len(letters) else None
            current = number == req.round
            earlier = letters[number - 2] if 1 < number <= len(letters) + 1 else None
            Round.objects.create(
                request=req, number=number,
                reason=req.correction_reason if current and number > 1 else "",
                opened_by_id=req.registered_by_id if number == 1 else None,
                opened_at=req.registered_at if earlier is None else earlier.created_at,
                signed_at=req.signed_at if current else _nth(signed, number),
                result_digest=req.result_digest if current else getattr(letter, "digest", ""),
                issued_at=req.issued_at if current else _nth(issued, number),
                letter=letter,
            )  # fmt: skip
        candidates = list(Candidate.objects.filter(request=req).order_by("row"))
        if req.screened_on is None and not any(c.match for c in candidates):
            continue
        screening = Screening.objects.create(
            request=req, round=req.round, as_of=req.screened_on or req.received_on,
            screened_by_id=req.handler_id or req.registered_by_id, screened_at=req.registered_at,
        )  # fmt: skip
        for c in candidates:
            finding = Finding.objects.create(screening=screening, candidate=c,
                                             match=c.match or "none", result=c.result,
                                             result_reason=c.result_reason[:100])  # fmt: skip
            CandidateMatch.objects.filter(candidate=c).update(finding=finding)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_clock_defaults"),
        ("audit", "0002_clock_default"),
        ("documents", "0001_initial"),
        ("inquiry", "0002_correction_rounds"),
    ]

    operations = [
        # One clock for every time recorded.
        migrations.AlterField(
            model_name="extension",
            name="recorded_at",
            field=models.DateTimeField(default=gongxin.core.clock.now, verbose_name="记录时间"),
        ),
        migrations.AlterField(
            model_name="inquiryrequest",
            name="registered_at",
            field=models.DateTimeField(default=gongxin.core.clock.now, verbose_name="登记时间"),
        ),
        migrations.AlterField(
            model_name="participant",
            name="assigned_at",
            field=models.DateTimeField(default=gongxin.core.clock.now, verbose_name="分派时间"),
        ),
        migrations.AlterField(
            model_name="review",
            name="created_at",
            field=models.DateTimeField(default=gongxin.core.clock.now, verbose_name="复核时间"),
        ),
        migrations.AlterModelOptions(
            name="participant",
            options={"ordering": ["request", "round", "assigned_at", "id"],
                     "verbose_name": "办理人员"},  # fmt: skip
        ),
        migrations.AlterModelOptions(
            name="review",
            options={"ordering": ["candidate", "created_at", "id"], "verbose_name": "复核意见"},
        ),
        # Rounds, screenings, findings.
        migrations.CreateModel(
            name="Round",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("number", models.PositiveSmallIntegerField(verbose_name="轮次")),
                ("reason", models.CharField(blank=True, max_length=300, verbose_name="更正原因")),
                ("opened_at", models.DateTimeField(default=gongxin.core.clock.now,
                                                   verbose_name="开始时间")),
                ("signed_at", models.DateTimeField(blank=True, null=True, verbose_name="签发时间")),
                ("result_digest", models.CharField(blank=True, max_length=64,
                                                   verbose_name="结果摘要值")),
                ("issued_at", models.DateTimeField(blank=True, null=True, verbose_name="反馈时间")),
                ("letter", models.OneToOneField(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                    related_name="inquiry_round", to="documents.resultletter",
                    verbose_name="查询结果复函")),
                ("opened_by", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                    related_name="+", to="accounts.staff")),
                ("request", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="rounds",
                    to="inquiry.inquiryrequest")),
                ("signed_by", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                    related_name="+", to="accounts.staff")),
            ],
            options={"verbose_name": "办理轮次", "ordering": ["request", "number"]},
        ),
        migrations.AddConstraint(
            model_name="round",
            constraint=models.UniqueConstraint(fields=("request", "number"), name="round_once"),
        ),
        migrations.CreateModel(
            name="Screening",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("round", models.PositiveSmallIntegerField(verbose_name="办理轮次")),
                ("as_of", models.DateField(verbose_name="查询日期")),
                ("screened_at", models.DateTimeField(default=gongxin.core.clock.now,
                                                     verbose_name="查询时间")),
                ("request", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="screenings",
                    to="inquiry.inquiryrequest")),
                ("screened_by", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to="accounts.staff")),
            ],
            options={"verbose_name": "查询比对", "ordering": ["request", "id"]},
        ),
        migrations.CreateModel(
            name="Finding",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("match", models.CharField(choices=MATCH_CHOICES, max_length=16,
                                           verbose_name="比对结果")),
                ("result", models.CharField(blank=True, choices=RESULT_CHOICES, default="",
                                            max_length=16, verbose_name="查询结果")),
                ("result_reason", models.CharField(blank=True, max_length=100,
                                                   verbose_name="结果说明")),
                ("candidate", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="findings",
                    to="inquiry.candidate")),
                ("screening", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="findings",
                    to="inquiry.screening")),
            ],
            options={"verbose_name": "比对结论", "ordering": ["screening", "candidate__row"]},
        ),
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.UniqueConstraint(fields=("screening", "candidate"),
                                               name="finding_once"),  # fmt: skip
        ),
        migrations.AddField(
            model_name="candidatematch",
            name="finding",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="matches", to="inquiry.finding"),  # fmt: skip
        ),
        migrations.AddField(
            model_name="candidate",
            name="key_id",
            field=models.CharField(default="", max_length=32, verbose_name="密钥标识"),
            preserve_default=False,
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveField(model_name="candidatematch", name="candidate"),
        migrations.AlterField(
            model_name="candidatematch",
            name="finding",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="matches", to="inquiry.finding"),  # fmt: skip
        ),
        migrations.AlterModelOptions(
            name="candidatematch",
            options={"ordering": ["finding", "entry"], "verbose_name": "匹配记录"},
        ),
        migrations.RemoveField(model_name="candidate", name="match"),
        migrations.RemoveField(model_name="candidate", name="result"),
        migrations.RemoveField(model_name="candidate", name="result_reason"),
        migrations.RemoveField(model_name="inquiryrequest", name="correction_reason"),
        migrations.RemoveField(model_name="inquiryrequest", name="issued_at"),
        migrations.RemoveField(model_name="inquiryrequest", name="result_digest"),
        migrations.RemoveField(model_name="inquiryrequest", name="screened_on"),
        migrations.RemoveField(model_name="inquiryrequest", name="signed_at"),
        # The holiday calendar moves to the platform app (tables renamed, state handed over).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="calendaryear", table="platform_calendaryear"),
                migrations.AlterModelTable(name="calendarday", table="platform_calendarday"),
            ],
            state_operations=[
                migrations.DeleteModel(name="CalendarDay"),
                migrations.DeleteModel(name="CalendarYear"),
            ],
        ),
    ]
