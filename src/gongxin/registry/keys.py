"""Field contexts of the registry's ciphertexts and blind indexes (see gongxin.core.crypto):
each binds a value to its meaning, so one copied into another column does not decrypt or
match. The key ring itself is the platform's (gongxin.platform.keys)."""

ENTRY_SUBJECT = b"list_entry.subject"  # name and ID number / USCC (or masked pattern) together
ENTRY_KEY = b"list_entry.key"
PERSON_ID = b"person.id"  # blind index of a resident ID number in list entries
PERSON_NAME = b"person.name"
# Name and masked number together: a masked entry is found by exact look-up of this index,
# computed from a candidate's full number masked the same way (see core.idnumber.layout_masker).
PERSON_MASKED = b"person.masked"
ORG_ID = b"org.uscc"
ORG_NAME = b"org.name"
