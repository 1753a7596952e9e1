"""Scope by action: every model a page or the API reads has its scope registered, an unknown
action is an error (not a silent deny or allow), nobody and an inactive person see nothing;
and the audit trail refuses change and removal, one by one and in bulk."""

import ast
from pathlib import Path

import pytest

from gongxin.accounts.models import RequestingAgency, Staff
from gongxin.audit.models import AppendOnly, AuditEvent
from gongxin.audit.services import record
from gongxin.documents.models import Letter
from gongxin.inquiry.models import Candidate, CandidateMatch, Finding, InquiryRequest
from gongxin.platform.scope import registered
from tests.factories import ZHANG, World, make_staff

pytestmark = pytest.mark.django_db
READ_BY_PAGES_AND_API = {InquiryRequest, Candidate, Finding, CandidateMatch, Letter,
                         RequestingAgency, AuditEvent, Staff}  # fmt: skip


def test_every_model_read_by_a_page_or_the_api_has_a_scope():
    assert READ_BY_PAGES_AND_API <= set(registered())


SRC = Path(__file__).resolve().parent.parent / "src" / "gongxin"
# What a page or API module may read of a scoped model without ``restrict``, and why.
UNRESTRICTED = {
    ("inquiry/api/views.py", "InquiryRequest", "none"): "the schema's placeholder: reads nothing",
}


def _view_modules():
    return sorted({*SRC.glob("**/*views.py"), *SRC.glob("**/api/*.py"), *SRC.glob("api/*.py")})


def test_pages_and_the_api_read_scoped_models_only_through_restrict():
    """``Model.objects.<anything but restrict>`` in a page or API module is a view that could
    forget the scope. Rows reached through a restricted parent (``req.rounds``) are the
    parent's scope (decision record 0005)."""
    scoped = {model.__name__ for model in registered()}
    found = []
    for path in _view_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "objects" and isinstance(node.value.value, ast.Name)
                    and node.value.value.id in scoped and node.attr != "restrict"):  # fmt: skip
                where = (str(path.relative_to(SRC)), node.value.value.id, node.attr)
                if where not in UNRESTRICTED:
                    found.append(f"{where[0]}:{node.lineno} {where[1]}.objects.{where[2]}")
    assert len(_view_modules()) >= 6
    assert found == []


def test_an_unknown_action_is_an_error_and_nobody_sees_anything(tmp_path):
    world = World(tmp_path)
    world.register(people=[ZHANG])
    for model in registered():
        with pytest.raises(ValueError):
            model.objects.restrict(world.handler, "no such action").count()
        assert not model.objects.restrict(None, "view").exists()
    world.handler.active = False
    assert not InquiryRequest.objects.restrict(world.handler, "view").exists()


def test_the_trail_is_read_by_the_unit_s_auditor_only(tmp_path):
    world = World(tmp_path)
    world.register(people=[ZHANG])
    auditor = make_staff(world.bj, "auditor", "auditor")
    national_auditor = make_staff(world.national, "auditor_n", "auditor")
    mine = AuditEvent.objects.restrict(auditor, "view")
    assert mine.exists() and set(mine.values_list("unit_code", flat=True)) == {"bj"}
    # The national center's auditor reads its own unit's events and those of no unit (the
    # list imports, the server's own work), never a province's.
    theirs = AuditEvent.objects.restrict(national_auditor, "view")
    assert set(theirs.values_list("unit_code", flat=True)) <= {"national", ""}
    assert not theirs.filter(unit_code="bj").exists()
    assert not AuditEvent.objects.restrict(world.handler, "view").exists()


def test_audit_events_cannot_be_changed_or_removed(tmp_path):
    event = record("system", "test.event", ref=("Thing", 1))
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(outcome="refused")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.bulk_update([event], ["outcome"])
    event.outcome = "refused"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).outcome == "ok"
