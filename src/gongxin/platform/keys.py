"""The installation's key ring, read from settings.KEY_FILE.

Re-read whenever the file changes (a rotation writes a new file atomically, so its inode and
modification time change): a rotation made by the command line or another application node is
used by this process for its next encryption, without a restart.
"""

from __future__ import annotations

import os

from django.conf import settings

from gongxin.core.crypto import KeyFileError, KeyRing

_cached: tuple[tuple, KeyRing] | None = None


def _stamp(path) -> tuple:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise KeyFileError(f"找不到密钥文件 {path}（请先执行 gongxin init）") from None
    return (str(path), st.st_ino, st.st_mtime_ns, st.st_size)


def keyring() -> KeyRing:
    """The current key ring (one stat() per call; the file is parsed only when it changed)."""
    global _cached
    stamp = _stamp(settings.KEY_FILE)
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    ring = KeyRing.load(settings.KEY_FILE)
    _cached = (stamp, ring)
    return ring


def reload() -> KeyRing:
    """Forget the cached ring and read the file again."""
    global _cached
    _cached = None
    return keyring()


# The blind-index context of a candidate's resident ID number. Candidates (inquiry) and the
# named people of recusals (accounts) are indexed under it, so a recusal finds the candidate;
# list entries use another (registry.keys.PERSON_ID), so neither is linkable to the lists.
CANDIDATE_ID = b"candidate.id"
