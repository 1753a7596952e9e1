"""The REST API: same services and scope as the pages, problem details for errors."""

import datetime as dt
import hashlib
import json

import pytest
from rest_framework.test import APIClient

from gongxin.accounts.models import ApiToken
from gongxin.core import clock
from gongxin.inquiry.models import InquiryRequest
from tests.factories import LI, ZHANG, code_for, on_workstation, signed_in, token_of

pytestmark = pytest.mark.django_db


def api(staff):
    client = APIClient()
    client.force_authenticate(staff.user)
    return client


def body(candidates):
    return {"agency": None, "letter_number": "京组函〔2026〕7号",
            "received_on": clock.today().isoformat(), "kind": "transfer",
            "candidates": candidates}  # fmt: skip


def test_register_and_take_a_request_through_the_api(world):
    data = body([{"name": "张三", "id_number": ZHANG[1], "position": "科员"}])
    data["agency"] = world.agency.pk
    created = api(world.handler).post("/api/v1/requests/", data, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["state"] == "assigned"
    assert api(world.handler).post(f"/api/v1/requests/{pk}/screen/").status_code == 200
    detail = api(world.handler).post(f"/api/v1/requests/{pk}/submit/").json()
    assert detail["request"]["state"] == "in_review"
    (candidate,) = detail["candidates"]
    assert candidate["id_number_masked"] == "110105********002X"
    assert candidate["matches"][0]["authority"] == "北京市朝阳区人民法院"
    for reviewer in (world.reviewer_a, world.reviewer_b):
        reviewed = api(reviewer).post(
            f"/api/v1/candidates/{candidate['id']}/review/",
            {"decision": "confirm", "reason": "一致"},
            format="json",
        )
        assert reviewed.status_code == 200, reviewed.json()
    signed = (
        api(world.signer)
        .post(f"/api/v1/requests/{pk}/sign-off/", {"confirm": True}, format="json")
        .json()
    )
    assert signed["request"]["state"] == "signed"
    issued = (
        api(world.handler)
        .post(f"/api/v1/requests/{pk}/issue/", {"method": "post"}, format="json")
        .json()
    )
    assert issued["request"]["state"] == "issued"
    assert ZHANG[1] not in repr(issued)


def test_row_errors_come_back_as_problem_details_and_nothing_is_saved(world):
    data = body([{"name": "张三", "id_number": ZHANG[1]},
                 {"name": "李四", "id_number": "440524188001010015"}])  # fmt: skip
    data["agency"] = world.agency.pk
    response = api(world.handler).post("/api/v1/requests/", data, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["code"]) == (400, "invalid")
    assert problem["errors"] == [{"row": 2, "field": "公民身份号码", "reason": "校验码不正确"}]
    assert InquiryRequest.objects.count() == 0


def test_refused_transition_is_a_conflict_with_a_chinese_detail(world):
    req = world.register()
    response = api(world.signer).post(
        f"/api/v1/requests/{req.pk}/sign-off/", {"confirm": True}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "本件当前状态为「已分派」，不能签发"


def test_other_units_request_is_404_everywhere(world):
    req = world.register()
    client = api(world.outsider)
    assert client.get(f"/api/v1/requests/{req.pk}/").status_code == 404
    assert client.post(f"/api/v1/requests/{req.pk}/screen/").status_code == 404
    cand = req.candidates.first()
    review = client.post(f"/api/v1/candidates/{cand.pk}/review/",
                         {"decision": "confirm", "reason": "x"}, format="json")  # fmt: skip
    assert review.status_code == 404
    assert review["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/requests/").json()["count"] == 0


def test_supervisor_sees_the_letter_result_but_not_the_evidence(world):
    req = world.register(people=[ZHANG, LI])
    data = api(world.supervisor).get(f"/api/v1/requests/{req.pk}/").json()
    assert [set(c) for c in data["candidates"]] == [
        {"id", "request", "row", "name", "id_number_masked", "result"}] * 2  # fmt: skip
    assert api(world.reviewer_a).get(f"/api/v1/requests/{req.pk}/").json()["candidates"] == []


def test_token_authentication(world):
    _, key = ApiToken.issue(world.handler.user)
    client = APIClient()
    assert client.get("/api/v1/requests/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/requests/").status_code == 200


def test_a_token_is_stored_only_as_its_digest_and_ends(world):
    token, key = ApiToken.issue(world.handler.user)
    assert key not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with clock.pinned(token.expires_at + dt.timedelta(seconds=1)):
        answer = client.get("/api/v1/requests/")
    assert answer.status_code == 401 and "已过期" in answer.json()["detail"]


def test_revoking_ends_only_the_token_used(world):
    first, second = (ApiToken.issue(world.handler.user)[1] for _ in range(2))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.delete("/api/v1/auth/token/current/").status_code == 204
    assert client.get("/api/v1/requests/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.get("/api/v1/requests/").status_code == 200


def test_ending_a_person_s_sessions_ends_their_tokens(world):
    from gongxin.accounts.signin import end_sessions

    _, key = ApiToken.issue(world.handler.user)
    end_sessions(world.handler.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/requests/").status_code == 401


def test_a_client_gets_a_token_and_revokes_it(world):
    client = APIClient()
    wrong = token_of(client, "handler", "nope")
    assert wrong.status_code == 401 and wrong["Content-Type"] == "application/problem+json"
    got = token_of(client, "handler")
    assert got.status_code == 200
    assert (got.json()["username"], got.json()["name"]) == ("handler", "handler")
    client.credentials(HTTP_AUTHORIZATION=f"Token {got.json()['token']}")
    assert client.get("/api/v1/requests/").status_code == 200
    assert client.delete("/api/v1/auth/token/current/").status_code == 204
    assert client.get("/api/v1/requests/").status_code == 401
    world.handler.active = False
    world.handler.save()
    again = token_of(APIClient(), "handler")
    assert again.status_code == 401  # an inactive account gets no token


def test_guessing_passwords_for_a_token_is_recorded_and_slowed_down(world):
    from gongxin.audit.models import AuditEvent

    client = APIClient()
    on_workstation(client, world.bj)
    code = code_for(world.handler)
    answers = [client.post("/api/v1/auth/token/", {"username": "handler", "password": f"pw{n}",
                                                   "otp": code},
                           format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")  # not trusted
               for n in range(11)]  # fmt: skip
    # The fifth wrong password locks the account (issue 8); the eleventh try a minute is slowed.
    assert [a.status_code for a in answers] == [401] * 4 + [429] * 7
    locked, slowed = answers[4], answers[-1]
    assert locked.json()["code"] == "locked" and "已锁定 30 分钟" in locked.json()["detail"]
    assert slowed["Content-Type"] == "application/problem+json"
    assert "尝试过于频繁" in slowed.json()["detail"] and int(slowed["Retry-After"]) > 0
    tried = AuditEvent.objects.filter(action="auth.token", outcome="refused")
    assert tried.count() == 10 and {e.detail["username"] for e in tried} == {"handler"}
    assert [e.detail["code"] for e in tried] == ["credentials"] * 5 + ["locked"] * 5
    assert AuditEvent.objects.filter(action="auth.lockout").count() == 1
    assert all("pw" not in str(e.detail) for e in tried)  # never the password


def test_what_was_typed_as_a_username_is_kept_only_when_it_names_an_account(world):
    from gongxin.audit.models import AuditEvent

    token_of(APIClient(), "11010519491231002X", "x")  # an ID number typed into the wrong field
    (event,) = AuditEvent.objects.filter(action="auth.token", outcome="refused")
    assert event.detail["username"] == "（不存在的账号）"
    assert "11010519491231002X" not in str(event.detail)


def test_a_body_that_is_not_json_is_told_where_in_chinese(world):
    client = APIClient()
    client.force_authenticate(world.handler.user)
    answer = client.generic("POST", "/api/v1/requests/", '{"agency": 1,\n "kind": }',
                            content_type="application/json")  # fmt: skip
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["detail"] == "请求体不是有效的 JSON（第 2 行第 10 列）"


def test_a_conflict_under_a_view_that_cannot_show_the_existing_thing_is_still_a_409():
    from gongxin.platform.errors import Conflict
    from gongxin.platform.rest import handler

    answer = handler(Conflict("duplicate", "已经登记过", existing=object()), {"view": object()})
    assert answer.status_code == 409 and "existing" not in answer.data


def test_the_api_names_the_people_drawn_the_agencies_and_the_letters(world):
    from tests.factories import LI

    agencies = api(world.handler).get("/api/v1/agencies/").json()
    assert agencies == [{"id": world.agency.pk, "name": "北京市委组织部", "level": "provincial"}]
    req = world.register(people=[ZHANG, LI])
    client = api(world.handler)
    client.post(f"/api/v1/requests/{req.pk}/screen/")
    detail = client.post(f"/api/v1/requests/{req.pk}/submit/").json()
    assert {(p["round"], p["role"]) for p in detail["people"]} == {(1, "reviewer")}
    assert detail["request"]["handler"] == {"username": "handler", "name": "handler"}
    zhang = next(c for c in detail["candidates"] if c["row"] == 1)
    for reviewer in (world.reviewer_a, world.reviewer_b):
        api(reviewer).post(f"/api/v1/candidates/{zhang['id']}/review/",
                           {"decision": "confirm", "reason": "一致"}, format="json")  # fmt: skip
    signed = (
        api(world.signer)
        .post(f"/api/v1/requests/{req.pk}/sign-off/", {"confirm": True}, format="json")
        .json()
    )
    (letter,) = signed["letters"]
    assert letter["round"] == 1 and letter["superseded_by"] is None
    assert letter["document_number"].startswith("京信用函〔")
    assert {p["role"] for p in signed["people"]} == {"reviewer", "signer"}
    api(world.handler).post(f"/api/v1/requests/{req.pk}/issue/", {"method": "post"}, format="json")
    corrected = (
        api(world.handler)
        .post(f"/api/v1/requests/{req.pk}/correct/", {"reason": "人选信息有误"}, format="json")
        .json()
    )
    assert corrected["request"]["round"] == 2
    assert corrected["request"]["correction_reason"] == "人选信息有误"


def test_every_400_lists_its_problems(world):
    req = world.register()
    answer = api(world.handler).post(f"/api/v1/requests/{req.pk}/return/", {"reason": " "},
                                     format="json")  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["errors"] == [{"row": None, "field": "原因", "reason": "不能为空"}]
    answer = api(world.handler).post(f"/api/v1/requests/{req.pk}/extend/", {}, format="json")
    assert answer.json()["errors"][0]["field"] == "原因"
    answer = api(world.handler).get("/api/v1/requests/", {"state": "nope", "page": "0"})
    assert {e["field"] for e in answer.json()["errors"]} == {"状态", "页码"}


def test_schema_and_docs_are_served_locally(client, world):
    signed_in(client, world.handler.user)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/requests/{id}/sign-off/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "http://" not in docs.replace("http://testserver", "") and "https://" not in docs


def test_signed_in_without_a_business_role_gets_404_not_403(world):
    from tests.factories import make_staff

    req = world.register()
    auditor = make_staff(world.bj, "auditor", "auditor")
    for url in ("/api/v1/requests/", f"/api/v1/requests/{req.pk}/"):
        response = api(auditor).get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_the_request_list_reads_the_same_queries_for_a_page_of_any_size(world):
    """Each request's round and last screening are read once for the page (issue 11's load
    bench found two queries a request); what the list says of each is unchanged."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongxin.inquiry import services

    today = clock.today()
    screened = world.register(received_on=today, today=today)
    services.screen_request(world.handler, screened.pk, today=today)

    def listed():
        with CaptureQueriesContext(connection) as queries:
            answer = api(world.handler).get("/api/v1/requests/")
        assert answer.status_code == 200
        return len(queries), {r["id"]: r for r in answer.json()["results"]}

    few, rows = listed()
    assert rows[screened.pk]["screened_on"] == today.isoformat()
    for _ in range(4):
        world.register(received_on=today, today=today)
    many, rows = listed()
    assert len(rows) == 5 and many == few
    assert rows[screened.pk]["screened_on"] == today.isoformat()
    assert [r["screened_on"] for pk, r in rows.items() if pk != screened.pk] == [None] * 4
