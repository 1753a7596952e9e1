import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from gongxin.core.synthetic import Generator
from gongxin.inquiry.demo import DEMO_PASSWORD, load
from gongxin.registry.demo import write_candidates, write_list
from gongxin.registry.services import import_list

# (source, entries, seed): fixed seeds give the same files, so loading twice changes nothing.
DEMO_LISTS = (("sxbzxr", 20_000, 1), ("zdsswf", 2_000, 2), ("yzwfsx", 2_000, 3))


class Command(BaseCommand):
    help = "把演示数据放入 GONGXIN_HOME：合成名单、单位、人员、各状态的查询需求。可重复执行。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load}")
        load_parser = sub.add_parser("load", help="载入演示数据")
        load_parser.add_argument(
            "--files",
            help="把生成的合成名单和人选文件保留在此目录（默认不保留：文件含姓名和身份号码，"
            "GONGXIN_HOME 中只存放加密后的数据）",
        )

    def handle(self, action, files=None, **options):
        # The generated files hold names and ID numbers in plain text: they are made outside
        # GONGXIN_HOME and removed after loading, unless asked to be kept elsewhere.
        with tempfile.TemporaryDirectory(prefix="gongxin-demo-") as scratch:
            out = Path(files) if files else Path(scratch)
            out.mkdir(parents=True, exist_ok=True)
            self._load(out, kept=bool(files))

    def _load(self, out: Path, *, kept: bool) -> None:
        hits = []
        for code, count, seed in DEMO_LISTS:
            gen = Generator(seed)
            path = out / f"list-{code}.csv"
            sample = write_list(path, gen, count, org_share=0.3 if code != "sxbzxr" else 0.02)
            hits.extend(sample[:200])
            result = import_list(path, source_code=code, as_of=gen.today, imported_by="demo")
            self.stdout.write(result.summary)
        candidates = out / "candidates.csv"
        write_candidates(candidates, Generator(4), 200, hits, hit_share=0.1)
        if kept:
            self.stdout.write(f"演示人选文件：{candidates}（试用：gongxin screen {candidates}）")
        else:
            self.stdout.write("生成的合成名单与人选文件已删除（加 --files 目录 可保留，供试用 "
                              "gongxin screen）")  # fmt: skip
        accounts, created = load(out)
        self.stdout.write(f"演示查询需求：新建 {created} 件（已有的保持不变）")
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, unit, roles in accounts:
            self.stdout.write(f"  {username:<22}{unit}  {roles}")
