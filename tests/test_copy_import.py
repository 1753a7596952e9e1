"""On PostgreSQL an import writes with COPY (decision 0018): the same files give exactly the
same entries as with INSERTs — the same subjects once decrypted, the same blind indexes, the
same dates and removals — and screening answers the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from gongxin.platform.sealed import checked_keyring
from gongxin.registry import bulk, keys
from gongxin.registry.models import ListEntry, ListImport, MaskLayout
from gongxin.registry.pipeline import split_subject
from gongxin.registry.screening import CandidateInput, screen
from tests.factories import LI, MAIMAITI, WANG, ZHANG, Lists, make_id, org_row, person_row

pytestmark = pytest.mark.django_db

ZHAO = ("赵六", make_id("110101", "19800202", 7))
QIAN = ("钱七", make_id("310104", "19751111", 9))
SUN = ("孙八", make_id("440305", "19920505", 3))
MASKED = ("周九", make_id("110105", "19900101", 5))  # listed with its birth date hidden
ORG = ("北京恒通商贸有限公司", "91110105MA01C8XW46")


def load_everything(tmp_path, *, copy: bool, monkeypatch) -> None:
    """Every kind of row: full, masked and organisation entries, a planned end, a row listed
    already removed; then a delta that adds and removes, and a snapshot that drops entries."""
    monkeypatch.setattr(bulk, "uses_copy", lambda: copy)
    lists = Lists(tmp_path / ("copy" if copy else "insert"))
    lists.dir.mkdir()
    masked_number = MASKED[1][:10] + "****" + MASKED[1][14:]
    lists.load(
        [
            person_row(*ZHANG),
            person_row(*LI, 计划移出日期="2027-03-01"),
            person_row(*WANG, listed_on="2025-01-05", 移出日期="2025-06-30", 移出原因="履行完毕"),
            person_row(*MAIMAITI),
            person_row(MASKED[0], masked_number),
            org_row(*ORG),
            person_row(*ZHAO),
        ],
        as_of="2026-01-10",
        headers=[*LIST_HEADERS_ALL],
    )
    lists.load(
        [
            person_row(*QIAN, 操作="列入"),
            person_row(*ZHAO, 操作="移出", 移出日期="2026-02-01", 移出原因="撤销"),
        ],
        mode="delta",
        as_of="2026-02-10",
    )
    lists.load(
        [person_row(*p) for p in (ZHANG, LI, MAIMAITI, QIAN)]
        + [person_row(*SUN, listed_on="2026-02-20"), org_row(*ORG)],
        as_of="2026-03-01",
    )  # drops the masked entry; keeps the rest, adds SUN


LIST_HEADERS_ALL = [
    "主体类型", "姓名或名称", "证件号码", "列入日期", "认定机关", "认定文书号", "案号",
    "计划移出日期", "移出日期", "移出原因",
]  # fmt: skip


def stored() -> list[tuple]:
    """Every entry as it reads back: decrypted subject, indexes, dates, which import (by its
    list version) created and removed it — everything but row ids and ciphertext nonces."""
    ring = checked_keyring()
    rows = []
    for e in ListEntry.objects.select_related("created_by_import", "removed_by_import"):
        rows.append((
            e.created_by_import.version,
            split_subject(ring.decrypt(bytes(e.subject_cipher), keys.ENTRY_SUBJECT)),
            e.subject_kind, bytes(e.name_index), e.id_index and bytes(e.id_index),
            e.masked_index and bytes(e.masked_index), e.id_masked, bytes(e.entry_key), e.key_id,
            e.authority, e.basis_document, e.case_number, e.listed_on, e.planned_end,
            e.removed_on, e.removal_reason, e.removed_by_import and e.removed_by_import.version,
        ))  # fmt: skip
    return sorted(rows, key=repr)


def answers() -> list:
    people = [ZHANG, LI, WANG, MAIMAITI, MASKED, ZHAO, QIAN, SUN, ("路人", make_id(seq=11))]
    candidates = [CandidateInput(i + 2, *p) for i, p in enumerate(people)]
    out = []
    for day, version in (("2025-03-01", 1), ("2026-01-20", 1), ("2026-02-15", 2),
                         ("2026-03-05", 3), ("2026-03-05", None)):  # fmt: skip
        result = screen(candidates, dt.date.fromisoformat(day), version=version)
        for r in result.results:
            out.append((day, version, r.row, str(r.match), sorted(
                (m.source, str(m.match), m.listed_on, m.removed_on, m.authority, m.case_number)
                for m in r.entries
            )))  # fmt: skip
    return out


def forget_everything() -> None:
    ListEntry.objects.all().delete()
    ListImport.objects.all().delete()
    MaskLayout.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_gives_exactly_the_entries_and_answers_that_inserts_give(tmp_path, monkeypatch):
    load_everything(tmp_path, copy=False, monkeypatch=monkeypatch)
    by_insert, answered_by_insert = stored(), answers()
    layouts = set(MaskLayout.objects.values_list("layout", flat=True))
    forget_everything()

    load_everything(tmp_path, copy=True, monkeypatch=monkeypatch)
    assert stored() == by_insert
    assert answers() == answered_by_insert
    assert set(MaskLayout.objects.values_list("layout", flat=True)) == layouts
    # The files exercised what they were meant to: every kind of row, and the screening saw
    # exact, masked and organisation matches, removals by delta and by snapshot.
    assert len(by_insert) == 9
    assert {row[-1] for row in by_insert} == {None, 1, 2, 3}  # listed removed; delta; snapshot
    assert any(row[6] for row in by_insert) and any(row[13] for row in by_insert)
    assert {a[3] for a in answered_by_insert} >= {"exact", "none", "possible"}
