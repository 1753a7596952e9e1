"""Screening as of a date: match classes, history, and candidate-file errors."""

import pytest

from gongxin.registry.screening import CandidateInput, read_candidates, screen
from tests.factories import (
    LI,
    LIST_HEADERS,
    MAIMAITI,
    WANG,
    ZHANG,
    Lists,
    match_of,
    person_row,
    screen_people,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(tmp_path):
    return Lists(tmp_path)


def test_match_classes_on_constructed_cases(lists):
    lists.load(
        [
            person_row(*ZHANG),
            person_row("李四", LI[1]),
            person_row("孙八", "3423011964****3229"),
            person_row(*MAIMAITI),
        ]
    )
    results = screen_people(
        [
            ZHANG,  # exact
            ("李思", LI[1]),  # id agrees, name differs
            ("孙八", "342301196405123229"),  # masked entry, visible digits and name agree
            ("孙八", "342301196505123226"),  # masked: visible digits differ
            ("孙九", "342301196405123229"),  # masked: name differs
            ("张三", "110105194912310038"),  # same name only
            ("买买提•艾力", MAIMAITI[1]),  # look-alike dot still exact
            WANG,  # nobody
        ]
    ).results
    assert [str(r.match) for r in results] == [
        "exact",
        "id_only",
        "possible",
        "none",
        "none",
        "exact",
        "none",
    ]
    assert match_of([("孙九", "342301196405123229")]) == ["none"]  # masked: name differs
    assert results[0].entries[0].source == "sxbzxr"
    assert results[0].id_number_masked == "110105********002X"


def test_masked_numbers_in_several_layouts_are_found_by_index(lists):
    from gongxin.registry.models import MaskLayout

    lists.load(
        [
            person_row("孙八", "3423011964****3229"),  # day and month hidden
            person_row(
                "周九", "342301********3226", case="（2025）京0105执9号"
            ),  # birth date hidden
        ]
    )
    assert set(MaskLayout.objects.values_list("layout", flat=True)) == {
        "######********####",
        "##########****####",
    }
    assert match_of(
        [
            ("孙八", "342301196405123229"),
            ("周九", "342301196505123226"),
            ("周九", "342301196505123218"),
        ]
    ) == ["possible", "possible", "none"]


def test_same_candidate_exact_before_removal_and_none_after(lists):
    lists.load([person_row(*ZHANG, listed_on="2025-06-01"), person_row(*LI)], as_of="2026-01-10")
    assert match_of([ZHANG], as_of="2026-02-01") == ["exact"]
    lists.load([person_row(*LI)], as_of="2026-03-01")  # snapshot without ZHANG
    assert match_of([ZHANG], as_of="2026-03-05") == ["none"]
    assert match_of([ZHANG], as_of="2026-03-01") == ["none"]  # removed on that day
    # Re-screening the old date after later imports gives the old answer, with the same entry.
    old = screen_people([ZHANG], as_of="2026-02-01").results[0]
    assert str(old.match) == "exact"
    assert old.entries[0].removed_on.isoformat() == "2026-03-01"
    assert match_of([ZHANG], as_of="2025-05-31") == ["none"]  # before listing


def test_screening_is_deterministic(lists):
    lists.load([person_row(*ZHANG), person_row(*ZHANG, case="（2025）京0105执2号")])
    first = [r.as_dict() for r in screen_people([ZHANG, LI]).results]
    second = [r.as_dict() for r in screen_people([ZHANG, LI]).results]
    assert first == second
    assert [e["entry_id"] for e in first[0]["entries"]] == sorted(
        e["entry_id"] for e in first[0]["entries"]
    )
    assert len(first[0]["entries"]) == 2


def test_every_list_is_searched(lists):
    lists.load([person_row(*ZHANG)], source="sxbzxr")
    lists.load([person_row(*ZHANG, authority="国家税务总局北京市税务局")], source="zdsswf")
    result = screen_people([ZHANG]).results[0]
    assert sorted(e.source for e in result.entries) == ["sxbzxr", "zdsswf"]


def test_bad_candidate_rows_are_reported_and_screened_nowhere(lists):
    lists.load([person_row(*ZHANG)])
    candidates = [
        CandidateInput(2, *ZHANG),
        CandidateInput(3, "某人", "110105194912310021"),
        CandidateInput(4, "", LI[1]),
        CandidateInput(5, "张三", "11010519491231002x"),  # duplicate of row 2
    ]
    import datetime as dt

    result = screen(candidates, dt.date(2026, 2, 1))
    assert [r.row for r in result.results] == [2]
    assert [(e.row, e.field, e.reason) for e in result.errors] == [
        (3, "公民身份号码", "校验码不正确"),
        (4, "姓名", "姓名或名称为空"),
        (5, "公民身份号码", "与第2行重复"),
    ]


def test_json_shape_has_no_full_id(lists):
    lists.load([person_row(*ZHANG)])
    data = screen_people([ZHANG]).results[0].as_dict()
    assert set(data) >= {"row", "name", "id_number_masked", "match", "entries"}
    assert set(data["entries"][0]) >= {"source", "entry_id", "listed_on", "removed_on"}
    assert ZHANG[1] not in repr(data)


def test_candidate_file_reading(tmp_path):
    path = write_csv(
        tmp_path / "c.csv", [{"姓名": "张三", "公民身份号码": ZHANG[1], "拟任职位": "科员"}]
    )
    candidates, errors = read_candidates(path)
    assert errors == []
    assert (candidates[0].row, candidates[0].name, candidates[0].position) == (2, "张三", "科员")
    missing = write_csv(tmp_path / "m.csv", [{"姓名": "张三"}])
    _, errors = read_candidates(missing)
    assert [(e.row, e.field, e.reason) for e in errors] == [(1, "公民身份号码", "缺少必填列")]


def test_candidate_files_in_xlsx_and_gb18030(tmp_path, lists):
    lists.load([person_row(*ZHANG)])
    rows = [{"姓名": "张三", "身份证号码": ZHANG[1].lower(), "拟录用职位": "科员"},
            {"姓名": "李四", "身份证号码": LI[1], "拟录用职位": "科员"}]  # fmt: skip
    for path in (write_xlsx(tmp_path / "c.xlsx", rows),
                 write_csv(tmp_path / "c.csv", rows, encoding="gb18030")):  # fmt: skip
        candidates, errors = read_candidates(path)
        assert errors == []
        import datetime as dt

        results = screen(candidates, dt.date(2026, 2, 1)).results
        assert [(r.row, str(r.match), r.position) for r in results] == [
            (2, "exact", "科员"), (3, "none", "科员")]  # fmt: skip


def test_quoted_line_breaks_survive_chunking(tmp_path, monkeypatch):
    """A quoted field with a line break must not be cut between two chunks."""
    from gongxin.registry import files

    monkeypatch.setattr(files, "CHARS_PER_RECORD", 1)
    people = [("王五", WANG[1]), ("张三", ZHANG[1])]
    rows = [person_row(name, number, authority="北京市\n朝阳区人民法院", case=f"（2025）执{i}号")
            for i, (name, number) in enumerate(people)]  # fmt: skip
    path = write_csv(tmp_path / "q.csv", rows, LIST_HEADERS)
    chunks = list(files.open_table(path).chunks(size=1))  # one-character blocks
    assert len(chunks) == 2  # one per record, each cut after its closing quote
    records = [cells for chunk in chunks for cells in files.chunk_records(chunk)]
    assert [(cells[1], cells[4]) for cells in records] == [
        ("王五", "北京市\n朝阳区人民法院"), ("张三", "北京市\n朝阳区人民法院")]  # fmt: skip


def test_many_layouts_and_keys_stay_within_query_parameter_limits(lists, monkeypatch):
    """SQLite's stock build binds at most 32,766 parameters; batches are sized to fit."""
    import itertools

    from gongxin.core.synthetic import Generator
    from gongxin.registry import screening
    from gongxin.registry.models import MaskLayout

    for hidden in itertools.islice(itertools.combinations(range(18), 2), 40):
        MaskLayout.objects.create(layout="".join("*" if i in hidden else "#" for i in range(18)))
    lists.load([person_row("孙八", "3423011964****3229")])
    sent = []
    lookup = screening._lookup
    monkeypatch.setattr(screening, "MAX_PARAMETERS", 1000)
    monkeypatch.setattr(screening, "_lookup", lambda col, values, *a, **k: (
        sent.append(len(values)), lookup(col, values, *a, **k))[1])  # fmt: skip
    gen = Generator(seed=5)
    people = [(gen.name(), gen.id_number()) for _ in range(300)]
    people.insert(150, ("孙八", "342301196405123229"))
    matches = match_of(people)
    assert matches[150] == "possible"
    assert matches.count("none") == 300
    assert max(sent) <= 1000  # 41 layouts: 24 candidates a batch, not 2,000
