"""Letter files as sealed rows (gongxin.platform.sealed): stored encrypted, opened to serve."""

from __future__ import annotations

from django.db.models import Q

from gongxin.documents.models import LetterFile
from gongxin.platform.sealed import Sealed, checked_keyring, register

LETTER_FILE = b"letter.file"


def seal(data: bytes) -> dict:
    ring = checked_keyring()
    return {"data": ring.encrypt_bytes(data, LETTER_FILE), "key_id": ring.active.id}


def file_bytes(stored: LetterFile) -> bytes:
    """The file as issued (files stored before encryption have no key id and are as issued)."""
    if not stored.key_id:
        return bytes(stored.data)
    return checked_keyring().decrypt_bytes(stored.data, LETTER_FILE)


def _reseal(ring, key, row) -> tuple:
    data, key_id = row
    plain = ring.decrypt_bytes(data, LETTER_FILE) if key_id else bytes(data)
    return (key.encrypt_bytes(plain, LETTER_FILE), key.id)


def register_sealed() -> None:
    # A file purged after its product's retention period is empty, unsealed, and stays so.
    register(Sealed(LetterFile, reads=("data", "key_id"), writes=("data", "key_id"),
                    reseal=_reseal, may_be_unsealed=True,
                    present=Q(purged_at__isnull=True)))  # fmt: skip
