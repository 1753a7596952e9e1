import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gongxin.accounts.models import PlatformUnit
from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.dates import zh_date
from gongxin.supervision import reminders

# The reminders of a day are worked out as of its morning (the rules read the product clock).
AS_OF = dt.timedelta(hours=8)


def _line(kind: str, req, tail: str) -> str:
    return f"  {kind}  #{req.pk} {req.letter_number}（{req.agency.name}）{tail}"


class Command(BaseCommand):
    help = (
        "提醒（供每日定时运行）：按人列出须由其办理下一步、今日到期、下一工作日到期或已超期的"
        "查询需求，以及未记录发起单位联系人的延期、超期说明。只列来文文号，不含人选姓名和身份号码。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", metavar="CODE", help="只列该单位（单位代码，如 bj）")
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="按该日计算（默认今天）")

    def handle(self, *args, unit=None, date=None, **options):
        units = PlatformUnit.objects.order_by("code")
        if unit:
            units = units.filter(code=unit)
            if not units.exists():
                raise CommandError(f"没有代码为 {unit} 的单位")
        try:
            day = dt.date.fromisoformat(date) if date else clock.today()
        except ValueError:
            raise CommandError(f"日期 {date} 格式不正确，应为 YYYY-MM-DD") from None
        with clock.pinned(clock.start_of(day) + AS_OF):
            found = [(u, reminders.unit_reminders(u.pk, day)) for u in units]
            lines = self._report(day, found)
        self.stdout.write("\n".join(lines))
        total = {key: sum(each.counts()[key] for _, each in found)
                 for key in ("people", "overdue", "today", "next", "no_contact")}  # fmt: skip
        with transaction.atomic():
            record("system", "supervision.remind", ref=("PlatformUnit", unit or ""),
                   remind_date=day.isoformat(), units=len(found), reminded=total["people"],
                   due_overdue=total["overdue"], due_today=total["today"],
                   due_next=total["next"], no_contact=total["no_contact"])  # fmt: skip

    def _report(self, day, found) -> list[str]:
        lines = []
        for unit, each in found:
            if each.next_workday:
                following = f"下一工作日{zh_date(each.next_workday)}"
            else:
                following = f"无法确定下一工作日：{each.calendar_problem}，暂只列明天到期的"
            lines.append(f"{unit.name}（{unit.code}）提醒，{zh_date(day)}，{following}")
            told = [r for r in each.people if r.count]
            for r in told:
                p = r.person
                lines.append(f"{p.user.get_username()} {p.full_name}（{unit.name}）：{r.count} 项")
                for d in r.due:
                    tail = f"待{d.step}，办结期限{zh_date(d.request.deadline)}"
                    lines.append(_line(d.when_label, d.request, tail))
                for e in r.no_contact:
                    lines.append(_line("未记录发起单位联系人", e.request, e.get_kind_display()))
            if not told:
                lines.append("  无提醒")
        return lines
