"""Restoring a backup (`gongxin restore IN`) into an empty database, then proving it: the audit
chain verifies and ends where the backup said, and the key file opens the data.

Everything that can refuse is checked before anything is written: the file is a whole backup of
this kind of database, of a schema this code knows, the key file holds the keys its rows use,
and the target database is empty. A refusal changes nothing.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader

from gongxin.audit import integrity
from gongxin.audit.backups import BackupRefused, archive, stores
from gongxin.audit.services import record
from gongxin.core.crypto import DecryptionError, KeyFileError, KeyRing
from gongxin.platform import keys
from gongxin.platform.sealed import checked_keyring, key_usage, registered

SAMPLE = 25  # sealed rows opened from each end of each table after a restore


@dataclass
class Restored:
    manifest: dict
    migrated: list[str]  # migrations of this code the backup did not have, applied after it
    verdict: integrity.Verdict | None = None
    opened: int = 0  # sealed rows opened with the key file
    problems: list[str] = field(default_factory=list)  # checks that failed after the restore


def preflight(path: Path) -> tuple[dict, list[str]]:
    """The manifest of ``path``, and the migrations of this code it lacks; refused (with every
    problem found) when the file cannot be restored here."""
    manifest = archive.read_manifest(path)
    kind = stores.kind()
    problems = []
    theirs = manifest.get("database")
    if theirs != kind:
        problems.append(f"该文件是 {stores.KINDS.get(theirs, theirs)} 数据库的备份，"
                        f"当前配置的数据库是 {stores.KINDS[kind]}：请用同类数据库恢复")  # fmt: skip
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    applied = set(manifest.get("migrations") or ())
    if unknown := sorted(applied - known):
        problems.append(f"该备份的数据库结构比本程序新（有本程序没有的迁移 {unknown[0]} 等 "
                        f"{len(unknown)} 项）：请用生成备份的版本（或更新的版本）恢复")  # fmt: skip
    problems += key_problems(manifest)
    if theirs == kind:
        problems += target_problems(manifest)
    if problems:
        raise BackupRefused(problems)
    return manifest, sorted(known - applied)


def key_problems(manifest: dict) -> list[str]:
    """Whether the key file holds every key the backup's rows use (by fingerprint)."""
    path = Path(settings.KEY_FILE)
    if not path.exists():
        return [f"找不到密钥文件 {path}：恢复需要备份时所用的密钥文件（它与数据库分开备份），"
                "请把它放回该位置，或用 GONGXIN_KEY_FILE 指明"]  # fmt: skip
    try:
        ring = KeyRing.load(path)
    except KeyFileError as exc:
        return [str(exc)]
    problems = []
    for needed in manifest.get("keys") or ():
        key = ring.keys.get(needed["id"])
        if key is None:
            problems.append(f"密钥文件 {path} 中没有备份数据所用的密钥 {needed['id']}"
                            f"（{needed['rows']} 条数据用它加密）："
                            "该密钥文件打不开这份备份")  # fmt: skip
        elif needed.get("fingerprint") and key.fingerprint() != needed["fingerprint"]:
            problems.append(f"密钥文件 {path} 中的 {needed['id']} 与备份数据所用的不是同一把"
                            "密钥：该密钥文件打不开这份备份")  # fmt: skip
    return problems


def target_problems(manifest: dict) -> list[str]:
    """Whether the configured database is empty (a restore never mixes two databases) and the
    server is not older than the backup's."""
    kind = stores.kind()
    if kind == "sqlite":
        tables = stores.sqlite_tables(stores.sqlite_path())
        move = "请停止服务，把该文件（连同同名的 -wal、-shm 文件）移走后再恢复"
    else:
        try:
            tables = stores.pg_tables()
        except DatabaseError as exc:
            return [f"无法连接目标数据库 {stores.describe_target()}（{type(exc).__name__}）："
                    "请先新建空数据库（createdb），并检查 DATABASE_URL"]  # fmt: skip
        move = "请新建一个空数据库（createdb），把 DATABASE_URL 指向它后再恢复"
    if tables < 0:
        return [f"目标 {stores.describe_target()} 不是数据库文件：恢复只写入空数据库，{move}"]
    if tables:
        return [f"目标数据库 {stores.describe_target()} 不是空库（已有 {tables} 张表）："
                f"恢复只写入空数据库，不与已有数据合并，{move}"]  # fmt: skip
    if kind == "postgresql":
        theirs, ours = manifest.get("server_version") or 0, stores.pg_server_version()
        if stores.pg_major(int(theirs)) > stores.pg_major(ours):
            return [
                f"该备份来自 PostgreSQL {stores.pg_major(int(theirs))}，目标服务器是 "
                f"PostgreSQL {stores.pg_major(ours)}：请恢复到同版本或更新版本的服务器"
            ]
    return []


def restore(path: Path) -> Restored:
    """Restore the backup at ``path`` into the configured empty database and check it."""
    manifest, missing = preflight(path)
    kind = stores.kind()
    if kind == "sqlite":
        target = stores.sqlite_path()
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        restored = target.with_name(f".{target.name}.restoring")
        try:
            archive.extract_payload(path, manifest, restored)
            if problem := stores.sqlite_check(restored):
                raise BackupRefused([problem])
            stores.sqlite_put_in_place(restored, target)
        finally:
            restored.unlink(missing_ok=True)
    else:
        with tempfile.TemporaryDirectory(prefix="gongxin-restore-") as work:
            dump = Path(work) / archive.PAYLOAD[kind]
            archive.extract_payload(path, manifest, dump)
            stores.pg_restore(dump)
    connections.close_all()
    if missing:
        call_command("migrate", interactive=False, verbosity=0)
    done = Restored(manifest, missing)
    check(done)
    with transaction.atomic():
        record("system", "backup.restore", outcome="failed" if done.problems else "ok",
               ref=("ChainHead", manifest["audit"]["seq"]), sha256=manifest["payload"]["sha256"],
               problems=len(done.problems))  # fmt: skip
    return done


def check(done: Restored) -> None:
    """After a restore: the key file opens the data (checked against the key records, then a
    sample of every sealed table decrypted), the rows are those the backup counted, and the
    audit chain verifies and ends at the manifest's head."""
    manifest = done.manifest
    keys.reload()
    try:
        ring = checked_keyring()
    except KeyFileError as exc:
        done.problems.append(str(exc))
    else:
        done.opened = _open_sample(ring, done.problems)
    counted = {}
    for per_key in key_usage().values():
        for label, n in per_key.items():
            counted[label] = counted.get(label, 0) + n
    if counted != manifest.get("rows", {}):
        done.problems.append("恢复后的加密数据条数与备份清单记录的不符")
    done.verdict = integrity.verify()
    if not done.verdict.ok:
        done.problems.append(done.verdict.describe())
    elif (done.verdict.last_seq or done.verdict.since or 0, done.verdict.last_digest) != (
        manifest["audit"]["seq"], manifest["audit"]["digest"]):  # fmt: skip
        done.problems.append(f"恢复后的留痕链头与备份清单记录的不符（清单记到序号"
                             f"{manifest['audit']['seq']}）")  # fmt: skip


def _open_sample(ring, problems: list[str]) -> int:
    opened = 0
    for spec in registered():
        rows = spec.rows().values_list("pk", *spec.reads)
        sample = {pk: values for pk, *values in [*rows.order_by("pk")[:SAMPLE],
                                                 *rows.order_by("-pk")[:SAMPLE]]}  # fmt: skip
        for pk, values in sample.items():
            try:
                spec.reseal(ring, ring.active, tuple(values))
            except (DecryptionError, KeyFileError):
                problems.append(f"{spec.label} 第 {pk} 条数据无法用密钥文件解密")
            else:
                opened += 1
    return opened
