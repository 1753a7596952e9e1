from django.core.management.base import BaseCommand

from gongxin.core import idnumber
from gongxin.core.dates import zh_date


class Command(BaseCommand):
    help = "校验公民身份号码（GB 11643）：有效时退出码为 0，无效时为 1。15 位号码给出 18 位号码。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("number", help="公民身份号码（18 位或 15 位）")

    def handle(self, number, **options):
        try:
            info = idnumber.describe(number)
        except idnumber.InvalidIdNumber as exc:
            self.stdout.write(f"无效：{exc.reason}")
            raise SystemExit(1) from None
        lines = [f"有效：{info.number}"]
        if info.upgraded_from_15:
            lines.append("15 位号码已升位为 18 位")
        lines.append(f"出生日期：{zh_date(info.birth_date)}")
        lines.append(f"性别：{info.sex}")
        lines.append(f"地址码：{info.region}")
        self.stdout.write("\n".join(lines))
