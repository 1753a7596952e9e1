"""Key rotation covers every sealed field of every app (list entries, candidates, letter files,
recused people):
after a rotation the old key can be removed from the key file and, after a restart, everything
still reads; a key still in use cannot be removed; a process that did not rotate uses the new
key for what it writes next, without a restart."""

import datetime as dt
import json

import pytest

from gongxin.accounts import recusals
from gongxin.accounts.models import Recusal, RecusedPerson
from gongxin.audit.models import AuditEvent
from gongxin.core.crypto import KeyFileError, KeyRing, new_key
from gongxin.documents.models import LetterFile
from gongxin.documents.sealed import file_bytes
from gongxin.documents.verification import verify_file
from gongxin.inquiry import services
from gongxin.inquiry.models import Candidate, CandidateRevision
from gongxin.inquiry.services.candidates import describe
from gongxin.platform import keys
from gongxin.platform.sealed import key_usage, remove_key, rotate
from gongxin.registry.models import ListEntry
from gongxin.registry.pipeline import split_subject
from gongxin.registry.screening import CandidateInput
from tests.factories import LI, ZHANG, World, letter_of, match_of, signed_in

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)
SEALED = {"registry.ListEntry", "inquiry.Candidate", "documents.LetterFile",
          "accounts.RecusedPerson", "inquiry.CandidateRevision"}  # fmt: skip


def signed_request(world):
    req = world.register(people=[ZHANG, LI])
    # A candidate edit keeps the old and new values sealed (decision 0011).
    li = req.candidates.get(row=2)
    services.edit_candidates(world.handler, req.pk, services.CandidateEdits(
        "职位有误", edits={li.pk: CandidateInput(2, *LI, "副科长")}), today=TODAY)  # fmt: skip
    services.screen_request(world.handler, req.pk, today=TODAY)
    services.submit(world.handler, req.pk)
    zhang = req.candidates.get(row=1)
    for reviewer in (world.reviewer_a, world.reviewer_b):
        services.review(reviewer, zhang.pk, "confirm", "一致", today=TODAY)
    services.sign_off(req.participants.get(role="signer").staff, req.pk, confirmed=True)
    # A recusal of a named person (回避人选) is sealed as well.
    person = RecusedPerson.objects.create(**recusals.seal(*LI))
    Recusal.objects.create(staff=world.signer, person=person, reason="亲属", starts_on=TODAY)
    return req


def everything_reads() -> dict:
    ring = keys.keyring()
    from gongxin.registry import keys as contexts

    entries = [split_subject(ring.decrypt(e.subject_cipher, contexts.ENTRY_SUBJECT))
               for e in ListEntry.objects.all()]  # fmt: skip
    candidates = [services.candidate_identity(c) for c in Candidate.objects.order_by("pk")]
    files = [file_bytes(f) for f in LetterFile.objects.order_by("pk")]
    recused = [recusals.identity(p) for p in RecusedPerson.objects.order_by("pk")]
    revisions = [describe(r) for r in CandidateRevision.objects.order_by("pk")]
    return {"entries": entries, "candidates": candidates, "files": files, "recused": recused,
            "revisions": revisions}  # fmt: skip


@pytest.mark.parametrize("suite", ["gm", "intl"])
def test_rotate_remove_the_old_key_restart_and_everything_reads(tmp_path, key_file, suite):
    path = key_file("gm")
    world = World(tmp_path)
    req = signed_request(world)
    before = everything_reads()
    old = keys.keyring().active.id
    assert set(key_usage()[old]) == SEALED  # candidates and letters are sealed too

    result = rotate(suite)
    assert result.old_key == old and set(result.rows) == SEALED
    assert set(key_usage()) == {result.new_key}
    # Remove the old key the way an operator would edit the file, then "restart".
    raw = json.loads(path.read_text())
    raw["keys"] = [k for k in raw["keys"] if k["id"] != old]
    path.write_text(json.dumps(raw))
    keys.reload()
    assert old not in keys.keyring().keys
    assert everything_reads() == before
    assert verify_file(file_bytes(letter_of(req).files.get(kind="pdf"))).ok
    assert match_of([ZHANG, LI]) == ["exact", "none"]
    # The blind index of candidates was rebuilt: the same person twice in one letter is still
    # caught, and a new registration works under the new key.
    world.register(people=[LI])


def test_a_key_still_in_use_cannot_be_removed(tmp_path, key_file):
    key_file("gm")
    world = World(tmp_path)
    world.register(people=[ZHANG])
    old = keys.keyring().active.id
    with pytest.raises(KeyFileError, match="不是已停用的密钥"):
        remove_key(old)  # the active key
    # A key retired while data still uses it (say the rotation's sweep was cut short).
    ring = keys.keyring()
    ring.add_pending(new_key("gm"))
    ring.promote(ring.pending.id)
    ring.save()
    with pytest.raises(KeyFileError, match="仍有数据在用"):
        remove_key(old)
    rotated = rotate()
    remove_key(old)
    assert old not in keys.reload().keys
    trail = [(e.action, e.object_id) for e in AuditEvent.objects.filter(action__startswith="keys.")]
    assert trail == [("keys.rotate", rotated.new_key), ("keys.remove", old)]


def test_a_process_that_did_not_rotate_uses_the_new_key(tmp_path, key_file):
    path = key_file("gm")
    world = World(tmp_path)
    seen = keys.keyring()  # this process has read the key file
    # Another process (the command line, another node) rotates: it rewrites the key file.
    other = KeyRing.load(path)
    fresh = new_key("gm")
    other.add_pending(fresh)
    other.promote(fresh.id)
    other.save()
    req = world.register(people=[ZHANG])  # no restart, no reload here
    assert keys.keyring() is not seen
    candidate = req.candidates.get()
    assert candidate.key_id == fresh.id
    assert bytes(candidate.subject_cipher)[2 : 2 + len(fresh.id)] == fresh.id.encode()


def test_interrupted_rotation_leaves_everything_readable(tmp_path, key_file, monkeypatch):
    key_file("gm")
    world = World(tmp_path)
    signed_request(world)
    before = everything_reads()

    def crash(self, key_id):
        raise KeyboardInterrupt

    monkeypatch.setattr(KeyRing, "promote", crash)
    with pytest.raises(KeyboardInterrupt):
        rotate()
    monkeypatch.undo()
    assert keys.reload().pending is not None
    assert everything_reads() == before
    finished = rotate()
    assert set(key_usage()) == {finished.new_key}
    assert everything_reads() == before


def test_a_rotation_cut_short_between_batches_keeps_what_it_did(tmp_path, key_file, monkeypatch):
    """Each batch commits on its own: rows of finished batches are under the new key, the rest
    under the old one, all readable; running the rotation again finishes it."""
    from gongxin.platform import sealed

    key_file("gm")
    world = World(tmp_path)
    for _ in range(3):
        world.register(people=[ZHANG, LI])
    before = everything_reads()
    old = keys.keyring().active.id
    monkeypatch.setattr(sealed, "BATCH", 2)
    spec = next(s for s in sealed.registered() if s.label == "inquiry.Candidate")
    calls = {"n": 0}

    def reseal_then_crash(ring, key, row):
        calls["n"] += 1
        if calls["n"] > 3:  # during the second batch of candidates
            raise KeyboardInterrupt
        return spec.reseal(ring, key, row)

    monkeypatch.setitem(
        sealed._REGISTRY,
        spec.label,
        sealed.Sealed(spec.model, spec.reads, spec.writes, reseal_then_crash),
    )
    with pytest.raises(KeyboardInterrupt):
        rotate()
    monkeypatch.setitem(sealed._REGISTRY, spec.label, spec)
    pending = keys.reload().pending.id
    assert key_usage()[pending]["inquiry.Candidate"] == 2  # the first batch stayed done
    assert key_usage()[old]["inquiry.Candidate"] == 4
    assert everything_reads() == before
    rotate()
    assert set(key_usage()) == {pending}
    assert everything_reads() == before


def test_letter_files_stored_before_encryption_are_sealed_by_init(tmp_path, key_file, capsys):
    from django.core.management import call_command

    key_file("gm")
    world = World(tmp_path)
    req = signed_request(world)
    pdf = letter_of(req).files.get(kind="pdf")
    issued = file_bytes(pdf)
    LetterFile.objects.filter(pk=pdf.pk).update(data=issued, key_id="")  # as an old release did
    call_command("keys", "status")
    assert "有未加密存放的数据" in capsys.readouterr().err
    call_command("init")
    assert "documents.LetterFile 1 条" in capsys.readouterr().out
    stored = LetterFile.objects.get(pk=pdf.pk)
    assert stored.key_id == keys.keyring().active.id and bytes(stored.data) != issued
    assert file_bytes(stored) == issued and "" not in key_usage()
    call_command("init")  # again: nothing left to do
    assert "未加密" not in capsys.readouterr().out


def test_a_key_file_from_elsewhere_stops_screening_instead_of_finding_nobody(
    tmp_path, key_file, client
):
    """A key file that does not fit the database would make every search come back empty: a
    listed candidate reported as not listed. Screening, registering and reading candidates are
    refused instead, with the reason for the operator and a Chinese page for staff."""
    from gongxin.core.crypto import KeyFileError
    from gongxin.registry.screening import CandidateInput, screen

    key_file("gm")
    world = World(tmp_path)
    req = world.register(people=[ZHANG])
    assert match_of([ZHANG]) == ["exact"]
    key_file("gm")  # another installation's key file, same database
    with pytest.raises(KeyFileError, match="与数据库不一致") as exc:
        screen([CandidateInput(2, *ZHANG)], TODAY)
    assert "不在密钥文件中" in str(exc.value) and ZHANG[1] not in str(exc.value)
    signed_in(client, world.handler.user)
    page = client.post(f"/requests/{req.pk}/screen/")
    assert page.status_code == 503 and "密钥文件与数据库不一致" in page.content.decode()
    assert req.screenings.count() == 0  # nothing was half-done


def test_another_key_under_a_known_id_is_refused(tmp_path, key_file):
    from gongxin.core.crypto import KeyFileError
    from gongxin.registry.screening import CandidateInput, screen

    path = key_file("gm")
    world = World(tmp_path)
    world.register(people=[ZHANG])
    raw = json.loads(path.read_text())
    forged = new_key("gm", key_id=raw["keys"][0]["id"])  # regenerated under the same id
    raw["keys"][0].update(enc_key=forged.as_json()["enc_key"], mac_key=forged.as_json()["mac_key"])
    path.write_text(json.dumps(raw))
    keys.reload()
    with pytest.raises(KeyFileError, match="不是同一把密钥"):
        screen([CandidateInput(2, *ZHANG)], TODAY)


def test_init_with_a_new_key_file_on_a_database_with_data_refuses_and_keeps_no_file(
    tmp_path, key_file, settings, capsys
):
    from django.core.management import call_command

    from gongxin.core.crypto import KeyFileError

    first = key_file("gm")
    World(tmp_path).register(people=[ZHANG])
    settings.KEY_FILE = tmp_path / "node2" / "keys.json"  # a second server's fresh home
    settings.KEY_FILE.parent.mkdir()
    with pytest.raises(KeyFileError, match="与数据库不一致"):
        call_command("init")
    assert not settings.KEY_FILE.exists()
    settings.KEY_FILE = first
