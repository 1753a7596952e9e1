"""Backups of the database: `gongxin backup OUT` and `gongxin restore IN` (docs/backup.md).

A backup file is a tar archive of two members: ``manifest.json``, which says what the data is and
what it needs (format, database kind, the migrations applied, the audit chain head, the
fingerprints of the data keys its rows use — never a key), and the database itself (an SQLite
copy made with the online backup API, or a pg_dump custom-format archive), both read from one
snapshot. The key file is never in it: it is backed up apart (docs/security.md, "Keys and
backups"), and a restore refuses a key file that cannot open the data before it writes anything.

Here, in the audit app, because the trail is what vouches for a restore (the restored chain
verifies and ends at the manifest's head), and the audit layer reaches the key ring and the
registry of sealed models below it.
"""

from __future__ import annotations


class BackupRefused(Exception):
    """A backup or restore that cannot be done, with one Chinese line per problem. Nothing was
    changed."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems
