"""A real browser, letters and paper (issue 9): a handler returns a request and downloads its
退函; opens the 办理单 of an issued request and prints it to PDF. The files are opened, and
pages rendered to PNG under test-artifacts/ for a person to look at."""

import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from gongxin.core import clock
from gongxin.inquiry import services
from gongxin.inquiry.models import InquiryRequest
from tests.factories import LI, ZHANG, World, matched_candidates
from tests.test_browser import ARTIFACTS, CHROMIUM, browser, enrolled_context, sign_in

__all__ = ["browser"]  # the fixture, shared with tests/test_browser.py

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),
]


def to_png(pdf: Path, stem: str) -> None:
    """The PDF's pages as PNG beside it (when poppler is installed)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        subprocess.run([pdftoppm, "-r", "70", "-png", str(pdf), str(ARTIFACTS / stem)],
                       check=True)  # fmt: skip


def in_thread(work, *args):
    """Run ``work`` in a thread of its own: signing a letter runs an event loop (pyHanko),
    which cannot start in this thread while Playwright's runs here."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run():
        try:
            return work(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def signed(world):
    today = clock.today()
    req = world.register(people=[ZHANG, LI], received_on=today, today=today)
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    for candidate in matched_candidates(req):
        for reviewer in (world.reviewer_a, world.reviewer_b):
            services.review(reviewer, candidate.pk, "confirm", "一致", today=today)
    services.sign_off(world.signer, req.pk, confirmed=True)
    return req


def text_of(data: bytes, form: str = "NFC") -> str:
    """The text without white space (NFKC for Chromium's PDF: it maps some glyphs of Noto Sans
    CJK to Kangxi radicals, ⼈ U+2F08 for 人)."""
    pages = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return unicodedata.normalize(form, re.sub(r"\s+", "", pages))


def test_handler_returns_a_request_downloads_the_return_letter_and_prints_the_sheet(
    live_server, browser, tmp_path
):
    world = World(tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    today = clock.today()
    returned = world.register(people=[LI], received_on=today, today=today)
    page = enrolled_context(browser, live_server, world.bj).new_page()
    sign_in(page, live_server, world.handler)
    page.get_by_role("heading", name="工作台").wait_for()

    # 退回, then the 退函.
    page.goto(f"{live_server.url}/requests/{returned.pk}/")
    page.get_by_label("退回原因").fill("来文未注明拟任职位")
    page.get_by_role("button", name="退回").click()
    page.get_by_text("已退回").first.wait_for()
    page.get_by_role("button", name="生成退回函").click()
    page.get_by_text("已生成退回函").wait_for()
    page.screenshot(path=str(ARTIFACTS / "letters-1-returned.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载退回函（PDF）").click()
    saved = ARTIFACTS / "letters-return-letter.pdf"
    download.value.save_as(saved)
    text = text_of(saved.read_bytes())
    number = InquiryRequest.objects.get(pk=returned.pk).return_letter.document_number
    assert "北京市委组织部：" in text and "来文未注明拟任职位" in text and number in text
    to_png(saved, "letters-return-letter")

    # 反馈 with a date in the future: refused beside the field, then recorded.
    req = in_thread(signed, world)
    page.goto(f"{live_server.url}/requests/{req.pk}/")
    page.get_by_label("机要交换").check()
    page.get_by_label("发送日期").fill(today.replace(year=today.year + 1).isoformat())
    page.get_by_role("button", name="反馈（已发出复函）").click()
    page.locator("#error-sent_on").get_by_text("发送日期不能晚于今天").wait_for()
    page.screenshot(path=str(ARTIFACTS / "letters-2-issue-refused.png"), full_page=True)
    assert InquiryRequest.objects.get(pk=req.pk).state == "signed"
    page.get_by_label("发送日期").fill(today.isoformat())
    page.get_by_label("经办说明（选填）").fill("交机要室")
    page.get_by_role("button", name="反馈（已发出复函）").click()
    page.get_by_text("已反馈，发送方式和日期已记录").wait_for()

    # The 办理单 of the issued request, printed.
    page.get_by_role("link", name="打印办理单").click()
    page.get_by_role("heading", name="查询需求办理单").wait_for()
    page.screenshot(path=str(ARTIFACTS / "letters-3-sheet.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.eval_on_selector("header", "e => getComputedStyle(e).display") == "none"
    sheet = ARTIFACTS / "letters-sheet.pdf"
    page.pdf(path=str(sheet), prefer_css_page_size=True, print_background=False)
    printed = PdfReader(io.BytesIO(sheet.read_bytes()))
    box = printed.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 3 and abs(float(box.height) - 841.9) < 3  # A4
    text = text_of(sheet.read_bytes(), "NFKC")
    assert "查询需求办理单" in text and "经办人签字" in text and "机要交换" in text
    assert "工作台" not in text  # no navigation on paper
    assert ZHANG[0] not in text and LI[0] not in text and ZHANG[1] not in text
    to_png(sheet, "letters-sheet")
