"""List imports: snapshot and delta semantics, all-or-nothing refusal, file formats."""

import datetime as dt

import pytest

from gongxin.audit.models import AuditEvent
from gongxin.registry.models import ListEntry, ListImport
from gongxin.registry.services import ImportRefused, import_list
from tests.factories import (
    LI,
    LIST_HEADERS,
    WANG,
    ZHANG,
    Lists,
    make_id,
    match_of,
    org_row,
    person_row,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(tmp_path):
    return Lists(tmp_path)


def test_snapshot_adds_keeps_and_removes(lists):
    first = lists.load([person_row(*ZHANG), person_row(*LI)], as_of="2026-01-10")
    assert (first.list_import.added, first.list_import.removed) == (2, 0)
    second = lists.load([person_row(*LI), person_row(*WANG)], as_of="2026-03-01")
    imp = second.list_import
    assert (imp.added, imp.removed, imp.unchanged) == (1, 1, 1)
    removed = ListEntry.objects.get(removed_on__isnull=False)
    assert removed.removed_on == dt.date(2026, 3, 1)
    assert removed.removed_by_import == imp
    assert removed.created_by_import == first.list_import
    # Entries are never deleted.
    assert ListEntry.objects.count() == 3
    assert "新增 1，移出 1，未变 1" in second.summary


def test_same_file_twice_changes_nothing_and_says_so(tmp_path):
    path = write_csv(tmp_path / "l.csv", [person_row(*ZHANG)], LIST_HEADERS)
    import_list(path, source_code="sxbzxr", imported_by="t", as_of=dt.date(2026, 1, 10))
    again = import_list(path, source_code="sxbzxr", imported_by="t", as_of=dt.date(2026, 5, 1))
    assert again.duplicate_of is not None
    assert "未作任何更改" in again.summary
    assert ListEntry.objects.count() == 1
    assert ListEntry.objects.get().removed_on is None


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "worker-processes"])
def test_one_bad_row_in_ten_thousand_refuses_the_file_and_names_it(lists, monkeypatch, workers):
    from gongxin.registry import services

    monkeypatch.setattr(services, "PARALLEL_BYTES", 0 if workers else 10**12)
    lists.load([person_row(*ZHANG)], as_of="2026-01-01")
    rows = [
        person_row(
            f"甲{i}", make_id(seq=i % 1000, born=f"19{50 + i // 1000}0101"), case=f"（2025）执{i}号"
        )
        for i in range(10_000)
    ]
    bad = dict(rows[4999], 证件号码="110105194912310021")  # wrong check character
    rows[4999] = bad
    with pytest.raises(ImportRefused) as exc:
        lists.load(rows, as_of="2026-02-01")
    assert [(e.row, e.field, e.reason) for e in exc.value.errors] == [
        (5001, "证件号码", "校验码不正确")
    ]
    assert "名单未作任何更改" in exc.value.message
    # Nothing changed: the earlier list is whole and still screenable.
    assert ListEntry.objects.count() == 1
    assert ListEntry.objects.get().removed_on is None
    assert match_of([ZHANG], as_of="2026-03-01") == ["exact"]
    rejected = ListImport.objects.get(status="rejected")
    assert rejected.errors == [{"row": 5001, "field": "证件号码", "reason": "校验码不正确"}]
    # Fixed, the same file goes in whole: every row findable, ZHANG removed by the snapshot.
    rows[4999] = dict(bad, 证件号码=make_id(seq=999, born="19540101"))
    result = lists.load(rows, as_of="2026-02-01")
    assert (result.list_import.added, result.list_import.removed) == (10_000, 1)
    sample = [(r["姓名或名称"], r["证件号码"]) for r in rows[::997]]
    assert set(match_of(sample, as_of="2026-02-02")) == {"exact"}


def test_every_kind_of_bad_row_is_reported_together(lists):
    rows = [
        person_row(*ZHANG),
        person_row("", LI[1]),  # row 3: empty name
        person_row(*WANG, listed_on="2026-02-30"),  # row 4: impossible date
        person_row(*ZHANG),  # row 5: duplicate of row 2
        dict(person_row("赵六", make_id(seq=7)), 名单来源="不存在的名单"),  # row 6
        dict(person_row("钱七", make_id(seq=9)), 主体类型="其他"),  # row 7
    ]
    headers = [*LIST_HEADERS, "名单来源"]
    with pytest.raises(ImportRefused) as exc:
        lists.load(rows, headers=headers)
    got = {(e.row, e.field) for e in exc.value.errors}
    assert got == {
        (3, "姓名或名称"),
        (4, "列入日期"),
        (5, "姓名或名称"),
        (6, "名单来源"),
        (7, "主体类型"),
    }
    assert "与第2行重复" in {e.reason for e in exc.value.errors if e.row == 5}.pop()
    assert ListEntry.objects.count() == 0


def test_error_reports_never_contain_the_id_number(lists):
    with pytest.raises(ImportRefused) as exc:
        lists.load([person_row("张三", "110105194912310021")])
    text = exc.value.message + "".join(str(e) for e in exc.value.errors)
    assert "110105194912310021" not in text
    assert "110105194912310021" not in str(ListImport.objects.get().errors)


def test_missing_required_column_is_refused(tmp_path):
    path = write_csv(
        tmp_path / "l.csv", [person_row(*ZHANG)], ["主体类型", "姓名或名称", "证件号码"]
    )
    with pytest.raises(ImportRefused) as exc:
        import_list(path, source_code="sxbzxr", imported_by="t")
    assert {(e.row, e.field, e.reason) for e in exc.value.errors} >= {(1, "列入日期", "缺少必填列")}


def test_unknown_source_is_refused(tmp_path):
    path = write_csv(tmp_path / "l.csv", [person_row(*ZHANG)], LIST_HEADERS)
    with pytest.raises(ImportRefused, match="未知的名单来源「nosuch」"):
        import_list(path, source_code="nosuch", imported_by="t")


def test_failure_while_writing_leaves_previous_list_intact(lists, monkeypatch):
    lists.load([person_row(*ZHANG)], as_of="2026-01-10")

    def crash(*args, **kwargs):
        raise OSError("disk full")

    from gongxin.registry import bulk

    monkeypatch.setattr(bulk, "write_removals", crash)
    with pytest.raises(OSError):
        lists.load([person_row(*LI)], as_of="2026-03-01")  # would add LI and remove ZHANG
    assert ListEntry.objects.count() == 1
    assert ListImport.objects.filter(status="done").count() == 1
    assert match_of([ZHANG, LI], as_of="2026-03-05") == ["exact", "none"]


def test_older_snapshot_after_newer_is_refused(lists):
    lists.load([person_row(*ZHANG)], as_of="2026-03-01")
    with pytest.raises(ImportRefused, match="早于该来源已导入的最新名单日期"):
        lists.load([person_row(*LI)], as_of="2026-02-01")
    assert ListEntry.objects.count() == 1


def test_delta_adds_and_removes(lists):
    lists.load([person_row(*ZHANG)], as_of="2026-01-10")
    result = lists.load(
        [
            person_row(*LI, 操作="列入"),
            person_row(*ZHANG, 操作="移出", 移出日期="2026年2月15日", 移出原因="履行完毕"),
        ],
        mode="delta",
        as_of="2026-02-20",
    )
    assert (result.list_import.added, result.list_import.removed) == (1, 1)
    gone = ListEntry.objects.get(removed_on__isnull=False)
    assert (gone.removed_on, gone.removal_reason) == (dt.date(2026, 2, 15), "履行完毕")
    assert match_of([ZHANG, LI], as_of="2026-02-14") == ["exact", "exact"]
    assert match_of([ZHANG, LI], as_of="2026-02-15") == ["none", "exact"]


def test_delta_removing_an_unknown_entry_is_refused(lists):
    lists.load([person_row(*ZHANG)], as_of="2026-01-10")
    with pytest.raises(ImportRefused) as exc:
        lists.load([person_row(*LI, 操作="移出")], mode="delta", as_of="2026-02-20")
    assert [(e.row, e.field) for e in exc.value.errors] == [(2, "操作")]
    assert ListEntry.objects.filter(removed_on__isnull=True).count() == 1


def test_delta_without_action_column_is_refused(lists):
    with pytest.raises(ImportRefused) as exc:
        lists.load([person_row(*ZHANG)], mode="delta", headers=LIST_HEADERS)
    assert exc.value.errors[0].field == "操作"


def test_fifteen_digit_ids_are_upgraded_and_masked_ids_kept(lists):
    lists.load([person_row("王五", "440524800101001"), person_row("孙八", "3423011964****3229")])
    assert match_of([WANG, ("孙八", "342301196405123229")]) == ["exact", "possible"]
    assert ListEntry.objects.filter(id_masked=True, id_index__isnull=True).count() == 1


def test_gb18030_csv_and_xlsx_with_date_cells(tmp_path):
    gb = write_csv(tmp_path / "gb.csv", [person_row(*ZHANG)], LIST_HEADERS, encoding="gb18030")
    import_list(gb, source_code="sxbzxr", imported_by="t", as_of=dt.date(2026, 1, 10))
    rows = [dict(person_row(*LI), 列入日期=dt.datetime(2025, 6, 1))]
    xlsx = write_xlsx(tmp_path / "l.xlsx", rows, LIST_HEADERS)
    import_list(xlsx, source_code="zdsswf", imported_by="t", as_of=dt.date(2026, 1, 10))
    entry = ListEntry.objects.get(source__code="zdsswf")
    assert entry.listed_on == dt.date(2025, 6, 1)
    assert match_of([ZHANG, LI]) == ["exact", "exact"]


def test_organisations_are_validated_by_uscc_and_never_match_people(lists):
    with pytest.raises(ImportRefused) as exc:
        lists.load([org_row("某某商贸有限公司", "91350100M000100Y44")])
    assert exc.value.errors[0].reason == "统一社会信用代码校验码不正确"
    lists.load([org_row("某某商贸有限公司", "91350100M000100Y43")])
    assert ListEntry.objects.get().subject_kind == "organisation"


def test_unsupported_file_type(tmp_path):
    path = tmp_path / "list.pdf"
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(ImportRefused, match="不支持的文件类型"):
        import_list(path, source_code="sxbzxr", imported_by="t")


def test_stored_import_errors_name_row_column_and_reason_but_never_the_cell(tmp_path):
    """A name or an ID number typed into the wrong place is still personal data: the stored
    problems of a refused file say where and why, never what the cell held."""
    import json

    from tests.factories import stored_bytes

    name, number = "欧阳明月", "110105199003070019"
    rows = [
        person_row(name, "110105199003070011"),  # wrong check character
        person_row("李四", LI[1], listed_on=f"{name}{number}"),  # shifted into the date column
        person_row("王五", WANG[1], 名单来源=f"{name} {number}"),
        person_row(f"{name}\x07", number),  # a control character in the name
        person_row(number, name),  # name and number swapped
    ]
    path = write_csv(tmp_path / "bad.csv", rows, [*LIST_HEADERS, "名单来源"])
    with pytest.raises(ImportRefused) as refused:
        import_list(path, source_code="sxbzxr", imported_by="t", as_of=dt.date(2026, 1, 10))
    stored = ListImport.objects.get(status="rejected").errors
    assert {(e["row"], e["field"]) for e in stored} >= {
        (2, "证件号码"), (3, "列入日期"), (4, "名单来源"), (5, "姓名或名称"), (6, "证件号码"),
    }  # fmt: skip
    assert all(e["reason"] for e in stored)
    text = json.dumps(stored, ensure_ascii=False)
    for secret in (name, number, "110105199003070011", "欧阳", "0019", "19900307"):
        assert secret not in text
        assert secret not in " ".join(str(e) for e in refused.value.errors)
    everything = stored_bytes()
    for secret in (name, number, "110105199003070011"):
        assert secret.encode() not in everything


def test_each_import_attempt_is_one_event_in_the_trail_without_cell_text(lists, tmp_path):
    """Done, repeated and refused imports each leave one ``lists.import`` event, written with
    the outcome (the switch that gives the new list version carries its event)."""
    done = lists.load([person_row(*ZHANG)], as_of="2026-01-10").list_import
    path = write_csv(tmp_path / "same.csv", [person_row(*ZHANG)], LIST_HEADERS)
    import_list(path, source_code="sxbzxr", imported_by="t", as_of=dt.date(2026, 1, 10))
    bad = write_csv(tmp_path / "bad.csv", [person_row(ZHANG[0], "1101051949")], LIST_HEADERS)
    with pytest.raises(ImportRefused):
        import_list(bad, source_code="sxbzxr", imported_by="t", as_of=dt.date(2026, 2, 1))
    events = list(AuditEvent.objects.filter(action="lists.import").order_by("seq"))
    assert [(e.outcome, e.detail["status"]) for e in events] == [
        ("ok", "done"), ("ok", "duplicate"), ("refused", "rejected")]  # fmt: skip
    assert events[0].object_id == str(done.pk) and events[0].detail["version"] == done.version
    stored = " ".join(str(e.detail) for e in events)
    assert ZHANG[0] not in stored and ZHANG[1] not in stored
