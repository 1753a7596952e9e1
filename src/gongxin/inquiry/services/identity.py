"""Candidates' names and ID numbers: sealed at registration, opened only to be shown to the
people the scope allows (callers record the view) or to be screened."""

from __future__ import annotations

from gongxin.core import idnumber, names
from gongxin.inquiry.models import Candidate
from gongxin.platform.keys import CANDIDATE_ID, CANDIDATE_NAME
from gongxin.platform.sealed import checked_keyring
from gongxin.registry.pipeline import split_subject, subject_plaintext

CANDIDATE_SUBJECT = b"candidate.subject"


def seal(name: str, number: str) -> dict:
    """The stored fields of a candidate with this (normalised) name and number."""
    ring = checked_keyring()
    return {
        "subject_cipher": ring.encrypt(subject_plaintext(name, number), CANDIDATE_SUBJECT),
        "id_index": ring.blind_index(number, CANDIDATE_ID),
        "name_index": ring.blind_index(name, CANDIDATE_NAME),
        "key_id": ring.active.id,
    }


def name_indexes(name: str) -> list[bytes]:
    """The blind indexes a candidate with this name may carry, under every key (a row sealed
    before a rotation is still found). InvalidName for a name that normalises to nothing."""
    return checked_keyring().search_indexes(names.normalize(name), CANDIDATE_NAME)


def id_indexes(number: str) -> list[bytes]:
    """The same for an ID number. InvalidIdNumber for one that is not valid."""
    return checked_keyring().search_indexes(idnumber.normalize(number), CANDIDATE_ID)


def candidate_identity(candidate: Candidate) -> tuple[str, str]:
    """(name, ID number) in plaintext; callers that show it must record the view. Opened once
    per candidate object (a page or an API answer asks for name and masked number)."""
    cipher = candidate.subject_cipher
    cached = candidate.__dict__.get("_identity")
    if cached is not None and cached[0] is cipher:  # a reloaded candidate is opened again
        return cached[1]
    opened = open_subject(cipher)
    candidate.__dict__["_identity"] = (cipher, opened)
    return opened


def open_subject(cipher, ring=None) -> tuple[str, str]:
    """(name, ID number) of a stored ``subject_cipher`` read without its candidate (a letter's
    5,000 rows are read as values, not as model objects); ``ring`` when opening many."""
    return split_subject((ring or checked_keyring()).decrypt(cipher, CANDIDATE_SUBJECT))


def masked_id(candidate: Candidate) -> str:
    """The ID number as screens and letters show it (only birth date digits masked out)."""
    return idnumber.mask(candidate_identity(candidate)[1])
