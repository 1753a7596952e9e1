from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from gongxin.audit.backups import BackupRefused, archive, stores
from gongxin.audit.services import record


class Command(BaseCommand):
    help = (
        "备份数据库到一个新文件（服务运行中也可执行）：SQLite 用在线备份，PostgreSQL 用 pg_dump。"
        "密钥文件不在备份中，须另行分开备份（见 docs/backup.md）。"
    )

    # Not Django's system checks (they load every URL: seconds on a timer); the one that
    # matters here, the key file apart from the database, is said by archive.create.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="备份文件（新文件，不可位于密钥目录中）")

    def handle(self, out, **options):
        try:
            manifest, warnings = archive.create(out)
        except BackupRefused as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise SystemExit(1) from None
        for warning in warnings:
            self.stderr.write(f"警告：{warning}")
        payload, head = manifest["payload"], manifest["audit"]
        with transaction.atomic():
            record("system", "backup.create", ref=("ChainHead", head["seq"]),
                   sha256=payload["sha256"])  # fmt: skip
        self.stdout.write(
            f"已备份 {stores.KINDS[manifest['database']]} 数据库到 {out.expanduser().resolve()}"
            f"（{payload['bytes'] / 1e6:.1f} MB，留痕链至序号{head['seq']}，"
            f"数据密钥 {'、'.join(k['id'] for k in manifest['keys']) or '无'}）。"
        )
        self.stdout.write(
            f"备份中不含密钥文件：恢复时需要 {settings.KEY_FILE}，"
            "请把它单独备份、分开保管，切勿与本备份放在一起。"
        )
