"""The registry of sealed models: every table that holds ciphertext or blind indexes made with
the data keys, whichever app it belongs to. Key status and rotation go through it, so a new
encrypted field is covered the day it is registered, and a key is never retired while a row
still needs it.

Each app registers its models at start-up (``register(Sealed(...))`` in its AppConfig.ready).
A Sealed spec names the columns its ``reseal`` function reads and the columns it writes;
``reseal(ring, key, row)`` returns the written columns' new values under ``key`` (the ring opens
the old ciphertext, whichever key made it). Every sealed row records its key in ``key_column``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models import Count, Q

from gongxin.core.crypto import KeyFileError, KeyRing, new_key
from gongxin.platform import keys
from gongxin.platform.models import KeyRecord
from gongxin.platform.trail import record

BATCH = 2000


@dataclass(frozen=True)
class Sealed:
    """How one model's encrypted columns are rewritten under another key (see the module)."""

    model: type[models.Model]
    reads: tuple[str, ...]
    writes: tuple[str, ...]  # must include key_column
    reseal: Callable[..., tuple]
    key_column: str = "key_id"
    # Rows stored before the table was sealed have no key id (reseal must read them as they
    # are); seal_unsealed encrypts them.
    may_be_unsealed: bool = False
    # The rows that hold sealed data: others (purged after a retention period) are left alone.
    present: Q | None = None

    def rows(self) -> models.QuerySet:
        qs = self.model.objects.all()
        return qs if self.present is None else qs.filter(self.present)

    @property
    def label(self) -> str:
        return f"{self.model._meta.app_label}.{self.model.__name__}"


_REGISTRY: dict[str, Sealed] = {}


def register(spec: Sealed) -> None:
    if spec.key_column not in spec.writes:
        raise ValueError(f"{spec.label}: reseal must write {spec.key_column}")
    _REGISTRY[spec.label] = spec


def registered() -> list[Sealed]:
    return list(_REGISTRY.values())


def checked_keyring() -> KeyRing:
    """The key ring, once checked against the keys the database has seen: what every path that
    reads or writes sealed data uses. Raises KeyFileError (Chinese, for the operator) when the
    database has rows under a key the file lacks, or the file holds another key under a known
    id: with the wrong key file a search would find nobody, silently (a missed hit). Checked
    once per key file version per process; keys seen for the first time are recorded.
    """
    ring = keys.keyring()
    if getattr(ring, "checked", False):
        return ring
    records = dict(KeyRecord.objects.values_list("key_id", "fingerprint"))
    problems = []
    if not records:  # a database from before key records: what do its rows use?
        missing = sorted(set(key_usage()) - set(ring.keys) - {""})
        problems += [f"数据使用的密钥 {key_id} 不在密钥文件中" for key_id in missing]
    for key_id, fingerprint in records.items():
        key = ring.keys.get(key_id)
        if key is not None and key.fingerprint() != fingerprint:
            problems.append(f"密钥文件中的 {key_id} 与数据库所用的不是同一把密钥")
        elif key is None and _in_use(key_id):
            problems.append(f"数据使用的密钥 {key_id} 不在密钥文件中")
        elif key is None:  # taken out of the file after no row used it any more
            KeyRecord.objects.filter(key_id=key_id).delete()
    if problems:
        raise KeyFileError(
            f"密钥文件 {ring.path} 与数据库不一致：{'；'.join(problems)}。"
            "请使用本系统的密钥文件（GONGXIN_KEY_FILE）；在此之前不能查询比对、登记或读取人选"
        )
    _record(ring)
    ring.checked = True
    return ring


def _record(ring: KeyRing) -> None:
    for key in ring.keys.values():
        KeyRecord.objects.get_or_create(key_id=key.id, defaults={"fingerprint": key.fingerprint()})


def _in_use(key_id: str) -> bool:
    return any(spec.rows().filter(**{spec.key_column: key_id}).exists()
               for spec in registered())  # fmt: skip


def key_usage() -> dict[str, dict[str, int]]:
    """For each key id, how many rows of each sealed model it protects."""
    usage: dict[str, dict[str, int]] = {}
    for spec in registered():
        counts = spec.rows().values_list(spec.key_column).annotate(n=Count("pk")).order_by()
        for key_id, n in counts:
            usage.setdefault(key_id, {})[spec.label] = n
    return usage


@dataclass
class RotationResult:
    old_key: str
    new_key: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def rotate(
    suite: str | None = None, progress: Callable[[int], None] | None = None
) -> RotationResult:
    """Re-encrypt and re-index every sealed row under a new key.

    The key file and the database cannot change in one transaction, so:
    1. the new key is added to the key file as *pending* (readable and searchable, not yet used
       for new data);
    2. every sealed row of every model is rewritten under it, a batch at a time, each batch in
       a transaction of its own that locks its rows (nothing else waits for the whole table);
    3. the key file makes it the active key; the old one stays, retired, for reading;
    4. rows another process wrote under the old key while 2 ran are swept up.
    A crash at any step leaves every row readable and findable (searches use every key in the
    file); running the rotation again finishes it.
    """
    keys.reload()
    ring = checked_keyring()  # never rewrite rows with a key file that cannot read them
    old = ring.active
    key = ring.pending
    if key is None:
        key = new_key(suite or old.suite)
        ring.add_pending(key)
        ring.save()
    _record(ring)  # before any row is written under it
    rows = _rewrite(ring, key, progress)
    ring.promote(key.id)
    ring.save()
    swept = _rewrite(keys.reload(), key, progress)
    result = RotationResult(old.id, key.id, {label: rows.get(label, 0) + swept.get(label, 0)
                                             for label in {*rows, *swept}})  # fmt: skip
    with transaction.atomic():
        record("system", "keys.rotate", ref=("Key", key.id), old_key=old.id, rows=result.total)
    return result


def seal_unsealed(progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Encrypt, under the active key, rows stored before their model was sealed (no key id:
    letter files issued before files were encrypted). Run by ``gongxin init``; safe to repeat."""
    keys.reload()
    ring = checked_keyring()
    return {spec.label: _rewrite_model(spec, ring, ring.active, progress, only_unsealed=True)
            for spec in registered() if spec.may_be_unsealed}  # fmt: skip


def _rewrite(ring: KeyRing, key, progress) -> dict[str, int]:
    return {spec.label: _rewrite_model(spec, ring, key, progress) for spec in registered()}


def _rewrite_model(spec: Sealed, ring: KeyRing, key, progress, only_unsealed=False) -> int:
    """Rewrite the model's rows not yet under ``key``, in pk order, one committed batch at a
    time: a row changed by someone else while its batch is read waits for the lock, and is
    rewritten from what they wrote."""
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(column)} = %s" for column in spec.writes)
    table, pk_column = qn(spec.model._meta.db_table), qn(spec.model._meta.pk.column)
    sql = f"UPDATE {table} SET {sets} WHERE {pk_column} = %s"  # noqa: S608
    if only_unsealed:
        stale = spec.rows().filter(**{spec.key_column: ""}).order_by("pk")
    else:
        stale = spec.rows().exclude(**{spec.key_column: key.id}).order_by("pk")
    done, last = 0, None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            batch = stale if last is None else stale.filter(pk__gt=last)
            rows = list(batch.select_for_update().values_list("pk", *spec.reads)[:BATCH])
            if not rows:
                return done
            cursor.executemany(sql, [(*spec.reseal(ring, key, tuple(values)), pk)
                                     for pk, *values in rows])  # fmt: skip
        last = max(pk for pk, *_ in rows)
        done += len(rows)
        if progress:
            progress(len(rows))


def remove_key(key_id: str) -> KeyRing:
    """Take a retired key out of the key file: refused while any sealed row still uses it."""
    ring = keys.reload()
    key = ring.keys.get(key_id)
    if key is None:
        raise KeyFileError(f"密钥文件中没有密钥 {key_id}")
    if key.state != "retired":
        raise KeyFileError(f"密钥 {key_id} 不是已停用的密钥（当前状态：{key.state}），不能删除")
    if used := key_usage().get(key_id):
        where = "、".join(f"{label} {n} 条" for label, n in sorted(used.items()))
        raise KeyFileError(f"密钥 {key_id} 仍有数据在用（{where}），请先执行 gongxin keys rotate")
    with transaction.atomic():
        KeyRecord.objects.filter(key_id=key_id).delete()
        record("system", "keys.remove", ref=("Key", key_id))
        del ring.keys[key_id]
        ring.save()  # last: if the file cannot be written, the record and the event stay
    return keys.reload()
