"""Key rotation: re-encrypt and re-index every stored ciphertext under a new key.

Order matters, because the key file and the database cannot change in one transaction:
1. the new key is written to the key file as *pending* (readable, searchable, not yet used);
2. every row is re-encrypted and re-indexed under it in one database transaction;
3. the key file makes it active and retires the old one.
A crash after 1 or 2 leaves both keys in the file; screening searches under every key and imports
compare entry keys under every key in use, so nothing is missed, and running the rotation again
finishes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count

from gongxin.core.crypto import new_key
from gongxin.registry import keys
from gongxin.registry.models import ListEntry
from gongxin.registry.pipeline import entry_indexes, split_subject
from gongxin.registry.rows import entry_material

BATCH = 2000


@dataclass
class RotationResult:
    old_key: str
    new_key: str
    rows: int


def key_usage() -> dict[str, int]:
    """How many entries each key id protects."""
    return dict(ListEntry.objects.values_list("key_id").annotate(n=Count("id")).order_by())


def rotate(
    suite: str | None = None, progress: Callable[[int], None] | None = None
) -> RotationResult:
    ring = keys.reload()
    old = ring.active
    key = ring.pending
    if key is None:
        key = new_key(suite or old.suite)
        ring.add_pending(key)
        ring.save()
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(ListEntry._meta.db_table)} SET subject_cipher = %s, name_index = %s, "  # noqa: S608
        "id_index = %s, masked_index = %s, entry_key = %s, key_id = %s WHERE id = %s"
    )
    done = 0
    with transaction.atomic():
        pending = ListEntry.objects.exclude(key_id=key.id).order_by("pk")
        fields = (
            "pk",
            "subject_kind",
            "subject_cipher",
            "id_masked",
            "authority",
            "basis_document",
            "case_number",
            "listed_on",
        )
        batch = []
        with connection.cursor() as cursor:
            for row in pending.values_list(*fields).iterator(chunk_size=BATCH):
                batch.append(_reencrypt(ring, key, row))
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(BATCH)
            if batch:
                cursor.executemany(sql, batch)
                done += len(batch)
    ring.promote(key.id)
    ring.save()
    keys.reload()
    return RotationResult(old.id, key.id, done)


def _reencrypt(ring, key, row) -> tuple:
    pk, kind, subject_cipher, masked, authority, basis, case, listed_on = row
    name, ident = split_subject(ring.decrypt(subject_cipher, keys.ENTRY_SUBJECT))
    material = entry_material(kind, ident, name, authority, basis, case, listed_on)
    cipher, name_index, id_index, masked_index = entry_indexes(key, kind, name, ident, masked)
    entry_key = key.blind_index(material, keys.ENTRY_KEY)
    return (cipher, name_index, id_index, masked_index, entry_key, key.id, pk)
