"""Candidate data purged after the retention period (issue 8: candidate data purged after the
configured retention; the trail keeps only references)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.documents.models import Letter, LetterFile
from gongxin.inquiry import services
from gongxin.inquiry.models import Candidate, CandidateMatch, Finding, InquiryRequest, Review
from gongxin.inquiry.services.retention import RetentionRefused, due, purge_candidates
from gongxin.platform.errors import WorkflowError
from gongxin.platform.sealed import key_usage, rotate
from tests.factories import LI, ZHANG, World, issued, letter_of, signed_in

pytestmark = pytest.mark.django_db
LATER = dt.timedelta(days=1096)  # past the default three years


def purge(*args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("purge", "candidates", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def closed(world):
    """One request issued today, one returned today, and one still open."""
    done = issued(world)
    returned = world.register(people=[LI])
    services.return_request(world.handler, returned.pk, "来文格式不符")
    open_ = world.register(people=[ZHANG, LI])
    return done, InquiryRequest.objects.get(pk=returned.pk), open_


def test_nothing_is_due_within_the_retention(closed):
    with clock.pinned(clock.now() + dt.timedelta(days=1000)):
        assert list(due()) == []
        code, out = purge()
    assert code == 0 and "已清除 0 件" in out
    assert all(c.key_id for c in Candidate.objects.all())


def test_a_dry_run_lists_and_changes_nothing(closed):
    done, returned, _ = closed
    with clock.pinned(clock.now() + LATER):
        code, out = purge("--dry-run")
    assert code == 0 and "共 2 件" in out and "未清除" in out
    assert done.letter_number in out and returned.letter_number in out
    assert ZHANG[0] not in out and ZHANG[1] not in out
    assert not InquiryRequest.objects.filter(purged_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="request.purge").exists()


def test_after_the_retention_no_candidate_data_remains_and_references_stay(closed, world):
    done, returned, open_ = closed
    letter = letter_of(done)
    pdf_digest = letter.files.get(kind="pdf").sha256
    results = list(Finding.objects.filter(candidate__request=done).values_list("match", "result"))
    with clock.pinned(clock.now() + LATER):
        code, out = purge()
    assert code == 0 and "已清除 2 件查询需求的人选信息" in out and "复函文件 2 个" in out
    for req in (done, returned):
        req.refresh_from_db()
        assert req.purged_at is not None and req.letter_number.startswith("京组函")
        for c in Candidate.objects.filter(request=req):
            assert (bytes(c.subject_cipher), c.id_index, c.key_id, c.position) == (
                b"",
                None,
                "",
                "",
            )
    assert not CandidateMatch.objects.filter(finding__candidate__request=done).exists()
    assert set(Review.objects.filter(candidate__request=done).values_list("reason", flat=True)) \
        == {""}  # fmt: skip
    # What the unit still accounts for: counts, results, the letter's number, code and digest.
    assert Candidate.objects.filter(request=done).count() == 2
    assert list(Finding.objects.filter(candidate__request=done)
                .values_list("match", "result")) == results  # fmt: skip
    letter = Letter.objects.get(pk=letter.pk)
    assert (letter.item_count, letter.files.get(kind="pdf").sha256) == (2, pdf_digest)
    assert all(
        bytes(f.data) == b"" and f.purged_at for f in LetterFile.objects.filter(letter=letter)
    )
    # The open request is untouched.
    assert all(c.key_id for c in Candidate.objects.filter(request=open_))
    # One event per request, with references only.
    events = AuditEvent.objects.filter(action="request.purge").order_by("seq")
    assert [e.object_id for e in events] == [str(done.pk), str(returned.pk)]
    assert events[0].detail["candidates"] == 2 and events[0].detail["letter_files"] == 2
    assert ZHANG[0] not in str(events[0].detail) and ZHANG[1] not in str(events[0].detail)
    # No plaintext or ciphertext of the purged candidates is left in their tables.
    with connection.cursor() as cur:
        cur.execute("SELECT subject_cipher, id_index FROM inquiry_candidate WHERE request_id = %s",
                    [done.pk])  # fmt: skip
        assert all(not bytes(cipher) and index is None for cipher, index in cur.fetchall())


def test_pages_and_api_say_purged_and_record_no_view(closed, world):
    done, _, _ = closed
    with clock.pinned(clock.now() + LATER):
        purge_candidates("system")
    client = Client()
    signed_in(client, world.handler.user)
    before = AuditEvent.objects.count()
    page = client.get(f"/requests/{done.pk}/").content.decode()
    assert "已按保存期限清除" in page and ZHANG[0] not in page
    assert letter_of(done).document_number in page
    result = client.get(f"/requests/{done.pk}/result/").content.decode()
    assert "已按保存期限清除" in result and ZHANG[0] not in result
    gone = client.get(f"/requests/{done.pk}/letter.pdf")
    assert gone.status_code == 410 and "已按保存期限清除" in gone.content.decode()
    api = APIClient()
    api.force_authenticate(world.handler.user)
    answer = api.get(f"/api/v1/requests/{done.pk}/").json()
    assert answer["candidates"] == [] and answer["candidates_note"].startswith("已按保存期限清除")
    assert AuditEvent.objects.count() == before  # nothing personal was shown
    # The public verification still confirms the letter, without its file.
    public = Client().get(f"/verify/{letter_of(done).verification_code}/").content.decode()
    assert letter_of(done).document_number in public


def test_a_purged_request_takes_no_more_steps_and_keys_still_rotate(tmp_path, key_file):
    key_file("gm")
    world = World(tmp_path)
    done, open_ = issued(world), world.register(people=[ZHANG])
    with clock.pinned(clock.now() + LATER):
        purge_candidates("system")
    with pytest.raises(WorkflowError) as refused:
        services.correct(world.handler, done.pk, "复查")
    assert refused.value.code == "purged"
    assert "" not in key_usage()  # purged rows hold no sealed data
    result = rotate()
    assert result.rows["inquiry.Candidate"] == 1  # the open request's; the purged are left alone
    assert result.rows["documents.LetterFile"] == 0
    assert set(key_usage()) == {result.new_key}
    assert services.candidate_identity(Candidate.objects.get(request=open_))[1] == ZHANG[1]
    assert all(bytes(f.data) == b"" for f in LetterFile.objects.all())


def test_a_retention_below_a_year_is_refused(closed, settings):
    settings.GONGXIN_CANDIDATE_RETENTION_DAYS = 30
    code, out = purge()
    assert code == 1 and "少于最低 365 天" in out
    with pytest.raises(RetentionRefused):
        purge_candidates("system")
    assert not InquiryRequest.objects.filter(purged_at__isnull=False).exists()


def test_a_correction_reopens_the_count(closed, world):
    """The retention counts from the last closing: a request corrected and issued again keeps
    its data for the full period from then."""
    done, _, _ = closed
    services.correct(world.handler, done.pk, "复查")
    assert InquiryRequest.objects.get(pk=done.pk).closed_at is None
    with clock.pinned(clock.now() + LATER):
        assert done.pk not in set(due().values_list("pk", flat=True))
