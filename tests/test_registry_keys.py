"""Personal data at rest: a raw dump holds no plaintext; rotation keeps every entry findable."""

import datetime as dt

import pytest
from django.db import connection

from gongxin.core.crypto import KeyRing
from gongxin.platform import keys
from gongxin.platform.sealed import key_usage, rotate
from gongxin.registry import keys as contexts
from gongxin.registry.models import ListEntry
from gongxin.registry.pipeline import split_subject
from tests.factories import LI, MAIMAITI, ZHANG, Lists, match_of, person_row

pytestmark = pytest.mark.django_db


def raw_dump() -> bytes:
    """Every row of every table as the database itself renders it."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if connection.vendor == "postgresql":
                cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608
            else:
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            for row in cursor.fetchall():
                chunks.append(repr(row).encode("utf-8"))
                chunks.extend(bytes(v) for v in row if isinstance(v, bytes | memoryview))
    return b"\n".join(chunks)


def test_raw_dump_contains_no_plaintext_id_or_name(tmp_path):
    people = [ZHANG, LI, MAIMAITI, ("孙八", "3423011964****3229")]
    Lists(tmp_path).load([person_row(*p) for p in people])
    dump = raw_dump()
    assert len(dump) > 1000
    for name, number in people:
        # Whole values only: a one-character needle (2 bytes in UTF-16) turns up in random
        # ciphertext by chance.
        for needle in (number, number[:-1], name):
            assert needle.encode("utf-8") not in dump, needle
            assert needle.encode("utf-16-le") not in dump, needle
    # …and the entries are really there, ciphertext and all.
    entry = ListEntry.objects.get(
        id_masked=False, name_index=keys.keyring().blind_index("张三", contexts.PERSON_NAME)
    )
    subject = keys.keyring().decrypt(entry.subject_cipher, contexts.ENTRY_SUBJECT)
    assert split_subject(subject) == ZHANG


@pytest.mark.parametrize("suite", ["gm", "intl"])
def test_rotation_reencrypts_and_keeps_every_entry_findable(tmp_path, key_file, suite):
    key_file("gm")
    lists = Lists(tmp_path)
    lists.load([person_row(*ZHANG), person_row(*LI), person_row("孙八", "3423011964****3229")])
    before = keys.keyring().active.id
    result = rotate(suite)
    assert result.rows["registry.ListEntry"] == 3
    assert result.old_key == before
    ring = KeyRing.load(keys.keyring().path)
    assert ring.active.id == result.new_key != before
    assert ring.active.suite == suite
    assert key_usage() == {result.new_key: {"registry.ListEntry": 3}}
    people = [ZHANG, LI, ("孙八", "342301196405123229")]
    assert match_of(people) == ["exact", "exact", "possible"]
    # The next snapshot (another file: rows reordered) sees the re-keyed entries as unchanged.
    again = lists.load(
        [person_row("孙八", "3423011964****3229"), person_row(*LI), person_row(*ZHANG)],
        as_of="2026-02-01",
    )
    assert (again.list_import.unchanged, again.list_import.added) == (3, 0)


def test_interrupted_rotation_misses_nothing_and_can_be_finished(tmp_path, key_file, monkeypatch):
    key_file("gm")
    lists = Lists(tmp_path)
    lists.load([person_row(*ZHANG)])
    from gongxin.platform import sealed as rotation

    def crash_after_commit(self, key_id):
        raise KeyboardInterrupt

    monkeypatch.setattr(KeyRing, "promote", crash_after_commit)
    with pytest.raises(KeyboardInterrupt):
        rotation.rotate()
    monkeypatch.undo()
    ring = keys.reload()
    assert ring.pending is not None  # rows are under the pending key, the file says so
    assert match_of([ZHANG]) == ["exact"]
    # An import in between writes with the old active key and still sees ZHANG as unchanged.
    mid = lists.load([person_row(*ZHANG), person_row(*LI)], as_of="2026-01-20")
    assert (mid.list_import.unchanged, mid.list_import.added) == (1, 1)
    finished = rotation.rotate()
    assert finished.new_key == ring.pending.id
    assert set(key_usage()) == {finished.new_key}
    assert match_of([ZHANG, LI], as_of="2026-02-01") == ["exact", "exact"]


def test_entries_written_before_rotation_keep_their_dates(tmp_path, key_file):
    key_file("gm")
    Lists(tmp_path).load([person_row(*ZHANG, listed_on="2025-01-02")])
    rotate()
    assert ListEntry.objects.get().listed_on == dt.date(2025, 1, 2)
