"""Exactly one audit event per view of personal data (issue 8, 全程留痕).

Derived from the URL map, not from a list kept beside it: every page and API route that answers
GET is opened once by a person it admits, who is on the request (or holds the role the route
needs); an answer that shows a candidate — the name or masked number in the page or JSON, or in
the text of a file it sends — must have written exactly one event, and that event must be a view
of the request; an answer that shows none must have written no view at all. A new route that
shows candidates without recording it, or records twice, fails here the day it is added.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from gongxin.audit.models import AuditEvent
from gongxin.core import idnumber
from gongxin.platform.permissions import PUBLIC, url_permissions
from tests.factories import ZHANG, signed_in
from tests.test_permissions import (
    methods,
    permitted,
    routes,
    setting,  # noqa: F401 - the route matrix's world, as a fixture
    url_for,
)

pytestmark = pytest.mark.django_db
VIEWS = {"request.view_candidates", "request.view_result", "letter.download", "request.view_draft"}
SHOWN = (ZHANG[0], idnumber.mask(ZHANG[1]))


def text_of(response) -> str:
    """What a person reads in the answer: the page or JSON, or the text inside a file."""
    kind = response.get("Content-Type", "")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if kind == "application/pdf":
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if "officedocument" in kind:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                          if n.endswith(".xml"))  # fmt: skip
        return re.sub(r"<[^>]+>", "", xml)
    return data.decode("utf-8", "replace")


def test_each_view_of_personal_data_is_recorded_exactly_once(request):
    world, people, req, candidate, letter, _, _ = request.getfixturevalue("setting")
    shown, seen = [], 0
    cases = []
    for name, pattern, path in routes():
        if "get" not in methods(name, pattern):
            continue
        url = url_for(path, name, req, candidate, letter, world.agency)
        cases.append((name, url))
        if name == "request_letter":
            cases.append((name, url.replace("letter.pdf", "letter.docx")))
    for name, url in cases:
        level = url_permissions()[name]
        client = APIClient() if name.startswith("api:") else Client()
        if level != PUBLIC:
            signed_in(client, permitted(level, people).user)
        last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        answer = client.get(url)
        assert answer.status_code < 500, (name, url)
        written = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq"))
        views = [e for e in written if e.action in VIEWS]
        if any(secret in text_of(answer) for secret in SHOWN):
            shown.append(url)
            assert len(written) == 1, (url, [e.action for e in written])
            assert len(views) == 1, (url, [e.action for e in written])
            assert views[0].object_id in (str(req.pk), str(letter.pk)), url
        else:
            assert views == [], (url, [e.action for e in written])
        seen += 1
    # The routes that show candidates today; a new one joins by itself.
    assert sorted(shown) == sorted([
        f"/requests/{req.pk}/", f"/requests/{req.pk}/result/",
        f"/requests/{req.pk}/letter.pdf", f"/requests/{req.pk}/letter.docx",
        f"/api/v1/requests/{req.pk}/",
    ])  # fmt: skip
    assert seen >= 15


def test_an_export_of_letters_is_recorded_once(request, tmp_path):
    *_, letter, _, _ = request.getfixturevalue("setting")
    before = AuditEvent.objects.count()
    call_command("letters", "export", "--out", str(tmp_path), stdout=io.StringIO())
    written = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.detail["files"]) for e in written] == [("letters.export", 2)]
    assert letter.document_number in {p.stem for p in tmp_path.rglob("*.pdf")}


def test_an_api_action_that_answers_with_candidates_records_the_view_once(world):
    from gongxin.inquiry import services
    from tests.factories import matched_candidates

    req = world.register(people=[ZHANG])
    services.screen_request(world.handler, req.pk)
    client = APIClient()
    client.force_authenticate(world.handler.user)
    last = AuditEvent.objects.order_by("-seq").first().seq
    answer = client.post(f"/api/v1/requests/{req.pk}/submit/")
    assert ZHANG[0] in answer.content.decode()
    actions = [e.action for e in AuditEvent.objects.filter(seq__gt=last).order_by("seq")]
    assert actions.count("request.submit") == 1 and actions.count("request.view_candidates") == 1
    (candidate,) = matched_candidates(req)
    reviewer = APIClient()
    reviewer.force_authenticate(world.reviewer_a.user)
    last = AuditEvent.objects.order_by("-seq").first().seq
    answer = reviewer.post(f"/api/v1/candidates/{candidate.pk}/review/",
                           {"decision": "confirm", "reason": "一致"}, format="json")  # fmt: skip
    assert answer.status_code == 200 and ZHANG[0] in answer.content.decode()
    actions = [e.action for e in AuditEvent.objects.filter(seq__gt=last).order_by("seq")]
    assert actions == ["request.review", "request.view_candidates"]
