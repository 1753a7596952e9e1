"""The installation's key ring, loaded once per process from settings.KEY_FILE."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from gongxin.core.crypto import KeyRing

# Field contexts bind each ciphertext and index to its meaning (see core.crypto).
ENTRY_SUBJECT = b"list_entry.subject"  # name and ID number / USCC (or masked pattern) together
ENTRY_KEY = b"list_entry.key"
PERSON_ID = b"person.id"  # blind index of a resident ID: shared by entries and candidates
PERSON_NAME = b"person.name"
# Name and masked number together: a masked entry is found by exact look-up of this index,
# computed from a candidate's full number masked the same way (see core.idnumber.layout_masker).
PERSON_MASKED = b"person.masked"


@lru_cache(maxsize=1)
def keyring() -> KeyRing:
    return KeyRing.load(settings.KEY_FILE)


def reload() -> KeyRing:
    keyring.cache_clear()
    return keyring()


ORG_ID = b"org.uscc"
ORG_NAME = b"org.name"
