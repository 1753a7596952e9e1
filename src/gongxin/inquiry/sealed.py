"""Candidates as sealed rows (gongxin.platform.sealed): how a rotation rewrites one."""

from __future__ import annotations

from django.db.models import Q

from gongxin.inquiry.models import Candidate
from gongxin.inquiry.services.identity import CANDIDATE_SUBJECT
from gongxin.platform.keys import CANDIDATE_ID, CANDIDATE_NAME
from gongxin.platform.sealed import Sealed, register
from gongxin.registry.pipeline import split_subject


def _reseal(ring, key, row) -> tuple:
    (subject_cipher,) = row
    plain = ring.decrypt(subject_cipher, CANDIDATE_SUBJECT)
    name, number = split_subject(plain)
    return (key.encrypt(plain, CANDIDATE_SUBJECT), key.blind_index(number, CANDIDATE_ID),
            key.blind_index(name, CANDIDATE_NAME), key.id)  # fmt: skip


def register_sealed() -> None:
    # A candidate purged after the retention period has no key id and nothing to reseal.
    register(Sealed(Candidate, reads=("subject_cipher",),
                    writes=("subject_cipher", "id_index", "name_index", "key_id"), reseal=_reseal,
                    present=~Q(key_id="")))  # fmt: skip
