"""The CPU-heavy half of an import: parse, validate, hash and encrypt rows, chunk by chunk.

For large files this runs in worker processes, forked after the staged import has read
the active entries, so workers know which rows are new and encrypt only those. Workers never
touch the database; the main process plans and writes. Results travel as ``marshal`` bytes
(plain tuples, str dates): unpickling objects cost the main process more than the encryption.
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gongxin.core.idnumber import mask_layout
from gongxin.registry import keys
from gongxin.registry.files import Chunk, chunk_records, is_blank
from gongxin.registry.rows import ADD, PERSON, RowValidator

WORKERS = 2
SUBJECT_SEPARATOR = "\x1f"  # names cannot contain control characters (core.names)

# Most rows are current listings: they leave the four removal-related columns to their
# defaults, and binding fewer parameters per row is measurably cheaper.
INSERT_COLUMNS = (
    "source_id", "subject_kind", "subject_cipher", "name_index", "id_index", "masked_index",
    "id_masked", "entry_key", "authority", "basis_document", "case_number", "listed_on", "key_id",
    "created_by_import_id",
)  # fmt: skip
REMOVAL_COLUMNS = ("planned_end", "removed_on", "removal_reason", "removed_by_import_id")


@dataclass
class Context:
    """What a worker needs, inherited through fork."""

    validator: RowValidator
    ring: object
    hashers: list  # blind_index functions of every key that active entries use
    active_keys: frozenset  # entry keys of active entries (under any key)
    source_id: int
    import_id: int


_context: Context | None = None


def subject_plaintext(name: str, ident: str) -> str:
    return f"{name}{SUBJECT_SEPARATOR}{ident}"


def split_subject(plaintext: str) -> tuple[str, str]:
    name, ident = plaintext.split(SUBJECT_SEPARATOR)
    return name, ident


def masked_material(name: str, pattern: str) -> str:
    return f"{name}{SUBJECT_SEPARATOR}{pattern}"


def entry_indexes(key, kind: str, name: str, ident: str, masked: bool) -> tuple:
    """(subject ciphertext, name index, ID index, masked index) of one entry under ``key``."""
    person = kind == PERSON
    return (
        key.encrypt(subject_plaintext(name, ident), keys.ENTRY_SUBJECT),
        key.blind_index(name, keys.PERSON_NAME if person else keys.ORG_NAME),
        None if masked else key.blind_index(ident, keys.PERSON_ID if person else keys.ORG_ID),
        key.blind_index(masked_material(name, ident), keys.PERSON_MASKED) if masked else None,
    )


def prepare_chunk(chunk: Chunk) -> bytes:
    """marshal of (records, offsets, entry keys, inserts, closed, matched, errors, layouts).

    Offsets are row positions within the chunk; ``entry keys`` are each valid row's own key
    (for duplicate checks), in the order of ``offsets``. New rows come back as INSERT
    parameters, ``inserts`` for current listings and ``closed inserts`` for rows that also
    carry removal details. Every other row comes back in ``matched`` as (offset, key of the
    active entry it matches or None, action, removed_on, removal reason): rows that match an
    active entry, and removals. ``layouts`` are the masking layouts of new masked entries.
    """
    ctx = _context
    active = ctx.ring.active
    prepare = ctx.validator.prepare
    active_keys = ctx.active_keys
    records = chunk_records(chunk)
    offsets: list[int] = []
    own_keys: list[bytes] = []
    inserts: list[tuple] = []
    closed: list[tuple] = []
    matched: list[tuple] = []
    errors: list[tuple] = []
    layouts: set[str] = set()
    for offset, cells in enumerate(records):
        if is_blank(cells):
            continue
        row, row_errors = prepare(offset, cells)
        if row_errors:
            errors.extend((e.row, e.field, e.reason) for e in row_errors)
            continue
        own_key = active.blind_index(row.material, keys.ENTRY_KEY)
        offsets.append(offset)
        own_keys.append(own_key)
        removed_on = row.removed_on.isoformat() if row.removed_on else None
        hit = None
        for hasher in ctx.hashers:  # none on a source's first import
            if (key := hasher(row.material, keys.ENTRY_KEY)) in active_keys:
                hit = key
                break
        if hit is not None or row.action != ADD:
            matched.append((offset, hit, row.action, removed_on, row.removal_reason))
            continue
        cipher, name_index, id_index, masked_index = entry_indexes(
            active, row.kind, row.name, row.ident, row.masked
        )
        if row.masked:
            layouts.add(mask_layout(row.ident))
        values = (
            ctx.source_id, row.kind, cipher, name_index, id_index, masked_index, row.masked,
            own_key,
            row.authority, row.basis_document, row.case_number, row.listed_on.isoformat(),
            active.id, ctx.import_id,
        )  # fmt: skip
        if row.planned_end or removed_on or row.removal_reason:
            closed.append((
                *values, row.planned_end.isoformat() if row.planned_end else None, removed_on,
                row.removal_reason, ctx.import_id if removed_on else None,
            ))  # fmt: skip
        else:
            inserts.append(values)
    return marshal.dumps(
        (len(records), offsets, own_keys, inserts, closed, matched, errors, layouts)
    )


def prepared(chunks: Iterable[Chunk], ctx: Context, *, parallel: bool) -> Iterator[tuple]:
    """Yield the prepare_chunk tuples, in file order."""
    global _context
    _context = ctx
    if not parallel:
        for chunk in chunks:
            yield marshal.loads(prepare_chunk(chunk))  # noqa: S302 - our own bytes
        return
    # Objects inherited from the parent are never freed by the workers: freezing them keeps
    # the workers' collections from walking (and copy-on-write faulting) the whole heap.
    gc.freeze()
    pool = multiprocessing.get_context("fork").Pool(WORKERS, initializer=_worker_init)
    try:
        for result in pool.imap(prepare_chunk, chunks):
            yield marshal.loads(result)  # noqa: S302 - from our own forked workers
    finally:
        pool.terminate()
        pool.join()
        gc.unfreeze()


def _worker_init() -> None:
    # Prepared rows are acyclic tuples: collect rarely.
    gc.set_threshold(50_000, 50, 100)
