"""A real browser through review and sign-off (issue 9): two reviewers disagree on a match
without seeing each other's decision, the page says so and a third reviewer decides; the signer
reads the draft letter, sends the request back for review with a reason, and after the second
review signs with the confirmation ticked. Screenshots in test-artifacts/review-*.png, one of
them at phone width (390 px).
"""

import io
import os

import pytest
from pypdf import PdfReader

from gongxin.core import clock
from gongxin.inquiry import services
from gongxin.inquiry.models import InquiryRequest
from tests.factories import LI, ZHANG, World, make_staff, matched_candidates
from tests.test_browser import ARTIFACTS, CHROMIUM, browser, enrolled_context, sign_in  # noqa: F401

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
    pytest.mark.django_db(transaction=True),
]


def test_a_split_review_and_a_signer_who_sends_back_then_signs(live_server, browser, tmp_path):  # noqa: F811
    world = World(tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    today = clock.today()
    req = world.register(people=[ZHANG, LI], received_on=today, today=today)
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    third = make_staff(world.bj, "reviewer_c", "reviewer")  # in the pool for the third draw
    (zhang,) = matched_candidates(req)
    url = f"{live_server.url}/requests/{req.pk}/"

    def as_user(staff, width=1280):
        page = enrolled_context(browser, live_server, world.bj).new_page()
        sign_in(page, live_server, staff)
        page.get_by_role("heading", name="工作台").wait_for()
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        return page

    def shot(page, name):
        page.screenshot(path=str(ARTIFACTS / f"review-{name}.png"), full_page=True)

    def give(page, decision, reason):
        form = page.locator(f"#candidate-{zhang.row} + tr form")
        form.get_by_label(decision).check()
        form.get_by_label("理由").fill(reason)
        form.get_by_role("button", name="提交复核意见").click()
        page.get_by_text(f"已记录对第{zhang.row}号人选的复核意见").wait_for()

    # 1. Reviewer A, on a phone: the evidence side by side, then confirms.
    page = as_user(world.reviewer_a, width=390)
    evidence = page.locator("table.evidence").first
    assert "人选（来文）" in evidence.inner_text() and "名单记录" in evidence.inner_text()
    assert (
        "完全匹配" in evidence.inner_text() and "姓名与公民身份号码均一致" in evidence.inner_text()
    )
    # Usable at 390 px: the evidence table fits the screen, nothing to scroll sideways.
    assert evidence.bounding_box()["x"] + evidence.bounding_box()["width"] <= 390
    shot(page, "1-evidence-390px")
    give(page, "确认列入", "甲：姓名、号码与判决书一致")

    # 2. Reviewer B does not see A's decision before giving theirs, and rejects.
    page = as_user(world.reviewer_b)
    assert "甲：姓名、号码与判决书一致" not in page.content()
    page.get_by_text("其他复核人的意见在您提交本人的复核意见后显示").wait_for()
    shot(page, "2-independent")
    give(page, "排除", "乙：出生日期与档案不符")
    assert "甲：姓名、号码与判决书一致" in page.content()  # now both are shown

    # 3. The handler sees the disagreement and the third reviewer drawn.
    page = as_user(world.handler)
    page.get_by_text("意见不一致").first.wait_for()
    assert "已随机抽取第三名复核人：reviewer_c" in page.content()
    shot(page, "3-disagreement")

    # 4. The third reviewer decides without seeing the two.
    page = as_user(third)
    assert "乙：出生日期与档案不符" not in page.content()
    give(page, "确认列入", "丙：核对判决书，确认一致")
    assert InquiryRequest.objects.get(pk=req.pk).state == "awaiting_signoff"

    # 5. The signer reads the draft letter, then sends the request back with a reason.
    signer = req.participants.get(role="signer").staff
    page = as_user(signer)
    draft = page.get_by_role("link", name="查看复函草稿")
    pdf = page.request.get(live_server.url + draft.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    (ARTIFACTS / "review-draft.pdf").write_bytes(pdf.body())  # to look at, as it prints
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "草稿" in text and "被依法列为失信联合惩戒对象" in text
    shot(page, "4-signer")
    page.get_by_label("退回复核原因").fill("判决书案号与名单记录须再核对")
    page.get_by_role("button", name="退回复核").click()
    page.get_by_text("已退回复核").first.wait_for()
    assert "判决书案号与名单记录须再核对" in page.content()
    shot(page, "5-sent-back")

    # 6. Two of the drawn reviewers review again; the signer signs, the confirmation ticked.
    for reviewer, reason in ((world.reviewer_a, "甲：再核对，一致"), (third, "丙：再核对，一致")):
        give(as_user(reviewer), "确认列入", reason)
    page = as_user(signer)
    page.get_by_label("我已阅读复函草稿，确认签发").check()
    shot(page, "6-confirm")
    page.get_by_role("button", name="签发", exact=True).click()
    page.get_by_text("已签发，结果已固定").wait_for()
    shot(page, "7-signed")
    assert InquiryRequest.objects.get(pk=req.pk).state == "signed"
