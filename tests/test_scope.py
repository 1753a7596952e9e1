"""Scope as a property: over random people, roles and requests in two units, no page ever
shows another unit's request, or a candidate of a request the person is not on."""

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongxin.inquiry import services
from gongxin.inquiry.models import Candidate, Participant
from gongxin.platform.roles import role_conflict
from tests.factories import World, make_id, make_staff, signed_in

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)
ROLES = ["handler", "reviewer", "signer", "supervisor", "sysadmin", "auditor"]


class _Rollback(Exception):
    pass


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    people=st.lists(
        st.tuples(st.sampled_from(["bj", "national"]), st.sets(st.sampled_from(ROLES), max_size=3)),
        min_size=1, max_size=4,
    ),
    stages=st.lists(st.sampled_from(["assigned", "screened", "in_review"]), min_size=1,
                    max_size=3),
)  # fmt: skip
def test_no_page_shows_what_is_out_of_scope(tmp_path_factory, people, stages):
    try:
        with transaction.atomic():
            _check(tmp_path_factory.mktemp("scope"), people, stages)
            raise _Rollback
    except _Rollback:
        pass


def _check(tmp_path, people, stages):
    world = World(tmp_path)
    units = {"bj": world.bj, "national": world.national}
    staff = [world.handler, world.reviewer_a, world.reviewer_b, world.signer, world.supervisor,
             world.outsider]  # fmt: skip
    staff += [make_staff(units[u], f"p{i}", *roles) for i, (u, roles) in enumerate(people)]
    requests = []
    for i, stage in enumerate(stages):
        name = f"候选人{chr(0x4E00 + i)}"
        req = world.register(people=[(name, make_id(seq=i + 1))])
        if stage != "assigned":  # act as whoever the draw picked
            services.screen_request(req.handler, req.pk, today=TODAY)
        if stage == "in_review":
            services.submit(req.handler, req.pk)
        requests.append((req, name))
    client = Client()
    for person in staff:
        signed_in(client, person.user)
        listing = client.get("/requests/").content.decode()
        listing += client.get("/requests/", {"q": "京组函"}).content.decode()  # search
        listing += client.get("/").content.decode()  # dashboard
        listing += client.get("/api/v1/requests/").content.decode()
        listing += client.get("/api/v1/requests/", {"q": "京组函"}).content.decode()
        for req, name in requests:
            req.refresh_from_db()
            same_unit = person.unit_id == req.unit_id
            # A person holding administrator and business roles together is refused everything
            # (三权分立, fail closed).
            business = bool(person.roles & {"handler", "reviewer", "signer", "supervisor"}) and (
                role_conflict(person.roles) is None
            )
            pages = [client.get(f"/requests/{req.pk}/"), client.get(f"/requests/{req.pk}/result/"),
                     client.get(f"/api/v1/requests/{req.pk}/")]  # fmt: skip
            if not (same_unit and business):
                assert req.letter_number not in listing
                assert all(p.status_code == 404 for p in pages)
                assert client.post(f"/requests/{req.pk}/screen/").status_code == 404
                assert client.post(f"/api/v1/requests/{req.pk}/screen/").status_code == 404
                continue
            assert req.letter_number in listing
            detail = pages[0].content.decode()
            api_detail = pages[2].content.decode()
            # Written out here, not taken from the scope it checks: the people on the request
            # (handler, anyone drawn in any round) and the unit's supervisors.
            on_request = person.pk == req.handler_id or Participant.objects.filter(
                request=req, staff=person).exists()  # fmt: skip
            sees = "supervisor" in person.roles or on_request
            assert (name in detail) == sees
            assert (name in api_detail) == sees
            visible = Candidate.objects.restrict(person, "view").filter(request=req).exists()
            assert visible == sees
