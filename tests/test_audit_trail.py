# ruff: noqa: S608 - the tampering is raw SQL on purpose; the table name is ours
"""The trail is tamper-evident (issue 8, 全程留痕): SM3 chain, database triggers, checkpoints.

Each tampering test acts as someone with write access to the database: the triggers that stop
the application are dropped for the duration (and restored), then an event is edited, deleted,
moved, inserted or cut off. ``gongxin audit verify`` must name the first bad event.
"""

from __future__ import annotations

import importlib
import io
import json
import threading
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from gongxin.audit.integrity import CheckpointError, read_checkpoint, verify, write_checkpoint
from gongxin.audit.models import AppendOnly, AuditEvent, ChainHead
from gongxin.audit.services import record
from gongxin.core import chain
from gongxin.platform.trail import at_workstation

pytestmark = pytest.mark.django_db
HASH_CHAIN = importlib.import_module("gongxin.audit.migrations.0003_hash_chain")
TABLE = AuditEvent._meta.db_table


def events(n: int = 6) -> list[AuditEvent]:
    return [record("handler", "request.view", ref=("InquiryRequest", i), n=i) for i in range(n)]


def sql(statement: str, *params) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


@contextmanager
def triggers_dropped():
    """What an intruder with the database's password can do: remove the triggers."""
    vendor = connection.vendor
    undo = {"sqlite": HASH_CHAIN.SQLITE_UNDO, "postgresql": HASH_CHAIN.POSTGRESQL_UNDO}[vendor]
    redo = {"sqlite": HASH_CHAIN.SQLITE, "postgresql": HASH_CHAIN.POSTGRESQL}[vendor]
    # The permit table stays, and so does the trigger function other tables' triggers share.
    kept = ("audit_purge_permit", "FUNCTION audit_event_append_only()")
    for statement in undo:
        if not any(part in statement for part in kept):
            sql(statement)
    try:
        yield
    finally:
        for statement in redo:
            if statement is not HASH_CHAIN.PERMIT and "CREATE FUNCTION" not in statement:
                sql(statement)


def rechained() -> str:
    """Recompute every digest as an intruder would (SM3 needs no key); the last digest."""
    previous = chain.GENESIS
    for e in AuditEvent.objects.order_by("seq"):
        previous = chain.link(previous, e.seq, e.chained_fields())
        sql(f"UPDATE {TABLE} SET digest = %s WHERE seq = %s", previous, e.seq)
    return previous


def cli(*args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue() + err.getvalue()


# --- what is written ------------------------------------------------------------------------


def test_every_event_takes_the_next_place_and_links_to_the_one_before():
    written = events(5)
    assert [e.seq for e in written] == [1, 2, 3, 4, 5]
    previous = chain.GENESIS
    for e in AuditEvent.objects.order_by("seq"):
        assert e.digest == chain.link(previous, e.seq, e.chained_fields())
        previous = e.digest
    head = ChainHead.objects.get(pk=1)
    assert (head.seq, head.digest) == (5, written[-1].digest)
    assert verify().describe() == "留痕链完整：共5条，最后一条序号5"


def test_events_without_a_workstation_keep_the_digests_they_were_written_with():
    """Events written before the workstation column (audit migration 0004) were chained over the
    fields migration 0003 names; an event with no workstation is still chained over exactly
    those, so the old chain verifies unchanged. A workstation, once recorded, is covered."""
    old = events(2)
    with at_workstation("#3 经办一号机"):
        new = record("handler", "request.view", ref=("InquiryRequest", 7))
    events(1)  # and again none (the command line)
    previous = chain.GENESIS
    for e in old:
        fields = {n: getattr(e, n) for n in HASH_CHAIN.CHAINED}  # as migration 0003 chained
        assert e.digest == chain.link(previous, e.seq, fields) and e.workstation == ""
        previous = e.digest
    assert new.workstation == "#3 经办一号机" and "workstation" in new.chained_fields()
    assert verify().ok
    assert cli("verify")[0] == 0
    with triggers_dropped():
        sql(f"UPDATE {TABLE} SET workstation = %s WHERE seq = 3", "#4 别的机器")
    assert verify().problem.seq == 3
    with triggers_dropped():
        sql(f"UPDATE {TABLE} SET workstation = %s WHERE seq = 3", "#3 经办一号机")
        sql(f"UPDATE {TABLE} SET workstation = %s WHERE seq = 1", "#3 经办一号机")
    assert verify().problem.seq == 1  # a workstation added to an old event is found too
    code, said = cli("verify")
    assert code != 0 and "序号1" in said


def test_the_digest_is_sm3():
    # GB/T 32905 example: SM3("abc"); the chain's link over an empty previous digest is SM3 too.
    from cryptography.hazmat.primitives import hashes

    h = hashes.Hash(hashes.SM3())
    h.update(b"abc")
    assert h.finalize().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    fields = {"at": "2026-01-01T00:00:00.000000+00:00", "actor": "a", "detail": {}}
    h = hashes.Hash(hashes.SM3())
    h.update(bytes(32) + chain.canonical(1, fields))
    assert chain.link(chain.GENESIS, 1, fields) == h.finalize().hex()


def test_an_action_rolled_back_leaves_no_event_and_no_gap():
    events(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        record("handler", "request.register", ref=("InquiryRequest", 9))
        raise RuntimeError("the action failed after its event was written")
    after = record("handler", "request.view", ref=("InquiryRequest", 1))
    assert after.seq == 3
    assert verify().ok


# --- the database refuses -------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET action = 'x'",
        f"UPDATE {TABLE} SET digest = 'x'",
        f"DELETE FROM {TABLE}",
    ],
)
def test_the_database_itself_refuses_to_change_or_remove_an_event(statement):
    events(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(statement)
    assert AuditEvent.objects.count() == 2
    assert verify().ok


def test_the_application_refuses_too():
    (event,) = events(1)
    event.action = "x"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncate():
    events(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(f"TRUNCATE {TABLE}")


# --- tampering is found ---------------------------------------------------------------------


def test_a_flipped_byte_is_found_at_its_event():
    events(6)
    with triggers_dropped():
        sql(f"UPDATE {TABLE} SET actor = 'handlEr' WHERE seq = 4")
    code, out = cli("verify")
    assert code == 1
    assert "留痕链在序号4处不完整：序号4的记录内容或位置被改动（摘要不符）" in out


def test_an_edited_detail_is_found():
    events(6)
    with triggers_dropped():
        sql(f"UPDATE {TABLE} SET detail = %s WHERE seq = 2", json.dumps({"n": 7}))
    assert verify().problem.seq == 2


def test_a_deleted_event_is_found_where_it_was():
    events(6)
    with triggers_dropped():
        sql(f"DELETE FROM {TABLE} WHERE seq = 3")
    verdict = verify()
    assert verdict.problem.seq == 3
    assert verdict.problem.reason == "序号3的记录缺失（下一条是序号4）"


def test_two_events_swapped_are_found_at_the_first():
    events(6)
    with triggers_dropped():
        sql(f"UPDATE {TABLE} SET seq = 1000 WHERE seq = 2")
        sql(f"UPDATE {TABLE} SET seq = 2 WHERE seq = 5")
        sql(f"UPDATE {TABLE} SET seq = 5 WHERE seq = 1000")
    assert verify().problem.seq == 2


def test_an_inserted_event_is_found_where_it_was_put():
    written = events(6)
    with triggers_dropped():
        for seq in range(6, 3, -1):
            sql(f"UPDATE {TABLE} SET seq = seq + 1 WHERE seq = %s", seq)
        forged = written[2]
        sql(f"INSERT INTO {TABLE} (seq, digest, at, actor, unit_code, action, object_type, "
            "object_id, outcome, detail) VALUES (%s, %s, %s, 'signer', '', 'request.sign_off', "
            "'InquiryRequest', '1', 'ok', '{}')", 4, forged.digest, forged.at)  # fmt: skip
    assert verify().problem.seq == 4


def test_a_cut_off_tail_is_found_by_the_chain_head():
    events(6)
    with triggers_dropped():
        sql(f"DELETE FROM {TABLE} WHERE seq > 4")
    verdict = verify()
    assert verdict.problem.seq == 5
    assert "末尾记录被删除" in verdict.problem.reason


def test_a_forged_event_appended_without_the_system_is_found():
    events(3)
    head = ChainHead.objects.get(pk=1)
    fields = {"at": "2026-01-01T00:00:00.000000+00:00", "actor": "x", "unit_code": "",
              "action": "request.sign_off", "object_type": "", "object_id": "", "outcome": "ok",
              "detail": {}}  # fmt: skip
    digest = chain.link(head.digest, 4, fields)  # anyone can compute SM3: the chain has no key
    with triggers_dropped():
        sql(f"INSERT INTO {TABLE} (seq, digest, at, actor, unit_code, action, object_type, "
            "object_id, outcome, detail) VALUES (4, %s, '2026-01-01 00:00:00', 'x', '', "
            "'request.sign_off', '', '', 'ok', '{}')", digest)  # fmt: skip
    verdict = verify()
    assert verdict.problem.seq == 4
    assert "不是经系统写入" in verdict.problem.reason


def test_a_rewritten_history_and_tail_are_found_against_a_checkpoint(tmp_path):
    events(6)
    code, out = cli("checkpoint", str(tmp_path / "head.json"))
    assert code == 0 and "序号6" in out and "请将该文件另处保存" in out
    events(2)  # the trail goes on after the checkpoint (and the checkpoint's own event)
    # An intruder removes event 5 and everything after it, then recomputes the chain and the
    # head so that the chain alone looks whole.
    with triggers_dropped():
        sql(f"DELETE FROM {TABLE} WHERE seq >= 5")
        sql("UPDATE audit_chainhead SET seq = 4, digest = %s", rechained())
    assert verify().ok  # the chain alone cannot tell
    code, out = cli("verify", "--checkpoint", str(tmp_path / "head.json"))
    assert code == 1
    assert "检查点记到序号6，库中只到序号4：末尾记录被删除" in out


def test_a_history_rewritten_before_the_checkpoint_is_found(tmp_path):
    events(6)
    write_checkpoint(tmp_path / "head.json")
    with triggers_dropped():
        sql(f"UPDATE {TABLE} SET actor = 'someone' WHERE seq = 2")
        sql("UPDATE audit_chainhead SET digest = %s", rechained())
    verdict = verify(read_checkpoint(tmp_path / "head.json"))
    assert verdict.problem.seq == 6
    assert verdict.problem.reason == "序号6的摘要与检查点不符：检查点之前的记录被改写"


def test_a_checkpoint_cannot_be_forged_or_edited(tmp_path):
    events(3)
    path = tmp_path / "head.json"
    write_checkpoint(path)
    body = json.loads(path.read_text())
    assert set(body) == {"format", "seq", "digest", "written_at", "key_id", "mac"}
    body["seq"] = 2
    path.write_text(json.dumps(body))
    code, out = cli("verify", "--checkpoint", str(path))
    assert code == 1 and "签名不符" in out
    path.write_text("not a checkpoint")
    with pytest.raises(CheckpointError, match="不是本系统的留痕检查点文件"):
        read_checkpoint(path)


def test_no_checkpoint_is_written_for_a_broken_chain(tmp_path):
    events(3)
    with triggers_dropped():
        sql(f"UPDATE {TABLE} SET action = 'x' WHERE seq = 1")
    code, out = cli("checkpoint", str(tmp_path / "head.json"))
    assert code == 1 and "不能生成检查点" in out
    assert not (tmp_path / "head.json").exists()


def test_verifying_is_itself_recorded():
    events(2)
    assert cli("verify") == (0, "留痕链完整：共2条，最后一条序号2\n")
    last = AuditEvent.objects.order_by("seq").last()
    assert (last.action, last.outcome, last.detail) == (
        "audit.verify", "ok", {"checkpoint": False, "broken_at": None})  # fmt: skip


# --- many writers ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL")
def test_writers_at_once_make_one_unbroken_chain():
    # The head row a migrated database holds (an earlier test's flush may have emptied it).
    ChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "digest": chain.GENESIS})
    barrier = threading.Barrier(6)
    failures = []

    def write(n):
        try:
            barrier.wait()
            for i in range(15):
                with transaction.atomic():
                    record(f"w{n}", "request.view", ref=("InquiryRequest", i))
        except Exception as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 91))
    assert verify().ok
