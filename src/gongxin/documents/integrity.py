"""Is an issued letter still what was signed? Checked before a letter file leaves the system
(a download, an export): the file opens under the data keys, is byte for byte the file recorded
at signing (SHA-256), and a PDF's signature is intact and trusted. A product adds what only it
can check — that the results the letter was made from still give the signed result digest —
by ``register_check`` (the engine never imports a product).

Problems are Chinese, for staff and the auditor, and never quote the letter's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from gongxin.audit.services import record
from gongxin.core.crypto import DecryptionError
from gongxin.documents.models import Letter, LetterFile
from gongxin.documents.sealed import file_bytes

ALARM = "result.tampered"
_checks: list[Callable[[Letter], list[str]]] = []


def register_check(check: Callable[[Letter], list[str]]) -> None:
    """A product's check of a letter's content against what was signed (at start-up)."""
    if check not in _checks:
        _checks.append(check)


def opened(stored: LetterFile) -> tuple[bytes | None, str | None]:
    """(the file as issued, None), or (None, what is wrong with it)."""
    from gongxin.documents.signing import check_signature

    label = stored.get_kind_display()
    try:
        data = file_bytes(stored)
    except DecryptionError:
        return None, f"{label} 文件的密文被改动，无法打开"
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        return None, f"{label} 文件与签发时记录的摘要不符"
    if stored.kind == "pdf":
        signature = check_signature(data)
        if not signature.ok:
            return None, f"{label} 文件的数字签名无效：{signature.reason}"
    return data, None


def content_problems(letter: Letter) -> list[str]:
    """What the products find wrong with the letter's content (empty: as signed)."""
    return [problem for check in _checks for problem in check(letter)]


def alarm(actor, obj, problems: list[str], *, via: str, **detail) -> None:
    """Record one alarm for one detection: what was found (no personal data in problems)."""
    record(actor, ALARM, obj, outcome="failed", via=via, problems=problems, **detail)
