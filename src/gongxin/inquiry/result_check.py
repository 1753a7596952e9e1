"""Signed results cannot change silently (issue 8, protection).

Signing fixes a round's result as a digest (``services.signing.result_digest``) kept on the
round and on its letter. Every page and API answer that shows a signed round's result, every
letter download and every export works the digest out again from the stored findings and
candidates and compares: a result row changed behind the application's back (raw SQL, a restored
backup) shows a red warning, blocks the letter, and raises one ``result.tampered`` alarm per
detection (gongxin.documents.integrity.alarm). Requests whose candidate data was purged after
the retention period have nothing left to check.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongxin.core.crypto import DecryptionError
from gongxin.documents.integrity import alarm
from gongxin.inquiry import services  # first: the services import the letters module
from gongxin.inquiry.letters import result_rows
from gongxin.inquiry.models import InquiryRequest, Round


@dataclass(frozen=True)
class Mismatch:
    round: int
    problems: tuple[str, ...]

    def describe(self) -> str:
        return f"第{self.round}轮{'；'.join(self.problems)}"


def round_problems(req: InquiryRequest, rnd: Round) -> list[str]:
    """What of a signed round no longer agrees with its signed result digest."""
    if not rnd.result_digest or req.purged_at is not None:
        return []
    problems = []
    if rnd.letter_id is not None and rnd.letter.digest != rnd.result_digest:
        problems.append("复函记录的结果摘要与签发时固定的不一致")
    try:
        rows = result_rows(req, rnd.number)
    except DecryptionError:
        return [*problems, "人选数据的密文被改动，无法打开"]
    if services.result_digest(req, rows, rnd.number) != rnd.result_digest:
        problems.append("查询结果与签发时固定的结果摘要不符")
    return problems


def check(req: InquiryRequest, number: int | None = None) -> list[Mismatch]:
    """Every signed round of ``req`` (or round ``number`` only), against its digest."""
    rounds = req.rounds.filter(signed_at__isnull=False).select_related("letter")
    if number is not None:
        rounds = rounds.filter(number=number)
    found = []
    for rnd in rounds.order_by("number"):
        if problems := round_problems(req, rnd):
            found.append(Mismatch(rnd.number, tuple(problems)))
    return found


def warning(mismatches: list[Mismatch]) -> str:
    """What a page or an API answer says (Chinese), empty when nothing was found."""
    if not mismatches:
        return ""
    return ("签发后的查询结果被改动：" + "；".join(m.describe() for m in mismatches)
            + "。所示内容不能作为查询结果使用，复函已停止下载，已向审计管理员告警，"
            "请立即报告安全管理员。")  # fmt: skip


def checked(actor, req: InquiryRequest, *, via: str, number: int | None = None) -> str:
    """Check, raise the alarm once if anything was found, and return the warning to show."""
    mismatches = check(req, number)
    if mismatches:
        alarm(actor, req, [m.describe() for m in mismatches], via=via,
              rounds=[m.round for m in mismatches])  # fmt: skip
    return warning(mismatches)


def letter_problems(letter) -> list[str]:
    """The inquiry's check of one of its letters (registered with the documents engine)."""
    rnd = Round.objects.filter(letter=letter).select_related("request", "letter").first()
    if rnd is None:
        return []
    return [f"第{rnd.number}轮{p}" for p in round_problems(rnd.request, rnd)]
