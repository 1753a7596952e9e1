"""Is this letter genuine? By verification code (public page) or by file (`gongxin letters
verify`). Answers say nothing about the people in the letter."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from gongxin.documents.models import Letter, LetterFile
from gongxin.documents.services import CODE_ALPHABET
from gongxin.documents.signing import check_signature

_CODE = re.compile(f"^[{CODE_ALPHABET}]{{16}}$")


@dataclass
class Verdict:
    ok: bool
    reasons: list[str]
    letter: Letter | None = None


def normal_code(typed: str) -> str | None:
    """A verification code as printed (ABCD-EFGH-JKLM-NPQR), from however it was typed (lower
    case, without or with other separators, full-width); None when it cannot be one."""
    raw = "".join(ch for ch in unicodedata.normalize("NFKC", typed).upper() if ch.isalnum())
    if not _CODE.match(raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def letter_by_code(code: str) -> Letter | None:
    normal = normal_code(code)
    if normal is None:
        return None
    return (Letter.objects.select_related("unit", "superseded_by")
            .filter(verification_code=normal).first())  # fmt: skip


def superseded_note(letter: Letter) -> str | None:
    newer = getattr(letter, "superseded_by", None)
    return f"本复函已被{newer.document_number}取代" if newer else None


def verify_file(data: bytes) -> Verdict:
    """Signature intact and trusted, the file is one this system issued, and still in force."""
    signature = check_signature(data)
    if not signature.ok:
        return Verdict(False, [signature.reason])
    stored = (LetterFile.objects.select_related("letter__unit")
              .filter(kind="pdf", sha256=hashlib.sha256(data).hexdigest()).first())  # fmt: skip
    if stored is None:
        return Verdict(False, [signature.reason, "该文件不是本系统签发的复函"])
    letter = stored.letter
    reasons = [signature.reason, f"{letter.unit.name} {letter.document_number}"]
    if note := superseded_note(letter):
        return Verdict(False, [*reasons, note], letter)
    return Verdict(True, reasons, letter)


def public_facts(letter: Letter) -> dict:
    """What the public verification page may show: no names, no numbers of people."""
    pdf = letter.files.filter(kind="pdf").values_list("sha256", flat=True).first()
    return {
        "document_number": letter.document_number,
        "unit": letter.unit.name,
        "dated": letter.dated,
        "candidates": letter.item_count,
        "kind": letter.kind,
        "kind_label": letter.get_kind_display(),
        "pdf_sha256": pdf or "",
        "superseded": superseded_note(letter),
    }


# Addresses that only reach the server's own machine: printed on a letter, no agency can use them.
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", ""})  # noqa: S104


def public_url_problem() -> str:
    """Why the verification address printed on letters (settings.PUBLIC_URL) cannot serve an
    agency, or blank: unset (the default is this machine) or not http(s)."""
    url = urlsplit(settings.PUBLIC_URL)
    if url.scheme not in ("http", "https"):
        return f"公开核验地址「{settings.PUBLIC_URL}」不是 http(s) 网址"
    if (url.hostname or "") in LOOPBACK:
        return "未配置公开核验地址（GONGXIN_PUBLIC_URL）：复函上印的核验网址只能在本机打开"
    return ""
