"""gongxin tally: count the closed requests for the statistics ahead of their first reader."""

import time

from django.core.management.base import BaseCommand, CommandError

from gongxin.accounts.models import PlatformUnit
from gongxin.platform import planner
from gongxin.supervision.figures import fill_tallies


class Command(BaseCommand):
    help = (
        "统计预计数：把已办结查询需求的统计计数预先算好（部署、导入历史数据或修改节假日安排后运行，"
        "也可每夜定时运行），使服务统计和全国监督页面的首次打开不必现算；"
        "SQLite 数据库同时更新查询统计信息。只写计数，不改任何业务记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", metavar="CODE", help="只计该单位（单位代码，如 bj）")

    def handle(self, *args, unit=None, **options):
        units = PlatformUnit.objects.order_by("code")
        if unit:
            units = units.filter(code=unit)
            if not units.exists():
                raise CommandError(f"没有代码为 {unit} 的单位")
        started = time.monotonic()
        counted = fill_tallies(units)
        took = time.monotonic() - started
        self.stdout.write(f"已计数 {counted} 件已办结查询需求（用时 {took:.1f} 秒）。")
        if planner.refresh():  # the planner's statistics follow the data (SQLite)
            self.stdout.write("已更新数据库查询统计信息。")
