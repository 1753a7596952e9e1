import getpass
import os
import time

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.db.models.functions import TruncMonth

from gongxin.core import clock
from gongxin.platform.terminal import (
    date_argument,
    progress_bar,
    report_errors,
)
from gongxin.registry.choices import ImportMode
from gongxin.registry.jobs import run_import
from gongxin.registry.models import (
    ListEntry,
    ListImport,
    ListSource,
    current_version,
    removed_by,
)
from gongxin.registry.services import ImportRefused, add_source, get_source, import_list

PROGRESS_SECONDS = 5


class ProgressLines:
    """``--progress``: a line on stderr at most every PROGRESS_SECONDS (and on each change of
    step), for logs and service managers where no progress bar can be drawn."""

    def __init__(self, out):
        self.out, self.step, self.last = out, "", 0.0

    def __call__(self, done: int, total: int, step: str) -> None:
        now = time.monotonic()
        if step == self.step and now - self.last < PROGRESS_SECONDS:
            return
        self.step, self.last = step, now
        share = f"（约 {done * 100 // total}%）" if total else ""
        self.out.write(f"{step}：已读取 {done:,}/{total:,} 行{share}" if total
                       else f"{step}：已读取 {done:,} 行")  # fmt: skip


class Command(BaseCommand):
    help = "失信联合惩戒对象名单：来源、导入、统计。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{sources,add-source,import,show}"
        )
        sub.add_parser("sources", help="列出名单来源")

        add = sub.add_parser("add-source", help="新增名单来源")
        add.add_argument("code", help="代码（小写字母、数字、-、_）")
        add.add_argument("name", help="名称")
        add.add_argument("--publisher", default="", help="发布机关")
        add.add_argument("--basis", default="", help="依据")

        imp = sub.add_parser("import", help="导入名单文件（CSV/XLSX）")
        imp.add_argument("file")
        imp.add_argument("--source", required=True, help="名单来源代码，如 sxbzxr")
        imp.add_argument(
            "--mode",
            choices=ImportMode.values,
            default=ImportMode.SNAPSHOT,
            help="snapshot：文件为完整的现行名单；delta：逐行列入/移出",
        )
        imp.add_argument(
            "--as-of",
            type=date_argument,
            help="名单日期（默认今天）；全量导入时未出现的记录以此日期移出",
        )
        imp.add_argument("--errors-csv", help="把错误清单写入此 CSV 文件")
        imp.add_argument(
            "--progress", action="store_true",
            help="每隔几秒在标准错误输出一行进度（适合日志；终端上默认显示进度条）",
        )  # fmt: skip

        show = sub.add_parser("show", help="某来源的记录统计：现行、已移出、按月")
        show.add_argument("--source", required=True)
        show.add_argument("--as-of", type=date_argument, help="统计日期（默认今天）")

    def handle(self, action, **options):
        getattr(self, "do_" + action.replace("-", "_"))(**options)

    def do_sources(self, **options):
        counts = dict(ListEntry.objects.current().values_list("source").annotate(n=Count("id")))
        self.stdout.write("代码\t名称\t发布机关\t依据\t现行记录")
        for s in ListSource.objects.order_by("code"):
            self.stdout.write(
                f"{s.code}\t{s.name}\t{s.publisher}\t{s.legal_basis}\t{counts.get(s.pk, 0)}"
            )

    def do_add_source(self, code, name, publisher, basis, **options):
        try:
            source = add_source(code, name, publisher=publisher, legal_basis=basis)
        except ImportRefused as exc:
            self.stderr.write(exc.message)
            raise SystemExit(1) from None
        self.stdout.write(f"已新增名单来源：{source}")

    def do_import(self, file, source, mode, as_of, errors_csv, progress=False, **options):
        if not os.path.isfile(file):
            self.stderr.write(f"文件不存在：{file}")
            raise SystemExit(1)
        operator = os.environ.get("GONGXIN_OPERATOR") or getpass.getuser()
        try:
            if progress:
                result = run_import(file, source_code=source, mode=mode, as_of=as_of,
                                    imported_by=f"cli:{operator}",
                                    report=ProgressLines(self.stderr))  # fmt: skip
            else:
                with progress_bar("导入") as bar:
                    result = import_list(
                        file,
                        source_code=source,
                        mode=mode,
                        as_of=as_of,
                        imported_by=f"cli:{operator}",
                        progress=bar,
                    )
        except ImportRefused as exc:
            self.stderr.write(f"导入被拒绝：{exc.message}")
            report_errors(self.stderr, exc.errors, errors_csv)
            raise SystemExit(1) from None
        self.stdout.write(result.summary)

    def do_show(self, source, as_of, **options):
        try:
            src = get_source(source)
        except ImportRefused as exc:
            self.stderr.write(exc.message)
            raise SystemExit(1) from None
        as_of = as_of or clock.today()
        version = current_version()
        entries = ListEntry.objects.of_version(version).filter(source=src, listed_on__lte=as_of)
        removed = removed_by(as_of, version)
        active = entries.exclude(removed).count()
        gone = entries.filter(removed).count()
        self.stdout.write(
            f"{src.name}（{src.code}），统计日期 {as_of.isoformat()}，名单版本 {version}"
        )
        self.stdout.write(f"现行记录：{active}\n已移出：{gone}")
        listed = dict(
            entries.annotate(m=TruncMonth("listed_on"))
            .values_list("m")
            .annotate(n=Count("id"))
            .values_list("m", "n")
        )
        out = dict(
            entries.filter(removed)
            .annotate(m=TruncMonth("removed_on"))
            .values_list("m")
            .annotate(n=Count("id"))
            .values_list("m", "n")
        )
        if listed or out:
            self.stdout.write("月份\t列入\t移出")
            for month in sorted(set(listed) | set(out)):
                self.stdout.write(f"{month:%Y-%m}\t{listed.get(month, 0)}\t{out.get(month, 0)}")
        recent = ListImport.objects.filter(source=src)[:5]
        if recent:
            self.stdout.write("最近导入：")
            for imp in recent:
                self.stdout.write(
                    f"  #{imp.pk} {clock.local(imp.finished_at):%Y-%m-%d %H:%M} "
                    f"{imp.get_mode_display()} {imp.file_name} {imp.get_status_display()} "
                    f"新增 {imp.added} 移出 {imp.removed} 未变 {imp.unchanged}"
                )
