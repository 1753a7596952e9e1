"""A real browser on a 5,000-candidate request (issue 9): the handler's page opens with the one
match first and pages through the rest; the signer signs, and the progress page follows the
background sign-off until it is done. The worker is django-tasks' database worker, run in a
thread of this process (the test database is an in-memory SQLite shared with the live server).
Screenshots are saved in test-artifacts/ (tasks-*.png).
"""

import threading
from pathlib import Path

import pytest

from gongxin.core import clock
from gongxin.core.synthetic import Generator
from gongxin.inquiry import services
from gongxin.inquiry.models import InquiryRequest, RequestJob
from gongxin.registry.screening import CandidateInput
from tests.factories import ZHANG, World, matched_candidates
from tests.test_browser import ARTIFACTS, CHROMIUM, browser, enrolled_context, sign_in

__all__ = ["browser"]  # the module-scoped fixture, shared with tests/test_browser.py

CANDIDATES = 5000

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]  # fmt: skip


class WorkerThread(threading.Thread):
    """`gongxin db-worker`'s loop, in a thread (the command's signal handlers need the main
    thread, so the Worker is driven directly)."""

    def __init__(self):
        super().__init__(daemon=True)
        from django_tasks_db.management.commands.db_worker import Worker

        self.worker = Worker(queue_names=["default"], interval=0.2, batch=False,
                             backend_name="default", startup_delay=False, max_tasks=None,
                             worker_id="browser-test", excluded_queue_names=[])  # fmt: skip

    def run(self):
        from django.db import connection

        try:
            self.worker.run()
        finally:
            connection.close()

    def stop(self):
        self.worker.running = False
        self.join(30)


def large_request(world) -> InquiryRequest:
    """5,000 candidates registered, screened and submitted through the services, ZHANG (the one
    on the list) in the last row, confirmed by both reviewers: waiting for the signer."""
    today = clock.today()
    gen = Generator(seed=5000)
    people = [CandidateInput(i + 1, gen.name(), gen.id_number(), "科员")
              for i in range(CANDIDATES - 1)]  # fmt: skip
    people.append(CandidateInput(CANDIDATES, *ZHANG, "科员"))
    reg = services.Registration(world.agency, "京组函〔2026〕5000号", today, "recruitment", people)
    req = services.register(world.handler, reg, today=today)
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    for candidate in matched_candidates(req):
        for reviewer in (world.reviewer_a, world.reviewer_b):
            services.review(reviewer, candidate.pk, "confirm", "一致", today=today)
    return InquiryRequest.objects.get(pk=req.pk)


def test_a_5000_candidate_request_pages_and_is_signed_with_progress(
    live_server, browser, tmp_path, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    world = World(tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    req = large_request(world)
    url = f"{live_server.url}/requests/{req.pk}/"

    def shot(page, name):
        page.screenshot(path=str(ARTIFACTS / f"tasks-{name}.png"), full_page=True)

    # The handler's page: the match first, 100 rows, then the rest a page at a time.
    handler = enrolled_context(browser, live_server, world.bj).new_page()
    sign_in(handler, live_server, world.handler)
    handler.get_by_role("heading", name="工作台").wait_for()
    handler.goto(url)
    rows = handler.locator("#round-1 tbody > tr[id^=candidate-]")
    assert rows.count() == 100
    assert rows.first.get_attribute("id") == f"candidate-{CANDIDATES}"  # 张三, the match
    assert "第 1–100 名，共 5000 名（第 1/50 页）" in handler.content()
    shot(handler, "1-first-page")
    handler.get_by_role("link", name="下一页").first.click()
    handler.get_by_text("第 101–200 名，共 5000 名（第 2/50 页）").first.wait_for()
    assert rows.first.get_attribute("id") == "candidate-100"  # row 100: row 5000 went first
    shot(handler, "2-second-page")

    # The signer signs; the sign-off runs in the background, its progress on its own page.
    signer_staff = req.participants.get(role="signer").staff
    signer = enrolled_context(browser, live_server, world.bj).new_page()
    sign_in(signer, live_server, signer_staff)
    signer.get_by_role("heading", name="工作台").wait_for()
    signer.goto(url)
    signer.get_by_label("我已阅读复函草稿，确认签发").check()
    signer.get_by_role("button", name="签发").click()
    signer.get_by_text("签发已转入后台办理").wait_for()
    assert signer.locator("#job h2").inner_text() == "后台办理：签发（排队中）"
    assert signer.locator("#job progress").count() == 1
    shot(signer, "3-queued")
    worker = WorkerThread()
    worker.start()
    try:
        signer.get_by_text("后台办理：签发（进行中）").wait_for(timeout=60_000)
        shot(signer, "4-running")
        # Done: the progress page sends the signer back to the request with the outcome.
        signer.get_by_text("已签发，结果已固定").wait_for(timeout=300_000)
    finally:
        worker.stop()
    assert signer.url == url
    assert signer.locator("#job h2").inner_text() == "后台办理：签发（已完成）"
    shot(signer, "5-done")
    signer.get_by_text("待反馈").first.wait_for()  # signed: the handler sends it next
    assert InquiryRequest.objects.get(pk=req.pk).state == "signed"
    job = RequestJob.objects.get(request=req)
    assert (job.state, job.actor_id, job.processed) == ("done", signer_staff.pk, 3)
    shot(signer, "6-signed")
