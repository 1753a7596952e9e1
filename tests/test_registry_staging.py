"""Staged imports (decision 0009): rows are written in short transactions under an import that
nobody screens against, and the import is switched on at once; a failure, an interruption or a
crash leaves the previous list version in force and its staged rows cleared."""

import datetime as dt

import pytest

from gongxin.core import clock
from gongxin.registry import services, staging
from gongxin.registry.models import ListEntry, ListImport, current_version
from gongxin.registry.screening import CandidateInput, screen
from gongxin.registry.services import ImportRefused
from gongxin.registry.staging import ABANDONED
from tests.factories import LI, WANG, ZHANG, Lists, match_of, person_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(tmp_path):
    lists = Lists(tmp_path)
    lists.load([person_row(*ZHANG), person_row(*WANG)], as_of="2026-01-10")
    return lists


class Stop(BaseException):
    """What a process being stopped sees mid-way (as KeyboardInterrupt is)."""


def at_step(step: int, action):
    """A progress hook that does ``action`` at its ``step``-th call. It is called outside the
    import's transactions: after each chunk read (1 here: these files are one chunk), after
    the rows gathered are written (2), after each batch of removals (3)."""
    calls = []

    def hook(records):
        calls.append(records)
        if len(calls) == step:
            action()

    return hook


def test_a_staged_import_counts_for_nobody_until_it_is_switched_on(lists):
    """A snapshot that adds LI and removes ZHANG: between its batches, screening still gives
    the previous version (ZHANG listed, LI not), though both rows are already written."""
    seen = []

    def look():
        staged = ListImport.objects.get(status="staging")
        assert ListEntry.objects.filter(created_by_import=staged).exists()
        seen.append(match_of([ZHANG, LI, WANG], as_of="2026-03-05"))

    result = lists.load([person_row(*LI), person_row(*WANG)], as_of="2026-03-01",
                        progress=at_step(3, look))  # fmt: skip
    assert seen == [["exact", "none", "exact"]]
    assert match_of([ZHANG, LI, WANG], as_of="2026-03-05") == ["none", "exact", "exact"]
    assert result.list_import.version == current_version() == 2
    assert "名单版本 2" in result.summary


def test_a_screening_reads_the_version_it_started_with(lists):
    """Given an older version, the lists read as they were then."""
    lists.load([person_row(*LI), person_row(*WANG)], as_of="2026-03-01")
    people = [CandidateInput(2, *ZHANG), CandidateInput(3, *LI)]
    then = screen(people, dt.date(2026, 3, 5), version=1)
    now = screen(people, dt.date(2026, 3, 5))
    assert [str(r.match) for r in then.results] == ["exact", "none"]
    assert [str(r.match) for r in now.results] == ["none", "exact"]
    assert (then.version, now.version) == (1, 2)


def test_a_failure_mid_way_clears_the_staged_rows_and_removals(lists):
    def fail():
        raise OSError("disk full")

    before = set(ListEntry.objects.values_list("id", "removed_on"))
    with pytest.raises(OSError):
        lists.load([person_row(*LI), person_row(*WANG)], as_of="2026-03-01",
                   progress=at_step(3, fail))  # fmt: skip
    assert set(ListEntry.objects.values_list("id", "removed_on")) == before
    failed = ListImport.objects.get(status="failed")
    assert failed.version is None and failed.errors[0]["reason"].startswith("导入失败（OSError）")
    assert match_of([ZHANG, LI], as_of="2026-03-05") == ["exact", "none"]


def test_an_interrupted_import_is_cleared_and_says_so(lists):
    def stop():
        raise Stop

    with pytest.raises(Stop):
        lists.load([person_row(*LI)], as_of="2026-03-01", progress=at_step(2, stop))
    assert ListEntry.objects.count() == 2
    failed = ListImport.objects.get(status="failed")
    assert failed.errors[0]["reason"] == "导入被中断，名单未作任何更改"


def test_a_refused_file_leaves_nothing_staged(lists, tmp_path):
    with pytest.raises(ImportRefused) as refused:
        lists.load([person_row(*LI), person_row("赵六", "110105194912310021")], as_of="2026-03-01")
    assert [e.row for e in refused.value.errors] == [3]
    assert refused.value.list_import.status == "rejected"
    assert ListImport.objects.filter(status="staging").count() == 0
    assert ListEntry.objects.count() == 2


def test_what_a_crashed_import_left_is_ignored_then_cleared_by_the_next_import(lists, monkeypatch):
    """A process killed mid-way clears nothing. Its rows count for nobody; the same source
    cannot be imported while it might still be alive; once it has made no progress for
    GONGXIN_IMPORT_STALE_MINUTES the next import clears it and goes ahead."""

    def dies(*args):
        raise Stop

    def killed():
        monkeypatch.setattr(services, "clear_staged", dies)  # nothing is cleared any more
        raise Stop

    with pytest.raises(Stop):
        lists.load([person_row(*LI), person_row(*WANG)], as_of="2026-03-01",
                   progress=at_step(3, killed))  # fmt: skip
    monkeypatch.undo()
    left = ListImport.objects.get(status="staging")
    assert ListEntry.objects.filter(created_by_import=left).count() == 1  # LI
    assert ListEntry.objects.filter(removed_by_import=left).count() == 1  # ZHANG
    assert match_of([ZHANG, LI], as_of="2026-03-05") == ["exact", "none"]

    with pytest.raises(ImportRefused, match="该名单来源正在导入另一个文件"):
        lists.load([person_row(*LI)], as_of="2026-03-02")
    assert ListImport.objects.get(status="staging") == left

    later = clock.now() + dt.timedelta(minutes=11)
    with clock.pinned(later):
        result = lists.load([person_row(*LI, 操作="列入")], mode="delta", as_of="2026-03-03")
    left.refresh_from_db()
    assert (left.status, left.errors[0]["reason"], left.version) == ("failed", ABANDONED, None)
    assert not ListEntry.objects.filter(created_by_import=left).exists()
    assert not ListEntry.objects.filter(removed_by_import=left).exists()
    assert result.list_import.added == 1
    assert match_of([ZHANG, LI, WANG], as_of="2026-03-05") == ["exact", "exact", "exact"]


def test_an_import_taken_over_as_abandoned_stops_without_changing_anything(lists):
    """A process that was stopped (suspended) past the limit finds on waking that another
    import cleared it: it stops with the reason and writes nothing more."""

    def sleep_past_the_limit():
        staged = ListImport.objects.get(status="staging")
        ListImport.objects.filter(pk=staged.pk).update(
            touched_at=clock.now() - dt.timedelta(minutes=11)
        )
        assert staging.clear_abandoned() == 1

    with pytest.raises(ImportRefused, match="已被其他导入作为中断的导入清除"):
        lists.load([person_row(*LI), person_row(*WANG)], as_of="2026-03-01",
                   progress=at_step(2, sleep_past_the_limit))  # fmt: skip
    assert ListImport.objects.get(status="failed").errors[0]["reason"] == ABANDONED
    assert ListEntry.objects.count() == 2
    assert match_of([ZHANG, LI], as_of="2026-03-05") == ["exact", "none"]


def test_a_review_rechecks_the_entry_in_the_current_version(lists):
    """An entry removed by a staged import is still listed for the reviewer."""
    zhang = ListEntry.objects.order_by("pk").first()
    seen = []

    def look(records):
        if ListEntry.objects.filter(pk=zhang.pk, removed_by_import__status="staging").exists():
            in_force = ListEntry.objects.in_force(dt.date(2026, 3, 5))
            seen.append(in_force.filter(pk=zhang.pk).exists())

    lists.load([person_row(*WANG)], as_of="2026-03-01", progress=look)
    assert seen == [True]
    assert not ListEntry.objects.in_force(dt.date(2026, 3, 5)).filter(pk=zhang.pk).exists()
