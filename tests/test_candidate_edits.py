"""修改人选 (issue 9, decision 0011): the handler edits, removes and adds candidates before the
round is screened; after issue, 更正 can change a candidate, and the earlier round's result page,
letter and signed digest keep naming what they named."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.test import Client
from docx import Document
from rest_framework.test import APIClient

from gongxin.audit.models import AuditEvent
from gongxin.core import clock, idnumber
from gongxin.inquiry import result_check, services
from gongxin.inquiry.letters import result_rows
from gongxin.inquiry.models import Candidate, CandidateRevision, InquiryRequest, Screening
from gongxin.inquiry.services.retention import purge_candidates
from gongxin.platform.errors import InvalidSubmission, WorkflowError
from gongxin.platform.sealed import key_usage, rotate
from gongxin.registry.screening import CandidateInput
from tests.factories import (
    LI,
    WANG,
    ZHANG,
    World,
    findings_of,
    issued,
    make_id,
    make_staff,
    matched_candidates,
    signed_in,
    stored_bytes,
)

pytestmark = pytest.mark.django_db
TYPO_ID = make_id("110105", "19491231", 3)  # a valid number, one digit off ZHANG's
LI_NEW = "李斯"
_VALID = make_id("110105", "19900101", 1)
BAD_ID = _VALID[:-1] + ("0" if _VALID[-1] != "0" else "1")  # the check character is wrong


def client_of(staff, api=False):
    client = APIClient() if api else Client()
    signed_in(client, staff.user)
    return client


def fresh(req) -> InquiryRequest:
    return InquiryRequest.objects.get(pk=req.pk)


def current(req) -> dict[int, Candidate]:
    return {c.row: c for c in Candidate.objects.current(req)}


def identity(c) -> tuple[str, str]:
    return services.candidate_identity(c)


def edit(world, req, reason="来文人选录入有误", **kw):
    return services.edit_candidates(world.handler, req.pk, services.CandidateEdits(reason, **kw),
                                    today=clock.today())  # fmt: skip


def edits_events(req) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="request.edit_candidates",
                                          object_id=str(req.pk)).order_by("seq"))  # fmt: skip


def test_a_typo_in_an_id_number_fixed_before_screening_is_the_number_screened(world):
    req = world.register(people=[("张三", TYPO_ID), LI])
    typo = current(req)[1]
    (rev,) = edit(world, req, edits={typo.pk: CandidateInput(1, "张三", ZHANG[1], "科员")})
    fixed = current(req)[1]
    assert fixed.pk == typo.pk  # no screening saw it: changed in place
    assert identity(fixed) == ZHANG
    assert rev.change == "edit" and rev.fields == ["id_number"] and rev.row == 1
    services.screen_request(world.handler, req.pk, today=clock.today())
    assert [identity(c) for c in matched_candidates(req)] == [ZHANG]


def test_an_edit_after_screening_outdates_it_and_the_request_must_be_screened_again(world):
    req = world.register(people=[ZHANG, LI])
    services.screen_request(world.handler, req.pk, today=clock.today())
    li = current(req)[2]
    edit(world, req, edits={li.pk: CandidateInput(2, LI_NEW, LI[1], "科员")})
    req = fresh(req)
    assert req.state == "assigned"
    assert Screening.objects.get(request=req).outdated
    with pytest.raises(WorkflowError) as refused:
        services.submit(world.handler, req.pk)
    assert refused.value.code == "wrong_state"
    # The screened row is kept as the screening saw it; the corrected one takes its row.
    li.refresh_from_db()
    assert (li.until_round, identity(li)) == (1, LI)
    new = current(req)[2]
    assert (new.pk != li.pk, new.since_round, new.replaces_id) == (True, 1, li.pk)
    page = client_of(world.handler).get(f"/requests/{req.pk}/").content.decode()
    assert "人选修改后作废" in page and "原查询比对作废" in page
    assert ">查询比对<" in page and "重新查询比对" not in page.split("修改人选")[0]
    services.screen_request(world.handler, req.pk, today=clock.today())
    assert {f.candidate_id for f in findings_of(fresh(req))} == {current(req)[1].pk, new.pk}


def test_the_page_warns_before_an_edit_that_outdates_the_screening(world):
    req = world.register(people=[ZHANG])
    client = client_of(world.handler)
    assert "须重新查询比对" not in client.get(f"/requests/{req.pk}/candidates/").content.decode()
    services.screen_request(world.handler, req.pk, today=clock.today())
    detail = client.get(f"/requests/{req.pk}/").content.decode()
    assert "修改人选" in detail and "原查询比对作废" in detail
    page = client.get(f"/requests/{req.pk}/candidates/").content.decode()
    assert "原查询比对作废，本件回到「已分派」" in page


def test_remove_and_add_keep_row_numbers_and_the_letter_lists_the_new_set(world):
    req = world.register(people=[ZHANG, LI])
    li = current(req)[2]
    revs = edit(world, req, removals={li.pk},
                additions=[CandidateInput(0, WANG[0], WANG[1], "科员")])  # fmt: skip
    assert [(r.change, r.row) for r in revs] == [("remove", 2), ("add", 3)]
    assert {row: identity(c) for row, c in current(req).items()} == {1: ZHANG, 3: WANG}
    services.screen_request(world.handler, req.pk, today=clock.today())
    services.submit(world.handler, req.pk)
    for reviewer in (world.reviewer_a, world.reviewer_b):
        services.review(reviewer, current(req)[1].pk, "confirm", "一致", today=clock.today())
    services.sign_off(world.signer, req.pk, confirmed=True)
    rows = result_rows(fresh(req))
    assert [(r[0], r[1]) for r in rows] == [("1", ZHANG[0]), ("3", WANG[0])]


def test_a_bad_row_refuses_everything_with_the_row_and_the_field(world):
    req = world.register(people=[ZHANG, LI])
    zhang, li = current(req)[1], current(req)[2]
    before = [(c.pk, bytes(c.subject_cipher), c.position, c.until_round)
              for c in Candidate.objects.filter(request=req)]  # fmt: skip
    with pytest.raises(InvalidSubmission) as bad:
        edit(
            world,
            req,
            edits={zhang.pk: CandidateInput(1, "张叁", ZHANG[1], "科员")},
            additions=[CandidateInput(0, "王五", BAD_ID), CandidateInput(0, "李某", LI[1])],
        )  # the same person as row 2
    said = {(p.row, p.field) for p in bad.value.problems}
    assert said == {(3, "公民身份号码"), (4, "公民身份号码")}
    assert any("与第2行重复" in p.reason for p in bad.value.problems)
    after = [(c.pk, bytes(c.subject_cipher), c.position, c.until_round)
             for c in Candidate.objects.filter(request=req)]  # fmt: skip
    assert after == before and not CandidateRevision.objects.exists()
    assert [e.outcome for e in edits_events(req)] == ["refused"]
    # No reason, nothing to save: refused too.
    for kw in ({"reason": "", "edits": {li.pk: CandidateInput(2, LI_NEW, LI[1])}},
               {"edits": {li.pk: CandidateInput(2, *LI, "科员")}},
               {"removals": {zhang.pk, li.pk}}):  # fmt: skip
        with pytest.raises(InvalidSubmission):
            edit(world, req, **kw)
    assert not CandidateRevision.objects.exists()


def test_the_page_shows_errors_beside_the_field_and_saves_nothing(world):
    req = world.register(people=[ZHANG, LI])
    zhang = current(req)[1]
    client = client_of(world.handler)
    answer = client.post(f"/requests/{req.pk}/candidates/", {
        f"{zhang.pk}-name": "张叁", f"{zhang.pk}-position": "科员",
        "add-0-name": "王五", "add-0-id_number": "11010519900101001", "reason": "",
    })  # fmt: skip
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "未保存任何修改" in page
    assert 'href="#add-0-id_number"' in page and 'href="#reason"' in page
    beside = page.split('id="add-0-id_number"')[0].rsplit("<td>", 1)[1]
    assert "form-problems" in beside  # the message sits in the field's own cell
    assert identity(current(req)[1]) == ZHANG and not CandidateRevision.objects.exists()
    # Corrected and sent again: saved, back on the request page.
    answer = client.post(f"/requests/{req.pk}/candidates/", {
        f"{zhang.pk}-name": "张三", f"{zhang.pk}-id_number": "", f"{zhang.pk}-position": "副科长",
        "add-0-name": "王五", "add-0-id_number": WANG[1], "reason": "来文附件更正",
    })  # fmt: skip
    assert answer.status_code == 302 and answer["Location"] == f"/requests/{req.pk}/"
    assert current(req)[1].position == "副科长" and identity(current(req)[3]) == WANG


def test_each_change_is_audited_once_without_personal_data(world):
    req = world.register(people=[("张三", TYPO_ID), LI])
    typo, li = current(req)[1], current(req)[2]
    reason = "张三的号码与李四的姓名录入有误"
    edit(world, req, reason=reason,
         edits={typo.pk: CandidateInput(1, "张三", ZHANG[1], "科员"),
                li.pk: CandidateInput(2, LI_NEW, LI[1], "科员")},
         additions=[CandidateInput(0, *WANG)])  # fmt: skip
    events = [e for e in edits_events(req) if e.outcome == "ok"]
    assert [(e.detail["row"], e.detail["change"], e.detail["fields"]) for e in events] == [
        (1, "edit", ["id_number"]), (2, "edit", ["name"]),
        (3, "add", ["name", "id_number", "position"])]  # fmt: skip
    trail = json.dumps([e.detail for e in AuditEvent.objects.all()], ensure_ascii=False)
    for secret in ("张三", LI[0], LI_NEW, WANG[0], TYPO_ID, ZHANG[1], LI[1], WANG[1], reason,
                   idnumber.mask(ZHANG[1])):  # fmt: skip
        assert secret not in trail


def test_the_history_shows_old_and_new_masked_to_those_who_see_candidates(world):
    req = world.register(people=[("张三", TYPO_ID), LI])
    typo, li = current(req)[1], current(req)[2]
    edit(world, req, edits={typo.pk: CandidateInput(1, "张三", ZHANG[1], "科员"),
                            li.pk: CandidateInput(2, LI_NEW, LI[1], "科员")})  # fmt: skip
    page = client_of(world.handler).get(f"/requests/{req.pk}/").content.decode()
    assert (f"第1行：公民身份号码由「{idnumber.mask(TYPO_ID)}」改为「{idnumber.mask(ZHANG[1])}」"
            in page)  # fmt: skip
    assert f"第2行：姓名由「{LI[0]}」改为「{LI_NEW}」" in page
    assert "第1号人选：修改公民身份号码" in page  # the 办理记录, from the trail
    assert TYPO_ID not in page and ZHANG[1] not in page
    supervisor = client_of(world.supervisor).get(f"/requests/{req.pk}/").content.decode()
    assert "人选修改记录" in supervisor
    reviewer = client_of(world.reviewer_a).get(f"/requests/{req.pk}/").content.decode()
    assert "人选修改记录" not in reviewer and LI_NEW not in reviewer  # not on the request


def test_a_correction_changes_a_name_and_the_first_round_keeps_the_old_one(world):
    req = issued(world)
    handler = client_of(world.handler)
    first_letter = handler.get(f"/requests/{req.pk}/letter.docx?round=1").content
    services.correct(world.handler, req.pk, "李四姓名有误")
    li = current(req)[2]
    edit(world, req, edits={li.pk: CandidateInput(2, LI_NEW, LI[1], "科员")})
    assert current(req)[2].pk != li.pk  # round 1 screened it: a new row
    of_round = {n: sorted(identity(c)[0] for c in Candidate.objects.of_round(req, n))
                for n in (1, 2)}  # fmt: skip
    assert of_round == {1: sorted([ZHANG[0], LI[0]]), 2: sorted([ZHANG[0], LI_NEW])}
    today = clock.today()
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    for reviewer in (world.reviewer_a, world.reviewer_b):
        services.review(reviewer, current(req)[1].pk, "confirm", "一致", today=today)
    services.sign_off(world.signer, req.pk, confirmed=True)
    services.issue(world.handler, req.pk)
    req = fresh(req)
    assert [r[1] for r in result_rows(req, 2)] == [ZHANG[0], LI_NEW]
    assert [r[1] for r in result_rows(req, 1)] == [ZHANG[0], LI[0]]
    assert result_check.check(req) == []
    second = handler.get(f"/requests/{req.pk}/result/?round=2").content.decode()
    first = handler.get(f"/requests/{req.pk}/result/?round=1").content.decode()
    assert LI_NEW in second and LI[0] not in second.replace(LI_NEW, "")
    assert LI[0] in first and LI_NEW not in first
    letters = {n: handler.get(f"/requests/{req.pk}/letter.docx?round={n}") for n in (1, 2)}
    assert all(a.status_code == 200 for a in letters.values())
    assert letters[1].content == first_letter
    texts = {n: _docx_text(a.content) for n, a in letters.items()}
    assert LI[0] in texts[1] and LI_NEW not in texts[1]
    assert LI_NEW in texts[2]
    detail = handler.get(f"/requests/{req.pk}/").content.decode()
    assert "查询结果与签发时固定的结果不一致" not in detail
    assert not AuditEvent.objects.filter(action="result.tampered").exists()


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_no_one_but_the_handler_edits(world):
    req = world.register(people=[ZHANG])
    zhang = current(req)[1]
    other_handler = make_staff(world.bj, "handler2", "handler")
    body = {"reason": "录入有误", "edit": [{"id": zhang.pk, "name": "张叁", "id_number": ZHANG[1]}]}
    url = f"/api/v1/requests/{req.pk}/edit-candidates/"
    for person in (world.reviewer_a, world.signer, world.supervisor, world.outsider):
        assert client_of(person, api=True).post(url, body, format="json").status_code == 404
        assert client_of(person).post(f"/requests/{req.pk}/candidates/").status_code == 404
    answer = client_of(other_handler, api=True).post(url, body, format="json")
    assert answer.status_code == 403
    page = client_of(other_handler).get(f"/requests/{req.pk}/candidates/", follow=True)
    assert "只有本件的经办人可以办理此事项" in page.content.decode()
    assert identity(current(req)[1]) == ZHANG
    # The handler may, through the API too; its action list offers it while allowed.
    handler = client_of(world.handler, api=True)
    assert "edit_candidates" in handler.get(f"/api/v1/requests/{req.pk}/").json()["actions"]
    answer = handler.post(url, body, format="json")
    assert answer.status_code == 200, answer.content
    assert [c["name"] for c in answer.json()["candidates"]] == ["张叁"]
    bad = handler.post(url, {"reason": "x", "add": [{"name": "王五", "id_number": "1"}]},
                       format="json")  # fmt: skip
    assert bad.status_code == 400
    assert [(p["row"], p["field"]) for p in bad.json()["errors"]] == [(2, "公民身份号码")]


def test_after_submission_candidates_are_fixed(world):
    req = world.register(people=[ZHANG])
    services.screen_request(world.handler, req.pk, today=clock.today())
    services.submit(world.handler, req.pk)
    assert "edit_candidates" not in services.allowed_actions(world.handler, fresh(req))
    with pytest.raises(WorkflowError) as refused:
        edit(world, req, removals={current(req)[1].pk})
    assert refused.value.code == "wrong_state"


def test_kept_values_are_resealed_by_a_rotation_and_purged_with_the_candidates(tmp_path, key_file):
    key_file("gm")
    world = World(tmp_path)
    req = world.register(people=[("张三", TYPO_ID), LI], received_on=clock.today(),
                         today=clock.today())  # fmt: skip
    typo = current(req)[1]
    edit(world, req, edits={typo.pk: CandidateInput(1, "张三", ZHANG[1], "科员")})
    result = rotate()
    assert result.rows["inquiry.CandidateRevision"] == 1
    assert set(key_usage()) == {result.new_key}
    page = client_of(world.handler).get(f"/requests/{req.pk}/").content.decode()
    assert f"由「{idnumber.mask(TYPO_ID)}」改为「{idnumber.mask(ZHANG[1])}」" in page
    # Taken to the end and past the retention period: the kept values go with the candidates.
    today = clock.today()
    services.screen_request(world.handler, req.pk, today=today)
    services.submit(world.handler, req.pk)
    for reviewer in (world.reviewer_a, world.reviewer_b):
        services.review(reviewer, current(req)[1].pk, "confirm", "一致", today=today)
    services.sign_off(world.signer, req.pk, confirmed=True)
    services.issue(world.handler, req.pk)
    with clock.pinned(clock.now() + dt.timedelta(days=settings.GONGXIN_CANDIDATE_RETENTION_DAYS
                                                  + 2)):  # fmt: skip
        purge_candidates("system")
    rev = CandidateRevision.objects.get()
    assert (bytes(rev.old_cipher), bytes(rev.new_cipher), rev.key_id, rev.reason) == (
        b"", b"", "", "")  # fmt: skip
    assert (
        TYPO_ID.encode() not in stored_bytes() and "来文人选录入有误".encode() not in stored_bytes()
    )
