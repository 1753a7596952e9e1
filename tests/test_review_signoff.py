"""Review and sign-off as the notice means them (issue 9): the evidence of a match side by side
with its explanation, independent review (one rule: rules.sees_reviews), a disagreement shown
with the third reviewer's draw, the draft letter the signer reads before signing, 退回复核 with
a reason, and 签发 only with an explicit confirmation. Real SQLite, real PDFs read back."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from gongxin.audit.models import AuditEvent
from gongxin.core import clock, idnumber
from gongxin.core.matching import MatchClass
from gongxin.documents.models import Letter, LetterSequence
from gongxin.inquiry import services
from gongxin.inquiry.models import InquiryRequest, Review
from gongxin.inquiry.rules import sees_reviews
from gongxin.platform.errors import WorkflowError
from tests.factories import (
    LI,
    WANG,
    ZHANG,
    Lists,
    findings_of,
    make_staff,
    matched_candidates,
    person_row,
    signed_in,
)

pytestmark = pytest.mark.django_db
A_REASON = "甲：姓名、号码与判决书一致"
B_REASON = "乙：出生日期与档案不符"


def page(staff, url) -> str:
    client = Client()
    signed_in(client, staff.user)
    return client.get(url).content.decode()


def api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff.user)
    return client


def in_review(world, people=(ZHANG, LI)) -> InquiryRequest:
    today = clock.today()
    req = world.register(people=people, received_on=today, today=today)
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    return InquiryRequest.objects.get(pk=req.pk)


def review(staff, candidate, decision, reason):
    return services.review(staff, candidate.pk, decision, reason, today=clock.today())


def awaiting_signoff(world) -> InquiryRequest:
    req = in_review(world)
    (zhang,) = matched_candidates(req)
    review(world.reviewer_a, zhang, "confirm", A_REASON)
    review(world.reviewer_b, zhang, "confirm", "一致")
    return InquiryRequest.objects.get(pk=req.pk)


def signer_of(req):
    return req.participants.get(role="signer", round=req.round).staff


def events_since(seq):
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def last_seq():
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


# --- 1. the evidence, side by side -----------------------------------------------------------


def test_the_evidence_shows_both_names_and_masked_numbers_with_the_class_explained(world, tmp_path):
    # WANG's number is listed under another name: 仅身份号码匹配.
    Lists(tmp_path).load([person_row("王武", WANG[1], case="（2025）京0105执9号")],
                         source="zdsswf", as_of="2026-01-10")  # fmt: skip
    req = in_review(world, people=(ZHANG, WANG))
    before = last_seq()
    html = page(world.reviewer_a, f"/requests/{req.pk}/")
    assert [e.action for e in events_since(before)] == ["request.view_candidates"]
    for _, number in (ZHANG, WANG):
        assert html.count(idnumber.mask(number)) >= 3  # candidate row, both sides of the table
        assert number not in html
    assert "人选（来文）" in html and "名单记录" in html
    assert "王武" in html and "王五" in html
    assert f"完全匹配</strong> —— {MatchClass.EXACT.explanation}" in html
    assert f"仅身份号码匹配</strong> —— {MatchClass.ID_ONLY.explanation}" in html
    assert "姓名与公民身份号码均一致" in html and "号码一致、姓名不同" in html
    # The API says the same, from the same place.
    detail = api(world.reviewer_a).get(f"/api/v1/requests/{req.pk}/").json()
    by_name = {c["name"]: c["matches"][0] for c in detail["candidates"]}
    assert by_name["王五"]["entry_name"] == "王武"
    assert by_name["王五"]["entry_id_number_masked"] == idnumber.mask(WANG[1])
    assert by_name["王五"]["match_label"] == "仅身份号码匹配"
    assert by_name["张三"]["explanation"] == MatchClass.EXACT.explanation
    # The supervisor sees the candidates, not the evidence.
    html = page(world.supervisor, f"/requests/{req.pk}/")
    assert "王武" not in html and "名单记录" not in html


# --- 2. independent review ---------------------------------------------------------------------


def shows(staff, req, reason) -> tuple[bool, bool]:
    """(on the page, in the API) whether ``staff`` reads ``reason``."""
    html = page(staff, f"/requests/{req.pk}/")
    data = api(staff).get(f"/api/v1/requests/{req.pk}/").json()
    reasons = [r["reason"] for c in data["candidates"] for r in c.get("reviews", [])]
    return reason in html, reason in reasons


def test_a_reviewer_sees_no_other_decision_until_giving_their_own(world):
    req = in_review(world)
    (zhang,) = matched_candidates(req)
    review(world.reviewer_a, zhang, "confirm", A_REASON)
    req = InquiryRequest.objects.get(pk=req.pk)
    reviews = list(Review.objects.filter(candidate=zhang))
    cast = [world.handler, world.reviewer_a, world.reviewer_b, world.supervisor]
    # What each may see is what the one rule says, on the page and in the API alike ...
    for staff in cast:
        expected = sees_reviews(staff, req, req.round, reviews, decided=False)
        if staff == world.supervisor:  # sees candidates, not the evidence or reviews
            assert expected and not shows(staff, req, A_REASON)[1]
            continue
        assert shows(staff, req, A_REASON) == (expected, expected), staff
    # ... and the rule says what the notice means.
    assert not sees_reviews(world.reviewer_b, req, req.round, reviews, decided=False)
    assert sees_reviews(world.handler, req, req.round, reviews, decided=False)
    html = page(world.reviewer_b, f"/requests/{req.pk}/")
    assert "其他复核人的意见在您提交本人的复核意见后显示" in html
    assert "（意见在您复核后显示）" in html  # the 办理记录 holds the decision back too
    assert "第1轮第1号人选：确认列入" not in html
    # Once B has given theirs, both read both.
    review(world.reviewer_b, zhang, "confirm", B_REASON)
    req = InquiryRequest.objects.get(pk=req.pk)
    for staff in (world.reviewer_a, world.reviewer_b, world.handler, signer_of(req)):
        assert shows(staff, req, A_REASON) == (True, True)
        assert shows(staff, req, B_REASON) == (True, True)


def test_a_disagreement_is_shown_and_the_third_reviewer_decides_without_seeing_the_two(world):
    req = in_review(world)
    third = make_staff(world.bj, "reviewer_c", "reviewer")  # joins after the first draw
    (zhang,) = matched_candidates(req)
    review(world.reviewer_a, zhang, "confirm", A_REASON)
    review(world.reviewer_b, zhang, "reject", B_REASON)
    req = InquiryRequest.objects.get(pk=req.pk)
    drawn = set(req.participants.filter(role="reviewer").values_list("staff", flat=True))
    assert third.pk in drawn  # the disagreement drew a third reviewer
    html = page(world.handler, f"/requests/{req.pk}/")
    assert "意见不一致" in html and "已随机抽取第三名复核人：reviewer_c，待其复核" in html
    # The third does not see the two before deciding, nor that they disagree.
    assert shows(third, req, A_REASON) == (False, False)
    assert shows(third, req, B_REASON) == (False, False)
    assert "意见不一致" not in page(third, f"/requests/{req.pk}/")
    review(third, zhang, "confirm", "丙：核对一致")
    req = InquiryRequest.objects.get(pk=req.pk)
    assert req.state == "awaiting_signoff"
    assert next(f for f in findings_of(req) if f.candidate_id == zhang.pk).result == "listed"
    assert shows(third, req, B_REASON) == (True, True)


def test_a_disagreement_without_a_third_reviewer_says_why(world):
    req = in_review(world)
    (zhang,) = matched_candidates(req)
    review(world.reviewer_a, zhang, "confirm", A_REASON)
    review(world.reviewer_b, zhang, "reject", B_REASON)
    html = page(world.supervisor, f"/requests/{req.pk}/")  # the unit's page says it waits
    assert "待补抽复核人 1 名" in html
    html = page(world.handler, f"/requests/{req.pk}/")
    assert "意见不一致" in html and "可抽取的复核人不足 1 人" in html


# --- 3. the draft letter, 退回复核, confirmation -------------------------------------------------


def pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_the_signer_reads_the_draft_letter_marked_as_a_draft(world):
    req = awaiting_signoff(world)
    signer = signer_of(req)
    client = signed_in(Client(), signer.user)
    before = last_seq()
    answer = client.get(f"/requests/{req.pk}/draft.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert [(e.action, e.object_id) for e in events_since(before)] == [
        ("request.view_draft", str(req.pk))]  # fmt: skip
    text = pdf_text(answer.content)
    assert "草稿" in text and "未签发" in text
    assert idnumber.mask(ZHANG[1]) in text and idnumber.mask(LI[1]) in text
    assert "被依法列为失信联合惩戒对象" in text and "未发现被依法列为失信联合惩戒对象" in text
    assert "验证码" not in text and f"京信用函〔{clock.today().year}〕1号" not in text
    # A draft takes no number and issues nothing.
    assert not Letter.objects.exists() and not LetterSequence.objects.exists()
    # The supervisor may read it; a reviewer, the handler and another unit may not.
    assert signed_in(Client(), world.supervisor.user).get(
        f"/requests/{req.pk}/draft.pdf").status_code == 200  # fmt: skip
    for staff, status in ((world.reviewer_a, 403), (world.handler, 403), (world.outsider, 404)):
        before = last_seq()
        answer = signed_in(Client(), staff.user).get(f"/requests/{req.pk}/draft.pdf")
        assert answer.status_code == status, staff
        assert answer["Content-Type"].startswith("text/html")
        assert not [e for e in events_since(before) if e.action == "request.view_draft"]
    # After signing there is no draft: the letter itself is downloaded.
    services.sign_off(signer, req.pk, confirmed=True)
    assert client.get(f"/requests/{req.pk}/draft.pdf").status_code == 409


def test_sign_off_without_the_confirmation_is_refused_and_changes_nothing(world):
    req = awaiting_signoff(world)
    signer = signer_of(req)
    client = signed_in(Client(), signer.user)
    html = client.get(f"/requests/{req.pk}/").content.decode()
    assert "我已阅读复函草稿，确认签发" in html and f"/requests/{req.pk}/draft.pdf" in html
    before = last_seq()
    html = client.post(f"/requests/{req.pk}/sign_off/", follow=True).content.decode()
    assert "请先阅读复函草稿，并勾选「我已阅读复函草稿，确认签发」" in html
    answer = api(signer).post(f"/api/v1/requests/{req.pk}/sign-off/", {"confirm": False},
                              format="json")  # fmt: skip
    assert answer.status_code == 400 and "我已阅读复函草稿，确认签发" in answer.content.decode()
    assert api(signer).post(f"/api/v1/requests/{req.pk}/sign-off/").status_code == 400
    req.refresh_from_db()
    assert req.state == "awaiting_signoff" and not Letter.objects.exists()
    refused = [e for e in events_since(before) if e.action == "request.sign_off"]
    assert refused and all(e.outcome == "refused" for e in refused)
    with pytest.raises(WorkflowError):
        services.sign_off(signer, req.pk, confirmed=False)
    signed = api(signer).post(f"/api/v1/requests/{req.pk}/sign-off/", {"confirm": True},
                              format="json")  # fmt: skip
    # 签发 goes to the task worker (here the tests' immediate backend runs it at once): 202,
    # with the job in the detail.
    assert signed.status_code == 202 and signed.json()["request"]["state"] == "signed"
    assert signed.json()["job"]["action"] == "sign_off"
    assert signed.json()["job"]["state"] == "done"


def test_the_signer_sends_back_with_a_reason_and_the_reviewers_review_again(world):
    req = awaiting_signoff(world)
    signer = signer_of(req)
    (zhang,) = matched_candidates(req)
    client = signed_in(Client(), signer.user)
    assert "退回复核原因" in client.get(f"/requests/{req.pk}/").content.decode()
    # No reason: refused, nothing changes.
    html = client.post(f"/requests/{req.pk}/send_back/", {"reason": " "},
                       follow=True).content.decode()  # fmt: skip
    assert "请填写退回复核的原因" in html
    assert InquiryRequest.objects.get(pk=req.pk).state == "awaiting_signoff"
    # Not the signer: refused.
    with pytest.raises(WorkflowError) as refused:
        services.send_back(world.handler, req.pk, "不同意")
    assert refused.value.code == "forbidden"
    before = last_seq()
    html = client.post(f"/requests/{req.pk}/send_back/", {"reason": "判决书案号与名单记录不一致"},
                       follow=True).content.decode()  # fmt: skip
    assert "已退回复核" in html
    written = [e for e in events_since(before) if e.action == "request.send_back"]
    assert len(written) == 1 and written[0].detail["candidates"] == 1
    req = InquiryRequest.objects.get(pk=req.pk)
    assert req.state == "in_review" and req.round == 1
    results = {f.candidate_id: f.result for f in findings_of(req)}
    assert results[zhang.pk] == "" and list(results.values()).count("not_listed") == 1
    # The reviews are kept, set aside; the page and the 办理记录 say why.
    assert Review.objects.filter(candidate=zhang, set_aside_by__isnull=False).count() == 2
    html = page(world.handler, f"/requests/{req.pk}/")
    assert "判决书案号与名单记录不一致" in html and "退回复核" in html
    assert "此意见不再计入" in html
    # The same reviewers review again; A does not see B's new opinion before giving theirs.
    review(world.reviewer_b, zhang, "reject", "乙：案号不符，排除")
    req = InquiryRequest.objects.get(pk=req.pk)
    assert shows(world.reviewer_a, req, "乙：案号不符，排除") == (False, False)
    review(world.reviewer_a, zhang, "reject", "甲：复核后排除")
    req = InquiryRequest.objects.get(pk=req.pk)
    assert req.state == "awaiting_signoff"
    assert {f.candidate_id: f.result for f in findings_of(req)}[zhang.pk] == "not_listed"
    # The same signer now signs, with the confirmation.
    html = client.post(f"/requests/{req.pk}/sign_off/", {"confirm": "yes"},
                       follow=True).content.decode()  # fmt: skip
    assert "已签发，结果已固定" in html
    assert InquiryRequest.objects.get(pk=req.pk).state == "signed"
    history = page(world.handler, f"/requests/{req.pk}/").split('id="history"')[1]
    assert "退回复核1名有匹配的人选：判决书案号与名单记录不一致" in history


def test_send_back_through_the_api_needs_a_reason(world):
    req = awaiting_signoff(world)
    signer = signer_of(req)
    answer = api(signer).post(f"/api/v1/requests/{req.pk}/send-back/", {}, format="json")
    assert answer.status_code == 400
    answer = api(world.reviewer_a).post(f"/api/v1/requests/{req.pk}/send-back/",
                                        {"reason": "不同意"}, format="json")  # fmt: skip
    assert answer.status_code == 404  # a reviewer holds no signer role: not in their map
    answer = api(signer).post(f"/api/v1/requests/{req.pk}/send-back/", {"reason": "不同意"},
                              format="json")  # fmt: skip
    assert answer.status_code == 200 and answer.json()["request"]["state"] == "in_review"
    assert "send_back" not in answer.json()["actions"]
