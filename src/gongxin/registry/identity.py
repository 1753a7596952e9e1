"""A list entry's name and number, opened for the evidence a reviewer compares side by side."""

from __future__ import annotations

from gongxin.platform.sealed import checked_keyring
from gongxin.registry import keys
from gongxin.registry.pipeline import split_subject


def entry_identity(entry) -> tuple[str, str]:
    """(name, ID number as listed — full, or already masked by the publisher) of ``entry``.
    Callers show it only to people the evidence scope admits, and record the view."""
    return split_subject(checked_keyring().decrypt(entry.subject_cipher, keys.ENTRY_SUBJECT))
