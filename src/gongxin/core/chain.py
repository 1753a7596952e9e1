"""The audit trail's hash chain (SM3, GB/T 32905), pure.

Each event's digest is SM3 over the previous event's digest and the event's canonical form, so
changing, removing, reordering or inserting an event breaks every digest after it. The chain
proves the order and content of what it holds; that nothing was cut off its end, or rewritten
wholesale by someone who recomputed it, is proven against a checkpoint kept elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes

GENESIS = "0" * 64  # the "previous digest" of the first event


def canonical(seq: int, fields: dict) -> bytes:
    """The bytes an event's digest covers: its place and every recorded field, in a form that
    is the same however the database returns them (times in UTC with microseconds, JSON with
    sorted keys)."""
    at = fields["at"]
    if isinstance(at, dt.datetime):
        at = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    body = {**fields, "at": at, "seq": seq}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def link(previous: str, seq: int, fields: dict) -> str:
    """The digest (hex) of event ``seq`` following an event whose digest is ``previous``."""
    h = hashes.Hash(hashes.SM3())
    h.update(bytes.fromhex(previous))
    h.update(canonical(seq, fields))
    return h.finalize().hex()


@dataclass(frozen=True)
class Break:
    """The first event at which the chain does not hold, and why (Chinese, for the auditor)."""

    seq: int
    reason: str


@dataclass(frozen=True)
class Walk:
    """What a walk along the chain found: how far it got, and the first break if any."""

    first: int | None
    last: int | None
    digest: str
    count: int
    broken: Break | None


def walk(events: Iterable[tuple[int, str, dict]], *, start_seq: int = 1,
         start_digest: str = GENESIS) -> Walk:  # fmt: skip
    """Walk ``(seq, stored digest, fields)`` in order of seq from ``start_seq``, whose previous
    digest is ``start_digest``; stop at the first event that does not follow."""
    expected, previous, count, first = start_seq, start_digest, 0, None
    for seq, stored, fields in events:
        first = seq if first is None else first
        if seq != expected:
            reason = (f"序号{expected}的记录缺失（下一条是序号{seq}）" if seq > expected
                      else f"序号{seq}重复或顺序错乱")  # fmt: skip
            return Walk(first, seq, previous, count, Break(min(seq, expected), reason))
        digest = link(previous, seq, fields)
        if digest != stored:
            return Walk(first, seq, previous, count,
                        Break(seq, f"序号{seq}的记录内容或位置被改动（摘要不符）"))  # fmt: skip
        previous, expected, count = digest, expected + 1, count + 1
    return Walk(first, expected - 1 if count else None, previous, count, None)
