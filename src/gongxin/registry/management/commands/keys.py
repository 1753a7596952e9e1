from django.core.management.base import BaseCommand

from gongxin.registry import keys
from gongxin.registry.management.commands._output import progress_bar
from gongxin.registry.rotation import key_usage, rotate


class Command(BaseCommand):
    help = "数据密钥：查看状态；轮换（用新密钥重新加密并重建索引）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{status,rotate}")
        sub.add_parser("status", help="各密钥的状态与使用数量")
        rot = sub.add_parser("rotate", help="生成新密钥，重新加密全部记录")
        rot.add_argument("--suite", choices=["gm", "intl"], help="新密钥的套件（默认沿用当前）")

    def handle(self, action, **options):
        if action == "status":
            usage = key_usage()
            states = {"active": "当前", "pending": "轮换中", "retired": "已停用"}
            self.stdout.write("密钥\t套件\t状态\t创建时间\t记录数")
            for k in keys.reload().keys.values():
                self.stdout.write(
                    f"{k.id}\t{k.suite}\t{states[k.state]}\t{k.created}\t{usage.get(k.id, 0)}"
                )
            return
        with progress_bar("轮换") as progress:
            result = rotate(options.get("suite"), progress)
        self.stdout.write(
            f"密钥轮换完成：{result.old_key} → {result.new_key}，重新加密 {result.rows} 条记录"
        )
