"""The workflow end to end through the services, and every action from every state."""

import datetime as dt

import pytest

from gongxin.audit.models import AuditEvent
from gongxin.inquiry import services
from gongxin.inquiry.models import InquiryRequest
from gongxin.platform.errors import Conflict, InvalidSubmission, WorkflowError
from tests.factories import LI, ZHANG, current_round, finding_of, findings_of, signed_in

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def test_request_with_a_match_from_registration_to_issued(world):
    req = world.register()
    assert (req.state, req.handler, req.deadline) == (
        "assigned",
        world.handler,
        dt.date(2026, 3, 5),
    )
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    req.refresh_from_db()
    assert req.state == "in_review"
    zhang, _ = req.candidates.order_by("row")
    zf, lf = findings_of(req)
    assert (zf.match, lf.match, lf.result) == ("exact", "none", "not_listed")
    assert zf.matches.get().source_name == "失信被执行人"
    services.review(world.reviewer_a, zhang.pk, "confirm", "身份号码与姓名一致", today=TODAY)
    services.review(world.reviewer_b, zhang.pk, "confirm", "核对裁判文书一致", today=TODAY)
    req.refresh_from_db()
    assert req.state == "awaiting_signoff"
    services.sign_off(world.signer, req.pk, confirmed=True)
    services.issue(world.handler, req.pk)
    req.refresh_from_db()
    assert (req.state, finding_of(zhang).result) == ("issued", "listed")
    assert len(current_round(req).result_digest) == 64
    actions = list(
        AuditEvent.objects.filter(object_type="InquiryRequest", object_id=str(req.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions[:3] == ["request.register", "request.assign", "request.screen"]
    assert actions[-2:] == ["request.sign_off", "request.issue"]
    draw = AuditEvent.objects.get(action="request.assign", object_id=str(req.pk))
    assert draw.detail == {"round": 1, "pool": [world.handler.pk], "winner": world.handler.pk}
    # No plaintext personal data anywhere in the trail.
    trail = repr(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert ZHANG[1] not in trail and "张三" not in trail


def test_request_without_matches_goes_straight_to_signoff(world):
    req = world.register(people=[LI])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    req.refresh_from_db()
    assert req.state == "awaiting_signoff"
    assert not req.participants.filter(role="reviewer").exists()


def test_rejected_match_becomes_not_listed_with_the_reasons_kept(world):
    req = world.register(people=[ZHANG])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    zhang = req.candidates.get()
    services.review(world.reviewer_a, zhang.pk, "reject", "同名同号但已履行", today=TODAY)
    services.review(world.reviewer_b, zhang.pk, "reject", "已于裁定中撤销", today=TODAY)
    finding = finding_of(zhang)
    assert (finding.result, finding.result_reason) == ("not_listed", "经两名复核人排除")
    assert sorted(zhang.reviews.values_list("reason", flat=True)) == ["同名同号但已履行",
                                                                     "已于裁定中撤销"]  # fmt: skip


def test_disagreement_draws_a_third_reviewer(world):
    third = __import__("tests.factories", fromlist=["make_staff"]).make_staff(
        world.bj, "reviewer_c", "reviewer"
    )
    req = world.register(people=[ZHANG])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    drawn = set(req.participants.filter(role="reviewer").values_list("staff", flat=True))
    first, second = sorted(drawn)
    zhang = req.candidates.get()
    staff = {s.pk: s for s in (world.reviewer_a, world.reviewer_b, third)}
    services.review(staff[first], zhang.pk, "confirm", "一致", today=TODAY)
    services.review(staff[second], zhang.pk, "reject", "不一致", today=TODAY)
    req.refresh_from_db()
    assert req.state == "in_review"
    (extra,) = set(req.participants.filter(role="reviewer").values_list("staff", flat=True)) - drawn
    services.review(staff[extra], zhang.pk, "confirm", "核实一致", today=TODAY)
    assert finding_of(zhang).result == "listed"


def test_registration_errors_name_row_and_field_and_save_nothing(world):
    with pytest.raises(InvalidSubmission) as exc:
        world.register(people=[ZHANG, ("李四", "440524188001010015"), ("张三", ZHANG[1]),
                               ("", "440524198001010013")])  # fmt: skip
    assert [str(p) for p in exc.value.problems] == [
        "第3行「公民身份号码」：校验码不正确",
        "第4行「公民身份号码」：与第2行重复",
        "第5行「姓名」：姓名或名称为空",
    ]
    assert InquiryRequest.objects.count() == 0
    assert "440524188001010015" not in repr(exc.value.problems)


def test_missing_fields_are_all_reported(world):
    from gongxin.inquiry.services import Registration, register

    with pytest.raises(InvalidSubmission) as exc:
        register(world.handler, Registration(None, " ", None, "", []), today=TODAY)
    assert [p.field for p in exc.value.problems] == ["发起查询单位", "来文文号", "收文日期", "类别",
                                                     "人选"]  # fmt: skip


def test_agency_outside_the_service_area_is_returned_with_the_reason(world):
    req = world.register(agency=world.central)
    assert req.state == "returned"
    assert req.return_reason == "发起查询单位不属于本单位服务范围，应向国家公共信用信息中心提出"


def test_same_letter_twice_is_a_conflict_naming_the_request(world):
    first = world.register()
    world.letters -= 1
    with pytest.raises(Conflict) as exc:
        world.register()
    assert (exc.value.code, exc.value.existing) == ("duplicate", first)
    assert InquiryRequest.objects.count() == 1
    # With other problems as well, the duplicate is listed among them.
    world.letters -= 1
    with pytest.raises(InvalidSubmission) as listed:
        world.register(people=[ZHANG, ("李四", "440524188001010015")])
    assert "「来文文号」：该单位的这份来文已经登记过" in [str(p) for p in listed.value.problems]


def test_a_returned_letter_sent_again_is_registered_again(world, client):
    first = world.register()
    services.return_request(world.handler, first.pk, "附件缺人选名单")
    signed_in(client, world.handler.user)
    page = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": first.letter_number,
        "received_on": TODAY.isoformat(), "kind": "recruitment",
        "candidates_text": f"张三,{ZHANG[1]}",
    }, follow=True).content.decode()  # fmt: skip
    again = InquiryRequest.objects.exclude(pk=first.pk).get()
    assert again.state == "assigned" and again.letter_number == first.letter_number
    assert "此前曾登记并退回（附件缺人选名单）" in page
    world.letters -= 1
    with pytest.raises(Conflict):  # but not a third time while this one is open
        world.register()


def test_deadline_in_an_unconfigured_year_is_shown_not_guessed(world):
    req = world.register(received_on=dt.date(2026, 12, 30), today=dt.date(2026, 12, 30))
    assert req.deadline is None
    assert req.deadline_problem == "截止日期无法计算：2027 年节假日安排未配置"
    assert services.deadline_status(req) == "截止日期无法计算：2027 年节假日安排未配置"


def test_sysadmin_entered_year_is_used_for_deadlines(world):
    from gongxin.platform.calendar import enter_year
    from tests.factories import make_staff

    admin = make_staff(world.national, "sysadmin", "sysadmin")
    province = make_staff(world.bj, "bj-sysadmin", "sysadmin")
    for refused in (world.handler, province):  # the country's calendar: the national center's
        with pytest.raises(WorkflowError):
            enter_year(refused, 2027, [dt.date(2027, 1, 1)], [])
    enter_year(admin, 2027, [dt.date(2027, 1, 1)], [dt.date(2027, 1, 2)])
    req = world.register(received_on=dt.date(2026, 12, 30), today=dt.date(2026, 12, 30))
    assert req.deadline == dt.date(2027, 1, 4)


def test_extension_before_and_overdue_after_the_deadline(world):
    req = world.register()
    ext = services.ExtensionInput("材料需核实", "王科长", dt.date(2026, 3, 4), "电话",
                                  dt.date(2026, 3, 10))  # fmt: skip
    services.extend(world.handler, req.pk, ext, today=dt.date(2026, 3, 4))
    req.refresh_from_db()
    assert req.deadline == dt.date(2026, 3, 10)
    assert services.deadline_status(req, dt.date(2026, 3, 10)) == "今日到期"
    with pytest.raises(WorkflowError, match="须填写发起单位联系人、商定日期、沟通方式、新期限"):
        services.extend(world.handler, req.pk, services.ExtensionInput("再延"),
                        today=dt.date(2026, 3, 9))  # fmt: skip
    late = services.extend(world.handler, req.pk, services.ExtensionInput("系统故障"),
                           today=dt.date(2026, 3, 11))  # fmt: skip
    req.refresh_from_db()
    assert (late.kind, req.deadline) == ("overdue", dt.date(2026, 3, 10))
    assert services.deadline_status(req, dt.date(2026, 3, 11)) == "已超期"


def test_recused_and_untrained_staff_are_never_drawn(world):
    from gongxin.accounts.models import Recusal
    from tests.factories import make_staff

    make_staff(world.bj, "untrained", "handler", trained=False)
    make_staff(world.bj, "too_long", "handler", post_since=dt.date(2019, 1, 1))
    recused = make_staff(world.bj, "recused", "handler")
    Recusal.objects.create(
        staff=recused, agency=world.agency, reason="亲属在该单位任职", starts_on=dt.date(2026, 1, 1)
    )
    for _ in range(5):
        assert world.register().handler == world.handler


def test_a_renderer_failure_refuses_sign_off_and_quotes_nobody(world, monkeypatch, caplog):
    """A fault inside a document library is a recorded refusal with a reference for the
    administrator, not a 500; the log carries the frames, not the library's message (which may
    quote a name)."""
    from gongxin.documents import pdf_letter

    req = world.register(people=[LI])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)

    def broken(content):
        raise ValueError(f"cannot lay out {LI[0]} {LI[1]}")

    monkeypatch.setattr(pdf_letter, "build", broken)
    with pytest.raises(WorkflowError) as exc:
        services.sign_off(world.signer, req.pk, confirmed=True)
    assert exc.value.code == "render_failed" and "错误编号" in exc.value.message
    req.refresh_from_db()
    assert req.state == "awaiting_signoff" and current_round(req).letter is None
    assert AuditEvent.objects.filter(action="request.sign_off", outcome="refused",
                                     detail__code="render_failed").exists()  # fmt: skip
    assert "ValueError" in caplog.text and LI[0] not in caplog.text and LI[1] not in caplog.text
    monkeypatch.undo()
    services.sign_off(world.signer, req.pk, confirmed=True)  # once fixed, the same request signs
    req.refresh_from_db()
    assert req.state == "signed"


def test_a_refused_registration_is_recorded_without_what_was_typed(world):
    from gongxin.inquiry.services import Registration

    reg = Registration(world.agency, "京组函\x07号", TODAY, "recruitment", [])
    with pytest.raises(InvalidSubmission):
        services.register(world.handler, reg, today=TODAY)
    event = AuditEvent.objects.get(action="request.register", outcome="refused")
    assert event.actor == "handler" and event.detail["code"] == "invalid"
    assert event.detail["fields"] == ["人选", "来文文号"] and "京组函" not in str(event.detail)
    assert not InquiryRequest.objects.exists()


def test_a_result_changed_while_the_letter_renders_is_signed_as_it_now_stands(world, monkeypatch):
    """The letter is rendered outside the signing transaction; inside it the results are
    compared with what was rendered, without opening any candidate. A result that changed in
    between sends the letter back to be rendered again: the signed digest is of the results
    as they stand."""
    from gongxin.inquiry.letters import result_rows
    from gongxin.inquiry.models import Finding
    from gongxin.inquiry.services import signing

    req = world.register(people=[LI])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    real_render, rendered = signing.render, []

    def render(content, *args):
        rendered.append([row[3] for row in content.table.rows])
        if len(rendered) == 1:  # someone changes the result meanwhile
            Finding.objects.filter(candidate__request=req).update(result="listed")
        return real_render(content, *args)

    monkeypatch.setattr(signing, "render", render)
    services.sign_off(world.signer, req.pk, confirmed=True)
    req = InquiryRequest.objects.get(pk=req.pk)
    assert rendered == [["未发现被依法列为失信联合惩戒对象"], ["被依法列为失信联合惩戒对象"]]
    assert current_round(req).result_digest == signing.result_digest(req, result_rows(req))


def test_a_list_switched_on_while_a_screening_matched_outside_the_lock_is_used(
    world, tmp_path, monkeypatch
):
    """Screening matches before it locks the request (so thousands of candidates do not hold
    the write lock). A list version switched on in between must not be missed: inside the lock
    the result is used only if it was computed from the current version, else matched again."""
    from contextlib import contextmanager

    from gongxin.inquiry.services import screening
    from tests.factories import Lists, person_row

    req = world.register()
    real_act = screening.act

    @contextmanager
    def list_switched_first(*args, **kwargs):
        Lists(tmp_path / "later").load(
            [person_row(*ZHANG, listed_on="2025-01-02"), person_row(*LI, listed_on="2026-02-01")],
            as_of="2026-03-01",
        )
        with real_act(*args, **kwargs) as locked:
            yield locked

    (tmp_path / "later").mkdir()
    monkeypatch.setattr(screening, "act", list_switched_first)
    services.screen_request(world.handler, req.pk, today=TODAY)
    assert [f.match for f in findings_of(req)] == ["exact", "exact"]  # LI found in the new list
