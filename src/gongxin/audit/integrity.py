"""Proving the trail whole: walking the chain, and checkpoints kept outside the database.

A checkpoint is the chain head (place and digest) at a moment, with a MAC under the platform's
data key (HMAC-SM3 for the gm suite), written to a file meant to be kept elsewhere. Against it,
``verify`` also finds what the chain alone cannot: a tail cut off, or a history rewritten by
someone who recomputed every digest after it (decision record 0006).
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from gongxin.audit.models import AuditEvent, ChainHead, PurgeAnchor
from gongxin.core import chain, clock
from gongxin.core.crypto import KeyFileError
from gongxin.platform.sealed import checked_keyring

CHECKPOINT = b"audit.checkpoint"
FORMAT = "gongxin-audit-checkpoint/1"
PURGE_ACTION = "audit.purge"


class CheckpointError(ValueError):
    """A checkpoint file that cannot be trusted (Chinese, for the auditor)."""


@dataclass(frozen=True)
class Verdict:
    count: int  # events that follow the chain
    last_seq: int | None
    last_digest: str
    problem: chain.Break | None
    since: int | None = None  # the purge anchor the walk started from (events up to it removed)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        if self.problem is not None:
            return f"留痕链在序号{self.problem.seq}处不完整：{self.problem.reason}"
        said = f"留痕链完整：共{self.count}条，最后一条序号{self.last_seq or self.since or 0}"
        if self.since:
            said += f"（序号{self.since}及以前的记录已按保存期限清除，从清除边界起校验）"
        return said


def _events():
    names = AuditEvent.CHAINED + AuditEvent.CHAINED_WHEN_SET
    rows = AuditEvent.objects.order_by("seq").values_list("seq", "digest", *names)
    for seq, digest, *values in rows.iterator(chunk_size=2000):
        yield seq, digest, AuditEvent.chained(dict(zip(names, values, strict=True)))


def verify(checkpoint: dict | None = None) -> Verdict:
    """Walk the chain from its start (or, after a purge, from the purge anchor); with a
    checkpoint (from ``read_checkpoint``), also check that the chain still reaches it and
    passes through its digest, or that the anchor is the boundary it recorded."""
    anchor = PurgeAnchor.current()
    since = anchor.seq if anchor else None
    start = (anchor.seq + 1, anchor.digest) if anchor else (1, chain.GENESIS)
    walked = chain.walk(_events(), start_seq=start[0], start_digest=start[1])
    if walked.broken is not None:
        problem = walked.broken
        if anchor and problem.seq == start[0] and "摘要不符" in problem.reason:
            problem = chain.Break(problem.seq, problem.reason[:-1] + "，或清除边界记录被改动）")
        return Verdict(walked.count, walked.last, walked.digest, problem, since)
    last = walked.last or since or 0
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.seq > last:
        return _broken(
            walked, last + 1, f"链头记到序号{head.seq}，库中只到序号{last}：末尾记录被删除", since
        )
    if head is not None and head.seq < last:
        return _broken(walked, head.seq + 1, f"链头只到序号{head.seq}：其后的记录不是经系统写入的",
                       since)  # fmt: skip
    if anchor is not None and not _purge_recorded(anchor):
        reason = f"清除边界（序号{anchor.seq}）与留痕中记录的清除操作不符：清除边界记录被改动"
        return _broken(walked, anchor.seq, reason, since)
    if checkpoint is not None:
        if problem := _against_checkpoint(checkpoint, last, anchor):
            return _broken(walked, *problem, since)
    return Verdict(walked.count, walked.last, walked.digest, None, since)


def _purge_recorded(anchor: PurgeAnchor) -> bool:
    """The chained ``audit.purge`` event of the latest purge states the anchor's place and
    digest (it comes after the anchor, so no purge removes it before the next anchor)."""
    purges = AuditEvent.objects.filter(action=PURGE_ACTION, seq__gt=anchor.seq).order_by("seq")
    return any(e.detail.get("boundary") == anchor.seq and e.detail.get("digest") == anchor.digest
               for e in purges[:10])  # fmt: skip


def _against_checkpoint(checkpoint: dict, last: int, anchor) -> tuple[int, str] | None:
    seq, digest = checkpoint["seq"], checkpoint["digest"]
    if seq > last:
        return last + 1, f"检查点记到序号{seq}，库中只到序号{last}：末尾记录被删除"
    if anchor is not None and seq <= anchor.seq:
        # Removed by a purge: only a purge's own boundary can still be checked, against its anchor.
        known = PurgeAnchor.objects.filter(seq=seq).values_list("digest", flat=True).first()
        if known is None:
            return anchor.seq, (
                f"检查点记到序号{seq}，该记录已按保存期限清除，且不是任何一次清除的边界："
                "无法用该检查点核对；若它是清除时写出的检查点，清除边界记录已被改动"
            )
        if known != digest:
            return seq, f"清除边界（序号{seq}）的摘要与检查点不符：清除边界记录被改动"
        return None
    at = AuditEvent.objects.filter(seq=seq).values_list("digest", flat=True).first()
    if at != digest:
        return seq, f"序号{seq}的摘要与检查点不符：检查点之前的记录被改写"
    return None


def _broken(walked: chain.Walk, seq: int, reason: str, since: int | None = None) -> Verdict:
    return Verdict(walked.count, walked.last, walked.digest, chain.Break(seq, reason), since)


def write_checkpoint(path: Path, at: tuple[int, str] | None = None) -> dict:
    """Verify the chain, then write its head (or the place and digest ``at``: a purge's
    boundary) to ``path`` with a MAC. Refuses a broken chain: a checkpoint vouches for what it
    covers."""
    verdict = verify()
    if not verdict.ok:
        raise CheckpointError(verdict.describe() + "，不能生成检查点")
    seq, digest = at or (verdict.last_seq or verdict.since or 0, verdict.last_digest)
    key = checked_keyring().active
    body = {"format": FORMAT, "seq": seq, "digest": digest,
            "written_at": clock.now().isoformat(), "key_id": key.id}  # fmt: skip
    body["mac"] = key.mac(_signed_part(body), CHECKPOINT).hex()
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return body


def read_checkpoint(path: Path) -> dict:
    """The checkpoint in ``path``, once its MAC is checked."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        if body.get("format") != FORMAT:
            raise ValueError
        mac = bytes.fromhex(body["mac"])
        key = checked_keyring().get(body["key_id"])
        int(body["seq"]), bytes.fromhex(body["digest"])
    except KeyFileError as exc:
        raise CheckpointError(f"检查点由密钥 {body['key_id']} 签署：{exc}") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise CheckpointError(f"{path.name} 不是本系统的留痕检查点文件") from None
    if not hmac.compare_digest(key.mac(_signed_part(body), CHECKPOINT), mac):
        raise CheckpointError(f"检查点文件 {path.name} 的签名不符：文件被改动，或不是本系统生成的")
    return body


def _signed_part(body: dict) -> bytes:
    part = {k: body[k] for k in ("format", "seq", "digest", "written_at", "key_id")}
    return json.dumps(part, sort_keys=True, separators=(",", ":")).encode()
