"""A list import run as a background task (registry.jobs): progress as it goes, the import's
record named once staged, and a retried task that changes the list once."""

import pytest

from gongxin.registry import jobs, services
from gongxin.registry.models import ListEntry, ListImport, current_version
from gongxin.registry.services import ImportRefused
from gongxin.registry.staging import RETRIED
from tests.factories import LI, LIST_HEADERS, WANG, ZHANG, Lists, match_of, person_row, write_csv

pytestmark = pytest.mark.django_db


class Stop(BaseException):
    """What a worker being killed looks like from inside (nothing is cleared: see below)."""


@pytest.fixture
def lists(tmp_path):
    lists = Lists(tmp_path)
    lists.load([person_row(*ZHANG), person_row(*WANG)], as_of="2026-01-10")
    return lists


def test_a_task_sees_its_import_and_its_progress(lists, tmp_path):
    path = write_csv(tmp_path / "new.csv", [person_row(*LI), person_row(*WANG)], LIST_HEADERS)
    reports, seen = [], []

    def on_staged(imp):
        seen.append(ListImport.objects.get(pk=imp.pk).status)

    result = jobs.run_import(path, source_code="sxbzxr", imported_by="bj-secadmin",
                             job_key="task-1", as_of="2026-03-01",
                             report=lambda *r: reports.append(r), on_staged=on_staged)  # fmt: skip
    imp = result.list_import
    assert seen == ["staging"]
    assert reports[0] == (0, 2, f"已开始导入（批次 #{imp.pk}，尚未生效）")
    assert reports[-1][:2] == (2, 2)
    assert (imp.status, imp.version, imp.added, imp.removed) == ("done", 2, 1, 1)
    assert match_of([ZHANG, LI], as_of="2026-03-05") == ["none", "exact"]


def test_the_staged_record_shows_how_far_the_import_got(lists, tmp_path, monkeypatch):
    monkeypatch.setattr(services.pipeline, "prepared", _one_chunk_per_row)
    people = [person_row(f"人选{chr(0x4E00 + i)}", _number(i)) for i in range(5)]
    path = write_csv(tmp_path / "new.csv", people, LIST_HEADERS)
    monkeypatch.setattr("gongxin.registry.staging.FIRST_BATCH", 1)
    progress = []

    def report(done, total, step):
        staged = ListImport.objects.filter(status="staging").first()
        if staged:
            progress.append((staged.rows_total, staged.added))

    jobs.run_import(path, source_code="sxbzxr", imported_by="t", job_key="task-2",
                    as_of="2026-03-01", report=report)  # fmt: skip
    assert progress[0] == (0, 0)
    assert (1, 1) in progress and max(progress) == (5, 5)


def test_a_retried_task_clears_what_its_killed_run_left_and_imports_once(
    lists, tmp_path, monkeypatch
):
    path = write_csv(tmp_path / "new.csv", [person_row(*LI), person_row(*WANG)], LIST_HEADERS)

    def killed(*args):
        monkeypatch.setattr(services, "clear_staged", lambda *a: (_ for _ in ()).throw(Stop()))
        raise Stop

    def report(done, total, step):
        if done == 2:
            killed()

    with pytest.raises(Stop):
        jobs.run_import(path, source_code="sxbzxr", imported_by="t", job_key="task-3",
                        as_of="2026-03-01", report=report)  # fmt: skip
    monkeypatch.undo()
    left = ListImport.objects.get(status="staging")
    assert match_of([ZHANG, LI], as_of="2026-03-05") == ["exact", "none"]
    # Another task must wait for the stale limit; the same task's retry need not.
    with pytest.raises(ImportRefused, match="该名单来源正在导入另一个文件"):
        jobs.run_import(path, source_code="sxbzxr", imported_by="t", job_key="task-4",
                        as_of="2026-03-01")  # fmt: skip
    retry = jobs.run_import(path, source_code="sxbzxr", imported_by="t", job_key="task-3",
                            as_of="2026-03-01")  # fmt: skip
    left.refresh_from_db()
    assert (left.status, left.errors[0]["reason"]) == ("failed", RETRIED)
    assert not ListEntry.objects.filter(created_by_import=left).exists()
    assert retry.list_import.version == current_version() == 2
    assert match_of([ZHANG, LI], as_of="2026-03-05") == ["none", "exact"]
    # Delivered once more after it finished: already imported, nothing changes.
    again = jobs.run_import(path, source_code="sxbzxr", imported_by="t", job_key="task-3",
                            as_of="2026-03-01")  # fmt: skip
    assert again.duplicate_of == retry.list_import and current_version() == 2


def _number(i: int) -> str:
    from tests.factories import make_id

    return make_id(seq=100 + i)


def _one_chunk_per_row(chunks, ctx, *, parallel):
    """The pipeline, one row at a time: each row is its own chunk (so its own batch)."""
    import marshal

    from gongxin.registry import pipeline

    pipeline._context = ctx
    for kind, data in chunks:
        for record in pipeline.chunk_records((kind, data)):
            yield marshal.loads(pipeline.prepare_chunk(("cells", [record])))  # noqa: S302
