"""The named person of a recusal (回避某一人选), sealed as candidates are: name and ID number
encrypted together, and the number's keyed blind index under the candidates' own context
(gongxin.platform.keys.CANDIDATE_ID), so that the rule finds the person among a request's
candidates by index alone. Opened only to show the secadmin a masked form."""

from __future__ import annotations

from gongxin.accounts.models import RecusedPerson
from gongxin.core import idnumber
from gongxin.platform.keys import CANDIDATE_ID
from gongxin.platform.sealed import Sealed, checked_keyring, register

RECUSED_SUBJECT = b"recusal.subject"
SEPARATOR = "\x1f"  # names cannot contain control characters (core.names)


def seal(name: str, number: str) -> dict:
    """The stored fields of a RecusedPerson with this (normalised) name and number."""
    ring = checked_keyring()
    return {
        "subject_cipher": ring.encrypt(f"{name}{SEPARATOR}{number}", RECUSED_SUBJECT),
        "id_index": ring.blind_index(number, CANDIDATE_ID),
        "key_id": ring.active.id,
    }


def identity(person: RecusedPerson) -> tuple[str, str]:
    """(name, ID number) in plaintext: for masking only, never shown or recorded as they are."""
    name, number = (
        checked_keyring().decrypt(person.subject_cipher, RECUSED_SUBJECT).split(SEPARATOR)
    )
    return name, number


def masked(person: RecusedPerson) -> tuple[str, str]:
    """What pages show of the person: the surname and the number's first 6 and last 4."""
    name, number = identity(person)
    return name[:1] + "*" * (len(name) - 1), idnumber.mask(number)


def person_indexes(person: RecusedPerson) -> frozenset[bytes]:
    """The number's index under every key in the key file: candidates sealed under any of them
    (before, during or after a rotation) are found."""
    _, number = identity(person)
    return frozenset(checked_keyring().search_indexes(number, CANDIDATE_ID))


def _reseal(ring, key, row) -> tuple:
    (cipher,) = row
    plain = ring.decrypt(cipher, RECUSED_SUBJECT)
    number = plain.split(SEPARATOR)[1]
    return (key.encrypt(plain, RECUSED_SUBJECT), key.blind_index(number, CANDIDATE_ID), key.id)


def register_sealed() -> None:
    register(Sealed(RecusedPerson, reads=("subject_cipher",),
                    writes=("subject_cipher", "id_index", "key_id"), reseal=_reseal))  # fmt: skip
