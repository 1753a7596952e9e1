from django.core.management.base import BaseCommand

from gongxin.accounts.expiry import expire, idle_accounts, idle_days, units_left_without_secadmin
from gongxin.core import clock
from gongxin.core.dates import zh_date


class Command(BaseCommand):
    help = "账号管理：停用长期未使用的账号（供每日定时任务调用）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{expire}")
        expire_parser = sub.add_parser(
            "expire",
            help="停用超过规定天数（GONGXIN_ACCOUNT_IDLE_DAYS，默认90天）未登录的账号并结束其会话；"
            "从未登录的按开设时间计算；系统管理员、安全管理员、审计管理员的账号同样适用",
        )
        expire_parser.add_argument("--dry-run", action="store_true",
                                   help="只列出将被停用的账号，不作修改")  # fmt: skip

    def handle(self, action, **options):
        dry_run = options["dry_run"]
        found = idle_accounts()
        days = idle_days()
        if not found:
            self.stdout.write(f"没有超过 {days} 天未使用的账号，未作修改。")
            return
        if dry_run:
            self.stdout.write(f"以下 {len(found)} 个账号已超过 {days} 天未使用，"
                              "执行时将被停用（本次为演练，未作修改）：")  # fmt: skip
        stopped = []
        for idle in found:
            if not dry_run and not expire(idle):
                continue  # used or stopped since it was found
            stopped.append(idle)
            self.stdout.write(f"  {self._describe(idle)}")
        if dry_run:
            return
        self.stdout.write(f"已停用 {len(stopped)} 个账号，其登录会话均已结束；"
                          "如需恢复，请由本单位安全管理员在“人员管理”中启用。")  # fmt: skip
        for name in units_left_without_secadmin({i.staff.unit for i in stopped}):
            self.stderr.write(
                f"注意：{name}已没有在岗的安全管理员，请由系统运维人员按应急预案处理。"
            )

    @staticmethod
    def _describe(idle) -> str:
        staff = idle.staff
        since = zh_date(clock.local(idle.last_used).date())
        used = f"最后登录于{since}" if idle.signed_in else f"开设于{since}，从未登录"
        roles = "、".join(g.get_role_display() for g in staff.current_grants()) or "无角色"
        return (f"{staff.user.username}（{staff.full_name}，{staff.unit.name}，{roles}）："
                f"{used}，已 {idle.days} 天未使用")  # fmt: skip
