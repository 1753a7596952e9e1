from django.core.management.base import BaseCommand

from gongxin.core.crypto import KeyFileError
from gongxin.platform import keys
from gongxin.platform.sealed import checked_keyring, key_usage, registered, remove_key, rotate
from gongxin.platform.terminal import progress_bar

STATES = {"active": "当前", "pending": "轮换中", "retired": "已停用"}


class Command(BaseCommand):
    help = (
        "数据密钥：查看状态；轮换（用新密钥重新加密全部密文并重建索引）；删除不再使用的已停用密钥。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True,
                                    metavar="{status,rotate,remove}")  # fmt: skip
        sub.add_parser("status", help="各密钥的状态，及各类数据在用的记录数")
        rot = sub.add_parser("rotate", help="生成新密钥，重新加密全部记录")
        rot.add_argument("--suite", choices=["gm", "intl"], help="新密钥的套件（默认沿用当前）")
        rem = sub.add_parser("remove", help="从密钥文件中删除一个已停用且不再有数据使用的密钥")
        rem.add_argument("key_id")

    def handle(self, action, **options):
        if action == "status":
            return self._status()
        if action == "remove":
            try:
                remove_key(options["key_id"])
            except KeyFileError as exc:
                self.stderr.write(str(exc))
                raise SystemExit(1) from None
            self.stdout.write(f"已从密钥文件中删除密钥 {options['key_id']}")
            return
        with progress_bar("轮换") as progress:
            result = rotate(options.get("suite"), progress)
        detail = "，".join(f"{label} {n} 条" for label, n in sorted(result.rows.items()))
        self.stdout.write(f"密钥轮换完成：{result.old_key} → {result.new_key}，"
                          f"重新加密 {result.total} 条记录（{detail}）")  # fmt: skip

    def _status(self):
        usage = key_usage()
        labels = [spec.label for spec in registered()]
        self.stdout.write("密钥\t套件\t状态\t创建时间\t" + "\t".join(labels))
        ring = keys.reload()
        for k in ring.keys.values():
            counts = "\t".join(str(usage.get(k.id, {}).get(label, 0)) for label in labels)
            self.stdout.write(f"{k.id}\t{k.suite}\t{STATES[k.state]}\t{k.created}\t{counts}")
        unknown = sorted(set(usage) - set(ring.keys))
        for key_id in unknown:
            shown, state = (key_id, "不在密钥文件中") if key_id else ("—", "未加密存放")
            counts = "\t".join(str(usage[key_id].get(label, 0)) for label in labels)
            self.stdout.write(f"{shown}\t—\t{state}\t—\t{counts}")
        if "" in usage:
            self.stderr.write("提示：有未加密存放的数据（升级前签发的复函文件），"
                              "执行 gongxin init 或 gongxin keys rotate 即加密")  # fmt: skip
        if [k for k in unknown if k]:
            self.stderr.write("警告：有数据使用的密钥不在密钥文件中，这些数据无法解密")
            raise SystemExit(1)
        try:
            checked_keyring()
        except KeyFileError as exc:
            self.stderr.write(f"警告：{exc}")
            raise SystemExit(1) from None
