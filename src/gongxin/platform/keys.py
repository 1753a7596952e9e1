"""The installation's key ring, read from settings.KEY_FILE.

Re-read whenever the file changes (a rotation writes a new file atomically, so its inode and
modification time change): a rotation made by the command line or another application node is
used by this process for its next encryption, without a restart.
"""

from __future__ import annotations

import os
from pathlib import Path

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
# The blind-index context of a candidate's normalised name: the search by name (decision 0014).
CANDIDATE_NAME = b"candidate.name"


def sqlite_directory() -> Path | None:
    """The directory of the SQLite database file (None for PostgreSQL or an in-memory one)."""
    db = settings.DATABASES["default"]
    name = str(db.get("NAME") or "")
    if not db["ENGINE"].endswith("sqlite3") or not name or name.startswith((":memory:", "file:")):
        return None
    return Path(name).resolve().parent


def key_file_problem() -> str | None:
    """Why the key file sits where a backup of the database would take it along, or None.

    The key file must not be inside the directory that holds the SQLite database: whoever
    has a copy of that directory would have the data and the key that opens it. A home made
    before the data/ and keys/ directories has both directly in the home; it still works, and
    this says how to move them apart."""
    directory = sqlite_directory()
    key = Path(settings.KEY_FILE).resolve()
    if directory is None or not key.is_relative_to(directory):
        return None
    database = Path(str(settings.DATABASES["default"]["NAME"])).resolve()
    steps = []
    if database == Path(settings.LEGACY_DATABASE).resolve():
        steps.append(f"把数据库文件 {database.name}（连同同名的 -wal、-shm 文件）移到 "
                     f"{settings.DATA_DIR}/")  # fmt: skip
    if key.parent == directory or not steps:
        if os.environ.get("GONGXIN_KEY_FILE"):
            steps.append("把密钥文件移到数据库所在目录以外，并相应修改 GONGXIN_KEY_FILE")
        else:
            steps.append(f"把密钥文件移到 {settings.KEY_DIR}/")
    return (
        f"密钥文件 {key} 位于数据库 {database} 所在的目录 {directory} 之内，"
        "备份数据库目录时密钥会被一并备份。请停止服务，" + "，".join(steps) + "；"
        "此后数据库与密钥文件分开备份，切勿放在一起。"
    )
