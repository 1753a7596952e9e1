"""A real browser: a supervisor draws up the unit's 通报 — a period it cannot report is said
beside its field; the draft downloads as PDF and Word; 签发 downloads the numbered, signed PDF.
The figures are the known ones of tests/report_samples.py (their queries are the statistics').
Screenshots in test-artifacts/ for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gongxin.audit.models import AuditEvent
from gongxin.documents.models import Letter
from gongxin.supervision import figures as source
from gongxin.supervision import report_services
from tests.factories import World
from tests.report_samples import chart_png, figures
from tests.test_browser import CHROMIUM, FLAGS, enrolled_context, sign_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield instance
        instance.close()


def test_a_supervisor_downloads_a_draft_and_issues_the_report(live_server, browser, tmp_path,
                                                              monkeypatch):  # fmt: skip
    world = World(tmp_path)
    monkeypatch.setattr(source, "unit_figures",
                        lambda units, period: figures(period=period))  # fmt: skip
    monkeypatch.setattr(report_services, "report_chart", lambda f: chart_png())
    ARTIFACTS.mkdir(exist_ok=True)
    context = enrolled_context(browser, live_server, world.bj)
    page = context.new_page()
    sign_in(page, live_server, world.supervisor)
    page.get_by_role("link", name="通报").click()
    page.get_by_role("heading", name="通报").wait_for()
    assert page.get_by_label("各省工作情况通报（国家级）").count() == 0

    page.get_by_label("统计起始日期").fill("2026-03-01")
    page.get_by_label("统计截止日期").fill("2026-02-01")
    page.get_by_role("button", name="下载草稿（PDF）").click()
    page.get_by_text("统计截止日期不能早于起始日期").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "reports-1-period-refused.png"), full_page=True)

    page.get_by_label("统计起始日期").fill("2026-01-01")
    page.get_by_label("统计截止日期").fill("2026-03-31")
    page.get_by_label("主送机关").fill("中共北京市委组织部（北京市公务员局）")
    for button, suffix in (("下载草稿（PDF）", ".pdf"), ("下载草稿（Word）", ".docx")):
        with page.expect_download() as download:
            page.get_by_role("button", name=button).click()
        assert download.value.suggested_filename == f"通报草稿-2026年第一季度{suffix}"
    page.screenshot(path=str(ARTIFACTS / "reports-2-form.png"), full_page=True)
    page.get_by_role("button", name="签发").click()
    page.get_by_text("签发前请核对草稿并勾选确认").first.wait_for()
    assert not Letter.objects.exists()
    page.get_by_label("已核对草稿，确认签发").check()
    page.get_by_role("button", name="签发").click()
    page.get_by_text("已签发京信用函〔2026〕1号").wait_for()  # told, on the page, form cleared
    assert not page.get_by_label("已核对草稿，确认签发").is_checked()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载（PDF）").click()
    assert download.value.suggested_filename == "京信用函〔2026〕1号.pdf"
    download.value.save_as(ARTIFACTS / "reports-3-issued.pdf")
    assert Letter.objects.filter(kind="report").count() == 1
    actions = list(AuditEvent.objects.filter(action__startswith="supervision.")
                   .values_list("action", flat=True))  # fmt: skip
    assert actions == ["supervision.report_download"] * 2 + [
        "supervision.report_issue",
        "supervision.report_download",
    ]
    page.goto(f"{live_server.url}/supervision/reports/")
    page.get_by_role("cell", name="京信用函〔2026〕1号").wait_for()
    assert Letter.objects.filter(kind="report").count() == 1
    page.screenshot(path=str(ARTIFACTS / "reports-4-issued-listed.png"), full_page=True)
