"""Candidates as sealed rows (gongxin.platform.sealed): how a rotation rewrites one."""

from __future__ import annotations

from django.db.models import Q

from gongxin.inquiry.models import Candidate, CandidateRevision
from gongxin.inquiry.services.candidates import REVISION_SUBJECT
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


def _reseal_revision(ring, key, row) -> tuple:
    return (*(key.encrypt(ring.decrypt(bytes(c), REVISION_SUBJECT), REVISION_SUBJECT)
              if c else b"" for c in row), key.id)  # fmt: skip


def register_sealed() -> None:
    # A candidate purged after the retention period has no key id and nothing to reseal.
    register(Sealed(Candidate, reads=("subject_cipher",),
                    writes=("subject_cipher", "id_index", "name_index", "key_id"), reseal=_reseal,
                    present=~Q(key_id="")))  # fmt: skip
    register(Sealed(CandidateRevision, reads=("old_cipher", "new_cipher"),
                    writes=("old_cipher", "new_cipher", "key_id"), reseal=_reseal_revision,
                    present=~Q(key_id="")))  # fmt: skip
