# ruff: noqa: S608 - the tampering is raw SQL on purpose; the table names are ours
"""Purging the trail after the retention period keeps the rest verifiable (issue 8: retention at
least 180 days, configurable; purging keeps the chain verifiable from a checkpoint)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction

from gongxin.audit.integrity import read_checkpoint, verify
from gongxin.audit.models import AppendOnly, AuditEvent, PurgeAnchor
from gongxin.audit.purge import PurgeRefused, cutoff, purge
from gongxin.audit.services import record
from gongxin.core import chain, clock
from tests.test_audit_trail import TABLE, cli, sql, triggers_dropped

pytestmark = pytest.mark.django_db
ANCHORS = importlib.import_module("gongxin.audit.migrations.0005_purge_anchor")
ANCHOR_TABLE = PurgeAnchor._meta.db_table
JANUARY = dt.datetime(2026, 1, 5, 10, tzinfo=clock.ZONE)
AUGUST = dt.datetime(2026, 8, 3, 10, tzinfo=clock.ZONE)  # more than 180 days after January


def events(when: dt.datetime, n: int) -> None:
    with clock.pinned(when):
        for i in range(n):
            record("handler", "request.view", ref=("InquiryRequest", i), n=i)


@pytest.fixture
def old_and_new():
    """Three events in January, three in August; today is in August."""
    events(JANUARY, 3)
    events(AUGUST, 3)
    with clock.pinned(AUGUST + dt.timedelta(hours=1)):
        yield


@contextmanager
def anchor_triggers_dropped():
    vendor = connection.vendor
    undo = {"sqlite": ANCHORS.SQLITE_UNDO, "postgresql": ANCHORS.POSTGRESQL_UNDO}[vendor]
    redo = {"sqlite": ANCHORS.SQLITE, "postgresql": ANCHORS.POSTGRESQL}[vendor]
    with triggers_dropped():
        for statement in undo:
            sql(statement)
        try:
            yield
        finally:
            for statement in redo:
                sql(statement)


def rechained_from(seq: int, digest: str) -> str:
    """Recompute every digest after ``seq`` as an intruder would; the last digest."""
    previous = digest
    for e in AuditEvent.objects.filter(seq__gt=seq).order_by("seq"):
        previous = chain.link(previous, e.seq, e.chained_fields())
        sql(f"UPDATE {TABLE} SET digest = %s WHERE seq = %s", previous, e.seq)
    return previous


def test_a_purge_removes_the_old_events_and_the_rest_verifies_from_the_anchor(
    old_and_new, tmp_path
):
    third = AuditEvent.objects.get(seq=3)
    code, out = cli("purge", "--before", "2026-02-01", "--checkpoint", str(tmp_path / "cut.json"))
    assert code == 0, out
    assert "已清除 3 条 2026-02-01 以前的留痕记录（至序号3）" in out and "请另处保存" in out
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [4, 5, 6, 7]
    anchor = PurgeAnchor.current()
    assert (anchor.seq, anchor.digest, anchor.removed) == (3, third.digest, 3)
    purged = AuditEvent.objects.get(seq=7)
    assert (purged.action, purged.actor) == ("audit.purge", "system")
    assert purged.detail == {"removed": 3, "boundary": 3, "digest": third.digest,
                             "before": "2026-02-01"}  # fmt: skip
    checkpoint = read_checkpoint(tmp_path / "cut.json")
    assert (checkpoint["seq"], checkpoint["digest"]) == (3, third.digest)
    assert verify().describe() == (
        "留痕链完整：共4条，最后一条序号7（序号3及以前的记录已按保存期限清除，从清除边界起校验）"
    )
    code, out = cli("verify", "--checkpoint", str(tmp_path / "cut.json"))
    assert code == 0 and "留痕链完整" in out
    # The trail goes on, and a checkpoint of the head still checks out.
    code, out = cli("checkpoint", str(tmp_path / "head.json"))
    assert code == 0
    assert verify(read_checkpoint(tmp_path / "head.json")).ok


def test_keep_days_counts_back_from_today(old_and_new, tmp_path):
    code, out = cli("purge", "--keep-days", "200", "--checkpoint", str(tmp_path / "cut.json"))
    assert code == 0, out
    assert PurgeAnchor.current().seq == 3  # 200 days before 3 August: 14 January
    assert verify().ok


def test_tampering_after_a_purge_is_found(old_and_new, tmp_path):
    purge(tmp_path / "cut.json", dt.date(2026, 2, 1))
    with triggers_dropped():
        sql(f"UPDATE {TABLE} SET actor = 'someone' WHERE seq = 5")
    assert verify().problem.seq == 5
    code, out = cli("verify", "--checkpoint", str(tmp_path / "cut.json"))
    assert code == 1 and "序号5的记录内容或位置被改动" in out


def test_the_first_kept_event_removed_after_a_purge_is_found(old_and_new, tmp_path):
    purge(tmp_path / "cut.json", dt.date(2026, 2, 1))
    with triggers_dropped():
        sql(f"DELETE FROM {TABLE} WHERE seq = 4")
    verdict = verify()
    assert verdict.problem.seq == 4 and verdict.problem.reason == "序号4的记录缺失（下一条是序号5）"


def test_a_purge_inside_the_retention_is_refused_and_changes_nothing(tmp_path, settings):
    events(JANUARY, 3)
    path = tmp_path / "cut.json"
    with clock.pinned(dt.datetime(2026, 5, 1, 9, tzinfo=clock.ZONE)):  # 116 days later
        code, out = cli("purge", "--before", "2026-02-01", "--checkpoint", str(path))
        assert code == 1
        assert (
            "2026-02-01 以前的记录有的未满 180 天保存期限：今天最多清除 2025-11-02 以前的记录"
            in out
        )
        code, out = cli("purge", "--keep-days", "30", "--checkpoint", str(path))
        assert code == 1 and "保留天数 30 少于留痕保存期限 180 天" in out
        settings.GONGXIN_AUDIT_RETENTION_DAYS = (
            90  # configured below the floor: refused, not raised
        )
        with pytest.raises(PurgeRefused, match="低于最低 180 天"):
            cutoff(dt.date(2025, 1, 1))
        settings.GONGXIN_AUDIT_RETENTION_DAYS = 365  # configured longer: the longer one holds
        with pytest.raises(PurgeRefused, match="未满 365 天"):
            cutoff(dt.date(2025, 12, 1))
    assert not path.exists()
    assert AuditEvent.objects.filter(action="request.view").count() == 3
    assert PurgeAnchor.current() is None and verify().ok


def test_a_purge_never_overwrites_a_checkpoint_file(old_and_new, tmp_path):
    path = tmp_path / "cut.json"
    path.write_text("an earlier checkpoint")
    code, out = cli("purge", "--before", "2026-02-01", "--checkpoint", str(path))
    assert code == 1 and "已存在" in out
    assert path.read_text() == "an earlier checkpoint"
    assert AuditEvent.objects.count() == 6


def test_after_a_purge_the_database_still_refuses_deletion_and_anchors_are_fixed(
    old_and_new, tmp_path
):
    purge(tmp_path / "cut.json", dt.date(2026, 2, 1))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(f"DELETE FROM {TABLE} WHERE seq = 4")  # the permit went with the purge
    for statement in (f"UPDATE {ANCHOR_TABLE} SET seq = 4", f"DELETE FROM {ANCHOR_TABLE}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            sql(statement)
    with pytest.raises(AppendOnly):
        PurgeAnchor.objects.all().delete()
    assert verify().ok


def test_an_anchor_changed_alone_is_found_by_the_chain(old_and_new, tmp_path):
    purge(tmp_path / "cut.json", dt.date(2026, 2, 1))
    with anchor_triggers_dropped():
        sql(f"UPDATE {ANCHOR_TABLE} SET digest = %s", "0" * 64)
    verdict = verify()
    assert verdict.problem.seq == 4 and "清除边界记录被改动" in verdict.problem.reason


def test_an_anchor_moved_on_to_hide_deleted_events_is_found(old_and_new, tmp_path):
    purge(tmp_path / "cut.json", dt.date(2026, 2, 1))
    fifth = AuditEvent.objects.get(seq=5)
    with anchor_triggers_dropped():  # remove events 4 and 5 and move the anchor over them
        sql(f"DELETE FROM {TABLE} WHERE seq IN (4, 5)")
        sql(f"UPDATE {ANCHOR_TABLE} SET seq = 5, digest = %s", fifth.digest)
    verdict = verify()
    assert verdict.problem.seq == 5 and "与留痕中记录的清除操作不符" in verdict.problem.reason


def test_an_anchor_rewritten_with_the_trail_after_it_is_found_against_the_checkpoint(
    old_and_new, tmp_path
):
    """An intruder changes the boundary, the purge event that states it and every digest after
    it, and the head: the chain alone looks whole, the checkpoint kept elsewhere does not."""
    path = tmp_path / "cut.json"
    purge(path, dt.date(2026, 2, 1))
    forged = "ab" * 32
    with anchor_triggers_dropped():
        sql(f"UPDATE {ANCHOR_TABLE} SET digest = %s", forged)
        purge_event = AuditEvent.objects.get(action="audit.purge")
        sql(f"UPDATE {TABLE} SET detail = %s WHERE seq = %s",
            json.dumps({**purge_event.detail, "digest": forged}), purge_event.seq)  # fmt: skip
        sql("UPDATE audit_chainhead SET digest = %s", rechained_from(3, forged))
    assert verify().ok  # the chain alone cannot tell
    code, out = cli("verify", "--checkpoint", str(path))
    assert code == 1
    assert "留痕链在序号3处不完整：清除边界（序号3）的摘要与检查点不符：清除边界记录被改动" in out


def test_a_checkpoint_older_than_the_boundary_cannot_vouch_and_says_so(tmp_path):
    events(JANUARY, 2)
    with clock.pinned(JANUARY):
        code, _ = cli("checkpoint", str(tmp_path / "old.json"))  # seq 2; its own event is seq 3
    assert code == 0
    events(JANUARY, 1)
    events(AUGUST, 2)
    with clock.pinned(AUGUST + dt.timedelta(hours=1)):
        purge(tmp_path / "cut.json", dt.date(2026, 2, 1))
        assert PurgeAnchor.current().seq == 4
        code, out = cli("verify", "--checkpoint", str(tmp_path / "old.json"))
        assert (
            code == 1 and "检查点记到序号2，该记录已按保存期限清除，且不是任何一次清除的边界" in out
        )
        code, out = cli("verify", "--checkpoint", str(tmp_path / "cut.json"))
        assert code == 0
