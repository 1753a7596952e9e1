"""A 通报's 签发 through the task worker (gongxin.platform.background, decision 0017): when its
figures read many requests, the page queues it and shows its progress; the worker numbers,
signs and stores it in one transaction with the job's 'done', so a retried run never takes a
second number."""

from __future__ import annotations

import pytest

from gongxin.audit.models import AuditEvent
from gongxin.documents.models import Letter
from gongxin.platform import background
from gongxin.platform.models import BackgroundJob
from gongxin.supervision import exports
from tests.test_reports import QUARTER, _client, world  # noqa: F401 - the reports' world

pytestmark = pytest.mark.django_db


def test_a_large_report_is_signed_by_the_worker_and_the_page_says_when(world, client, settings):  # noqa: F811
    settings.GONGXIN_BACKGROUND_EXPORT_FROM = 0
    _client(client, world.supervisor)
    answer = client.post("/supervision/reports/issue/", {**QUARTER, "confirmed": "on"})
    job = BackgroundJob.objects.get()
    assert answer["Location"] == f"/supervision/reports/?job={job.pk}"
    assert (job.kind, job.state, job.result_url) == (
        exports.REPORT,
        "done",
        "/supervision/reports/",
    )
    letter = Letter.objects.get(kind="report")
    assert letter.document_number == "京信用函〔2026〕1号"
    page = client.get(answer["Location"]).content.decode()
    assert "通报签发" in page and 'id="result"' in page
    assert AuditEvent.objects.filter(action="supervision.report_issue").count() == 1


def test_a_report_run_that_lost_its_lease_takes_no_number(world):  # noqa: F811
    def lost(**fields):
        raise background.LeaseLost

    params = {"period_start": "2026-01-01", "period_end": "2026-02-28", "kind": QUARTER["kind"],
              "addressee": QUARTER["addressee"]}  # fmt: skip
    with pytest.raises(background.LeaseLost):
        exports.issue_report(world.supervisor, params, background._quiet, lost)
    assert not Letter.objects.exists()
    assert not AuditEvent.objects.filter(action="supervision.report_issue").exists()
