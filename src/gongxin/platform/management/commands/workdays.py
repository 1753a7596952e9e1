import sys

from django.core.management.base import BaseCommand

from gongxin.core.workdays import DEADLINE_WORKDAYS, CalendarUnavailable
from gongxin.platform.calendar import work_calendar
from gongxin.platform.terminal import date_argument


class Command(BaseCommand):
    help = "工作日：deadline DATE 打印收文日期之后第 N 个工作日（默认 3）；年份未配置时退出码为 1。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{deadline}")
        deadline = sub.add_parser("deadline", help="办结期限")
        deadline.add_argument("date", type=date_argument, help="收文日期")
        deadline.add_argument("--days", type=int, default=DEADLINE_WORKDAYS, help="工作日数")

    def handle(self, action, date, days, **options):
        if not 1 <= days <= 366:
            self.stderr.write("工作日数应在 1 到 366 之间")
            sys.exit(1)
        try:
            self.stdout.write(work_calendar().add_workdays(date, days).isoformat())
        except CalendarUnavailable as exc:
            self.stderr.write(exc.message)
            sys.exit(1)
