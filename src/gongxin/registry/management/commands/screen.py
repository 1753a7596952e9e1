import csv
import json
import sys

from django.core.management.base import BaseCommand

from gongxin.core import clock
from gongxin.core.text import spreadsheet_cell
from gongxin.platform.terminal import date_argument, report_errors
from gongxin.registry.files import FileFormatError
from gongxin.registry.screening import read_candidates, screen

HEADERS = ["行号", "姓名", "公民身份号码", "结果", "命中记录"]


class Command(BaseCommand):
    help = (
        "按查询日期比对人选名单（CSV/XLSX，列：姓名、公民身份号码、拟任职位）。"
        "有错误行时，错误行不比对，退出码为 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="人选文件（.csv 或 .xlsx）")
        parser.add_argument("--as-of", type=date_argument, help="查询日期（默认今天）")
        parser.add_argument("--format", choices=["json", "csv", "table"], default="table")
        parser.add_argument("--errors-csv", help="把错误行清单写入此 CSV 文件")

    def handle(self, file, as_of, format, errors_csv, **options):
        as_of = as_of or clock.today()
        try:
            candidates, errors = read_candidates(file)
        except FileFormatError as exc:
            self.stderr.write(f"无法读取人选文件：{exc.reason}")
            raise SystemExit(1) from None
        except FileNotFoundError:
            self.stderr.write(f"文件不存在：{file}")
            raise SystemExit(1) from None
        result = screen(candidates, as_of) if not errors else None
        errors = errors or result.errors
        rows = result.results if result else []
        if format == "json":
            self.stdout.write(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        elif format == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(HEADERS)
            for r in rows:  # cells a spreadsheet would run as a formula are escaped
                writer.writerow([spreadsheet_cell(c) for c in self._cells(r)])
        else:
            self.stdout.write(f"查询日期：{as_of.isoformat()}")
            for r in rows:
                self.stdout.write("  ".join(str(c) for c in self._cells(r)))
        hits = sum(1 for r in rows if r.entries)
        self.stderr.write(
            f"共比对 {len(rows)} 人，有匹配 {hits} 人，错误行 "
            f"{len({e.row for e in errors})} 行（查询日期 {as_of.isoformat()}）"
        )
        if errors:
            self.stderr.write("以下行有错误，未比对：")
            report_errors(self.stderr, errors, errors_csv)
            sys.exit(1)

    @staticmethod
    def _cells(r):
        found = "；".join(f"{e.source}#{e.entry_id}（{e.match.label}）" for e in r.entries)
        return [r.row, r.name, r.id_number_masked, r.match.label, found or "—"]
