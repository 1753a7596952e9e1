"""List entries as sealed rows (gongxin.platform.sealed): how a rotation rewrites one."""

from __future__ import annotations

from gongxin.platform.sealed import Sealed, register
from gongxin.registry import keys
from gongxin.registry.models import ListEntry
from gongxin.registry.pipeline import entry_indexes, split_subject
from gongxin.registry.rows import entry_material


def _reseal(ring, key, row) -> tuple:
    kind, subject_cipher, masked, authority, basis, case, listed_on = row
    name, ident = split_subject(ring.decrypt(subject_cipher, keys.ENTRY_SUBJECT))
    material = entry_material(kind, ident, name, authority, basis, case, listed_on)
    cipher, name_index, id_index, masked_index = entry_indexes(key, kind, name, ident, masked)
    entry_key = key.blind_index(material, keys.ENTRY_KEY)
    return (cipher, name_index, id_index, masked_index, entry_key, key.id)


def register_sealed() -> None:
    register(Sealed(
        ListEntry,
        reads=("subject_kind", "subject_cipher", "id_masked", "authority", "basis_document",
               "case_number", "listed_on"),
        writes=("subject_cipher", "name_index", "id_index", "masked_index", "entry_key", "key_id"),
        reseal=_reseal,
    ))  # fmt: skip
