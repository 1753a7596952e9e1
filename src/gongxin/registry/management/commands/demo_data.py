from pathlib import Path

from django.core.management.base import BaseCommand

from gongxin.core.synthetic import Generator
from gongxin.registry.demo import write_candidates, write_list


class Command(BaseCommand):
    help = "生成合成测试数据（有效的身份号码与姓名，任意规模）：名单文件与人选文件（CSV）。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--entries", type=int, default=1000, help="名单记录数")
        parser.add_argument("--candidates", type=int, default=100, help="人选数")
        parser.add_argument("--out", required=True, help="输出目录")
        parser.add_argument("--seed", type=int, default=20201209)
        parser.add_argument("--hit-share", type=float, default=0.05, help="人选中取自名单的比例")
        parser.add_argument(
            "--masked-share", type=float, default=0.1, help="隐去部分号码的记录比例"
        )

    def handle(self, entries, candidates, out, seed, hit_share, masked_share, **options):
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        gen = Generator(seed)
        list_path = out / "list-sxbzxr.csv"
        sample = write_list(list_path, gen, entries, masked_share)
        cand_path = out / "candidates.csv"
        write_candidates(cand_path, gen, candidates, sample, hit_share)
        self.stdout.write(
            f"名单文件：{list_path}（{entries} 条）\n人选文件：{cand_path}（{candidates} 人）"
        )
