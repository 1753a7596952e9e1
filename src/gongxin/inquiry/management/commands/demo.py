from django.conf import settings
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
        sub.add_parser("load", help="载入演示数据")

    def handle(self, action, **options):
        out = settings.HOME / "demo"
        out.mkdir(parents=True, exist_ok=True)
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
        self.stdout.write(f"演示人选文件：{candidates}（试用：gongxin screen {candidates}）")
        accounts, created = load(settings.HOME)
        self.stdout.write(f"演示查询需求：新建 {created} 件（已有的保持不变）")
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, unit, roles in accounts:
            self.stdout.write(f"  {username:<22}{unit}  {roles}")
