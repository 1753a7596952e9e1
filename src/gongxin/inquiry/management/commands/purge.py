from django.core.management.base import BaseCommand

from gongxin.core import clock
from gongxin.inquiry.services import retention


class Command(BaseCommand):
    help = "按保存期限清除：candidates 清除办结已超过保存期限的查询需求的人选信息与复函文件。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="{candidates}")
        candidates = sub.add_parser(
            "candidates",
            help="清除办结（已反馈或退回）超过 GONGXIN_CANDIDATE_RETENTION_DAYS 天的查询需求的"
            "人选姓名、公民身份号码、索引、匹配记录、复核理由和复函文件；来文、文号、人数、"
            "结果和留痕保留",
        )
        candidates.add_argument("--dry-run", action="store_true", help="只列出，不清除")

    def handle(self, what, **options):
        try:
            days = retention.retention_days()
            due = list(retention.due())
        except retention.RetentionRefused as exc:
            self.stderr.write(str(exc))
            raise SystemExit(1) from None
        before = clock.local(retention.cutoff()).date().isoformat()
        if options["dry_run"]:
            for req in due:
                self.stdout.write(f"{req.pk}\t{req.agency.name} {req.letter_number}\t"
                                  f"办结于 {clock.local(req.closed_at):%Y-%m-%d}")  # fmt: skip
            self.stdout.write(f"共 {len(due)} 件办结于 {before} 以前（保存期限 {days} 天），"
                              "未清除（--dry-run）")  # fmt: skip
            return
        done = retention.purge_candidates("system")
        self.stdout.write(
            f"已清除 {len(done)} 件查询需求的人选信息（办结于 {before} 以前，保存期限 {days} 天）："
            f"人选 {sum(d.candidates for d in done)} 名，"
            f"匹配记录 {sum(d.matches for d in done)} 条，"
            f"复函文件 {sum(d.letter_files for d in done)} 个。"
        )
