"""The backup file: its manifest, writing it (`gongxin backup`) and reading it back."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count

from gongxin.audit.backups import BackupRefused, stores
from gongxin.audit.models import ChainHead
from gongxin.core import chain, clock
from gongxin.platform.keys import key_file_problem
from gongxin.platform.models import KeyRecord
from gongxin.platform.sealed import registered

FORMAT = "gongxin-backup/1"
MANIFEST = "manifest.json"
PAYLOAD = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1 << 20


def facts(alias: str) -> dict:
    """What the manifest says about the data, read through the snapshot's connection."""
    applied = MigrationRecorder(connections[alias]).applied_migrations()
    head = ChainHead.objects.using(alias).filter(pk=1).values_list("seq", "digest").first()
    rows: dict[str, int] = {}
    used: dict[str, int] = {}
    for spec in registered():
        counts = (spec.rows().using(alias).values_list(spec.key_column).annotate(n=Count("pk"))
                  .order_by())  # fmt: skip
        for key_id, n in counts:
            rows[spec.label] = rows.get(spec.label, 0) + n
            if key_id:
                used[key_id] = used.get(key_id, 0) + n
    prints = dict(KeyRecord.objects.using(alias).values_list("key_id", "fingerprint"))
    return {
        "migrations": sorted(f"{app}.{name}" for app, name in applied),
        "audit": {"seq": head[0] if head else 0, "digest": head[1] if head else chain.GENESIS},
        # The keys the data needs, each recognised by its fingerprint (never the key itself).
        "keys": [
            {"id": key_id, "fingerprint": prints.get(key_id), "rows": n}
            for key_id, n in sorted(used.items())
        ],
        "rows": dict(sorted(rows.items())),
    }


def destination_problems(out: Path) -> list[str]:
    """Why ``out`` is no place for a backup: the key file must never lie beside the data."""
    problems = []
    out = out.expanduser().resolve()
    key_dir = Path(settings.KEY_FILE).resolve().parent
    if out.is_relative_to(key_dir):
        problems.append(f"备份文件 {out} 位于密钥文件所在的目录 {key_dir} 之内：数据备份与密钥"
                        "必须分开存放，请把备份写到别处")  # fmt: skip
    if out.exists():
        problems.append(f"备份文件 {out} 已存在：不覆盖已有文件，请换一个文件名")
    elif not out.parent.is_dir():
        problems.append(f"目录 {out.parent} 不存在")
    return problems


def create(out: Path) -> tuple[dict, list[str]]:
    """Write a backup of the configured database to ``out`` (a new file); returns the manifest
    and warnings. Written under a temporary name first: a backup cut short leaves no file
    that looks whole."""
    kind = stores.kind()
    if kind == "sqlite":
        stores.sqlite_path()  # an in-memory database is refused here
    if problems := destination_problems(out):
        raise BackupRefused(problems)
    out = out.expanduser().resolve()
    warnings = [problem] if (problem := key_file_problem()) else []
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".gongxin-backup-") as work:
        payload = Path(work) / PAYLOAD[kind]
        with _connected(), stores.snapshot_connection() as alias:
            manifest = {"format": FORMAT, "database": kind, "created_at": clock.now().isoformat()}
            manifest.update(facts(alias))
            if kind == "sqlite":
                manifest["server_version"] = sqlite3.sqlite_version
                stores.sqlite_copy(alias, payload)
            else:
                manifest["server_version"] = stores.pg_server_version(alias)
                stores.pg_dump(alias, payload)
        manifest["payload"] = {"name": payload.name, "bytes": payload.stat().st_size,
                               "sha256": _sha256(payload)}  # fmt: skip
        partial = out.with_name(f".{out.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w") as tar:
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(clock.now().timestamp()), 0o600
                tar.addfile(info, io.BytesIO(body))
                tar.add(payload, arcname=payload.name)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
    return manifest, warnings


@contextlib.contextmanager
def _connected():
    """A database that cannot be reached is said in one line, not a traceback."""
    try:
        yield
    except DatabaseError as exc:
        raise BackupRefused(
            [
                f"无法读取数据库 {stores.describe_target()}（{type(exc).__name__}）："
                "请检查数据库是否在运行、DATABASE_URL 是否正确"
            ]
        ) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(path: Path) -> dict:
    """The manifest of the backup file at ``path``; refused when it is not one."""
    if not path.is_file():
        raise BackupRefused([f"找不到备份文件 {path}"])
    not_ours = f"{path.name} 不是公信的备份文件（应为 gongxin backup 生成的文件）"
    try:
        with tarfile.open(path, mode="r:") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise BackupRefused([not_ours])
            manifest = json.loads(tar.extractfile(first).read().decode())
    except (tarfile.TarError, OSError, EOFError, ValueError):
        raise BackupRefused([not_ours]) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused([not_ours])
    return manifest


def extract_payload(path: Path, manifest: dict, into: Path) -> None:
    """Copy the database out of the backup file to ``into``, checking its length and digest
    against the manifest: a file cut short or changed is refused before anything is restored."""
    expected = manifest.get("payload") or {}
    damaged = (f"备份文件 {path.name} 不完整或已损坏（数据库部分与清单记录的长度或摘要不符）："
               "可能在复制或传输中被截断，请换用完整的备份文件")  # fmt: skip
    digest, size = hashlib.sha256(), 0
    try:
        with tarfile.open(path, mode="r:") as tar:
            member = tar.getmember(expected["name"])
            source = tar.extractfile(member)
            with open(into, "wb") as fh:
                while block := source.read(CHUNK):
                    digest.update(block)
                    size += len(block)
                    fh.write(block)
    except (tarfile.TarError, OSError, EOFError, KeyError, TypeError):
        raise BackupRefused([damaged]) from None
    if size != expected.get("bytes") or digest.hexdigest() != expected.get("sha256"):
        raise BackupRefused([damaged])
