"""One permission map for every route (STYLE.md), and every route tried by every kind of caller
(NetBox's view test cases): anonymous, signed in without the permission the map names, permitted,
and permitted but asking for another unit's object. The cases are generated from the map and
the URL resolver, so a new route is tried the day it is added; an action that overrides its
permission classes, or a view that forgets its guard, answers differently and fails here."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from gongxin.accounts.models import Staff
from gongxin.accounts.permissions import POST_ONLY
from gongxin.core import clock
from gongxin.inquiry import services
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.rules import RULES
from gongxin.platform.permissions import (
    BUSINESS,
    PUBLIC,
    STAFF,
    allowed,
    named_levels,
    url_permissions,
)
from gongxin.platform.rest import MapPermission
from gongxin.platform.roles import ADMIN_ROLES, Role
from tests.factories import (
    ZHANG,
    World,
    letter_of,
    make_agency,
    make_staff,
    register_record,
    sign_in,
    signed_in,
    workstation_for,
)

TODAY = dt.date(2026, 3, 2)


def routes(patterns=None, prefix="", path=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            yield from routes(p.url_patterns, prefix + ns, path + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + (p.name or ""), p, path + str(p.pattern)


POST_PAGES = ({f"request_{action}" for action in RULES} | {"candidate_review"} | POST_ONLY
              | {"supervision_report_issue"})  # fmt: skip


def methods(name, pattern) -> list[str]:
    view = pattern.callback
    if getattr(view, "actions", None):  # a DRF viewset route
        return sorted(view.actions)
    view_class = getattr(view, "view_class", None)
    if view_class is not None and hasattr(view_class, "permission_classes"):  # a DRF APIView
        return [m for m in ("get", "post", "delete") if hasattr(view_class, m)]
    return ["post"] if name in POST_PAGES else ["get"]


def test_every_route_is_in_the_map_and_guarded_by_its_entry():
    permissions = url_permissions()
    seen = set()
    for name, pattern, _ in routes():
        assert name in permissions, f"route {name or pattern.pattern} has no permission entry"
        view = pattern.callback
        if getattr(view, "url_name", None) is not None:  # a page wrapped in requires()
            assert view.url_name == name, f"{name} is not guarded by requires({name!r})"
        else:  # a DRF route: the view class and every action must keep MapPermission
            cls = getattr(view, "cls", None) or view.view_class
            classes = view.initkwargs.get("permission_classes", cls.permission_classes)
            assert MapPermission in classes, f"{name} bypasses the map"
            for action in getattr(view, "actions", {}).values():
                handler = getattr(cls, action)
                override = getattr(handler, "kwargs", {}).get("permission_classes")
                assert override is None or MapPermission in override, f"{name}.{action}"
        seen.add(name)
    assert seen == set(permissions), f"map entries without a route: {set(permissions) - seen}"


# --- the matrix ------------------------------------------------------------------------------


@pytest.fixture
def setting(tmp_path):
    world = World(tmp_path)
    people = {
        Role.HANDLER: world.handler, Role.REVIEWER: world.reviewer_a, Role.SIGNER: world.signer,
        Role.SUPERVISOR: world.supervisor,
        Role.SYSADMIN: make_staff(world.bj, "sysadmin", "sysadmin"),
        Role.SECADMIN: make_staff(world.bj, "secadmin", "secadmin"),
        Role.AUDITOR: make_staff(world.bj, "auditor", "auditor"),
        # The national center's supervisor: the levels an app names (全国监督) admit them.
        "national_supervisor": make_staff(world.national, "national_supervisor", "supervisor"),
    }  # fmt: skip
    # The national center's staff hold every business role: permitted, but not for Beijing's.
    make_agency(world.national, "国家发展改革委", "central", "")
    req = world.register(people=[ZHANG])
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    candidate = req.candidates.get()
    for reviewer in (world.reviewer_a, world.reviewer_b):
        services.review(reviewer, candidate.pk, "confirm", "一致", today=TODAY)
    signer = req.participants.get(role="signer").staff
    services.sign_off(signer, req.pk, confirmed=True)
    letter = letter_of(req)
    nobody = get_user_model().objects.create_user("no_staff_record", password="x" * 16)
    # Refused whatever the level: someone holding exactly its role but made inactive, and an
    # active account whose roles may not be held together (三权分立; fail closed).
    inactive = {role: make_staff(world.bj, f"inactive_{role}", role) for role in Role.values}
    for staff in inactive.values():
        staff.active = False
        staff.save()
    conflicted = make_staff(world.bj, "conflicted", *Role.values)
    return world, people, req, candidate, letter, nobody, (inactive, conflicted)


def url_for(path: str, name: str, req, candidate, letter, agency) -> str:
    if name.startswith("staff_"):
        pk = req.registered_by_id  # a person of the request's unit
    elif name.startswith("workstation_"):
        pk = workstation_for(req.unit)[0].pk  # a workstation of the request's unit
    elif name.startswith(("supervision_risk_", "supervision_plan_", "supervision_consultation_")):
        pk = register_record(name, req.unit).pk  # a record of the request's unit
    elif name == "supervision_report_file":
        pk = issued_report(req).pk  # a 通报 the request's unit issued
    elif name in ("supervision_spot_check", "supervision_finding_close"):
        finding = spot_finding(req)  # a spot check of the request's unit, with its finding
        pk = finding.item.spot_check_id if name == "supervision_spot_check" else finding.pk
    else:
        # A candidate's own routes (candidate_review) take its id; a request's (its 修改人选 page
        # too) the request's.
        pk = candidate.pk if name.split(":")[-1].startswith("candidate") else req.pk
    url = "/" + re.sub(r"<id:\w+>", str(pk), path)
    url = re.sub(r"<str:code>", letter.verification_code, url)
    fmt = "xlsx" if name == "request_template_file" else "pdf"
    url = re.sub(r"<slug:fmt>", fmt, url)
    url = re.sub(r"<slug:unit>", req.unit.code, url)  # a unit's page (全国监督: its months)
    if name == "request_template_file":
        url += f"?agency={agency.pk}&kind=recruitment"
    return url


def issued_report(req):

    from gongxin.documents.models import Letter
    from gongxin.supervision import report_services
    from gongxin.supervision.periods import Period
    from gongxin.supervision.reports import UNIT, ReportSpec

    found = Letter.objects.filter(unit=req.unit, kind="report").first()
    if found is None:
        boss = req.unit.staff.filter(role_grants__role=Role.SUPERVISOR).first()
        spec = ReportSpec(UNIT, Period(TODAY - dt.timedelta(days=30), TODAY), "省公务员局")
        found, _ = report_services.issue(boss, spec)
    return found


def spot_finding(req):
    from gongxin.supervision.models import Finding, SpotCheck, SpotCheckItem

    found = Finding.objects.filter(item__request=req).first()
    if found is None:
        spot = SpotCheck.objects.create(unit=req.unit, period_start=TODAY, period_end=TODAY,
                                        rate=10, drawn_by=req.registered_by, population=1,
                                        sample_size=1)  # fmt: skip
        item = SpotCheckItem.objects.create(spot_check=spot, request=req, candidates=1,
                                            agreed=False)  # fmt: skip
        found = Finding.objects.create(item=item)
    return found


def permitted(level, people):
    if level in (STAFF, BUSINESS):
        return people[Role.HANDLER]
    if level in named_levels():  # the first person the level's rule admits
        return next(p for p in people.values() if allowed(p, level))
    return people[level]


def refused(level, people, nobody, unfit) -> list:
    """Signed-in callers the level does not admit."""
    if level == PUBLIC:
        return []
    inactive, conflicted = unfit
    callers = [nobody, conflicted, inactive[level if level in inactive else Role.HANDLER]]
    if level == BUSINESS:  # an administrator holds no business role
        callers += [people[role] for role in ADMIN_ROLES]
    elif level in named_levels():
        callers += [p for p in people.values() if not allowed(p, level)]
    elif level != STAFF:
        callers += [p for role, p in people.items() if role != level and level not in p.roles]
    return callers


def call(client, method, url):
    send = getattr(client, method)
    if method in ("post",) and url.startswith("/api/"):
        return send(url, {}, format="json")
    return send(url)


@pytest.mark.django_db
def test_every_route_by_every_kind_of_caller(setting):
    world, people, req, candidate, letter, nobody, unfit = setting
    other_unit = world.outsider
    checked = 0
    for name, pattern, path in routes():
        level = url_permissions()[name]
        api = name.startswith("api:")
        url = url_for(path, name, req, candidate, letter, world.agency)
        for method in methods(name, pattern):
            case = (name, method, url)
            # Anonymous.
            anonymous = call(APIClient() if api else Client(), method, url)
            if level == PUBLIC:
                assert anonymous.status_code not in (401, 403, 500), case
            elif api:
                assert anonymous.status_code == 401, case
                assert anonymous["Content-Type"] == "application/problem+json", case
            else:
                assert anonymous.status_code == 302, case
                assert anonymous["Location"].startswith("/login/"), case
            # Signed in, without the permission.
            for user in refused(level, people, nobody, unfit):
                user = getattr(user, "user", user)
                client = APIClient() if api else Client()
                signed_in(client, user)
                answer = call(client, method, url)
                assert answer.status_code == 404, (*case, user.username, answer.status_code)
            if level == PUBLIC:
                continue
            # Permitted: the map lets them through (the rules may still refuse the action).
            person = permitted(level, people)
            client = APIClient() if api else Client()
            signed_in(client, person.user)
            answer = call(client, method, url)
            assert answer.status_code not in (401, 404, 500), (*case, answer.status_code)
            # Permitted, but the object is another unit's: as if it did not exist.
            if "<id:" in path:
                client = APIClient() if api else Client()
                signed_in(client, other_unit.user)
                answer = call(client, method, url)
                assert answer.status_code == 404, (*case, "other unit", answer.status_code)
            checked += 1
    assert checked >= 30
    assert InquiryRequest.objects.get(pk=req.pk).state in ("signed", "issued", "returned",
                                                           "assigned")  # fmt: skip


@pytest.mark.django_db
def test_a_locked_an_expired_and_a_not_enrolled_account_reach_only_their_own_step(setting):
    """Each signs in through the page as a person would; then every route: a person not enrolled
    yet reaches only the enrolment of the second factor, one whose password is too old only the
    password change, a locked one (refused at sign-in) only the sign-in page — never data."""
    world, _people, req, candidate, letter, _nobody, _unfit = setting
    make_staff(world.bj, "fresh", Role.HANDLER)
    enrolling = APIClient()
    assert sign_in(enrolling, "fresh", code="").status_code == 302  # the password only
    Staff.objects.filter(pk=world.handler.pk).update(
        password_changed_at=clock.now() - dt.timedelta(days=91))  # fmt: skip
    expired = APIClient()
    assert sign_in(expired, "handler").status_code == 302  # password and code
    locked = APIClient()
    for n in range(5):
        sign_in(locked, "reviewer_a", f"wrong-{n}")
    assert sign_in(locked, "reviewer_a").status_code == 429  # the right password and code
    cases = {
        "not enrolled": (enrolling, "/second-factor/", {"second_factor"}),
        "expired": (expired, "/password/", {"password_change"}),
        "locked": (locked, "/login/", set()),
    }
    checked = 0
    for name, pattern, path in routes():
        if name == "logout":  # open to all three; trying it would end the session under test
            continue
        level = url_permissions()[name]
        url = url_for(path, name, req, candidate, letter, world.agency)
        for method in methods(name, pattern):
            for kind, (client, step, own) in cases.items():
                answer = call(client, method, url)
                case = (kind, name, method, url, answer.status_code)
                if level == PUBLIC or name in own:
                    assert answer.status_code < 500, case
                elif name.startswith("api:"):
                    assert answer.status_code == 401, case
                    assert answer["Content-Type"] == "application/problem+json", case
                else:
                    assert answer.status_code == 302, case
                    assert answer["Location"].startswith(step), case
                checked += 1
    assert checked >= 90
    # Still in their step: nothing above moved them on.
    assert enrolling.get("/requests/")["Location"].startswith("/second-factor/")
    assert expired.get("/requests/")["Location"].startswith("/password/")
