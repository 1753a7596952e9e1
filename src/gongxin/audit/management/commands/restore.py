from pathlib import Path

from django.core.management.base import BaseCommand

from gongxin.audit.backups import BackupRefused, stores
from gongxin.audit.backups.restore import restore


class Command(BaseCommand):
    help = (
        "把 gongxin backup 生成的备份恢复到一个空数据库（SQLite 文件不存在或为空；PostgreSQL "
        "新建的空库），然后校验留痕链并用密钥文件抽查解密。"
    )
    requires_system_checks = []  # the database may not exist yet

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="备份文件")

    def handle(self, file, **options):
        try:
            done = restore(file.expanduser())
        except BackupRefused as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            self.stderr.write("未做任何改动。")
            raise SystemExit(1) from None
        manifest = done.manifest
        self.stdout.write(
            f"已把 {file.name}（{manifest['created_at'][:19].replace('T', ' ')} 备份）恢复到 "
            f"{stores.describe_target()}。"
        )
        if done.migrated:
            self.stdout.write(f"备份之后本程序新增的 {len(done.migrated)} 项数据库迁移已执行。")
        if done.verdict is not None and done.verdict.ok:
            self.stdout.write(done.verdict.describe())
        if done.opened:
            self.stdout.write(f"密钥文件可以打开数据：抽查 {done.opened} 条加密记录均已解密。")
        for problem in done.problems:
            self.stderr.write(problem)
        if done.problems:
            raise SystemExit(1)
