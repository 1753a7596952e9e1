import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from gongxin.documents.models import LetterFile
from gongxin.documents.sealed import file_bytes
from gongxin.documents.verification import verify_file


class Command(BaseCommand):
    help = "查询结果复函：verify FILE 核验（有效时退出码 0，否则 1）；export --out DIR 导出归档。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{verify,export}")
        verify = sub.add_parser("verify", help="核验一份复函 PDF")
        verify.add_argument("file")
        export = sub.add_parser("export", help="导出全部已签发复函（DOCX 与 PDF）")
        export.add_argument("--out", required=True)
        export.add_argument("--unit", help="只导出该单位（代码）的复函")

    def handle(self, action, **options):
        if action == "verify":
            path = Path(options["file"])
            if not path.is_file():
                self.stderr.write(f"文件不存在：{path}")
                sys.exit(1)
            verdict = verify_file(path.read_bytes())
            self.stdout.write(("有效：" if verdict.ok else "无效：") + "；".join(verdict.reasons))
            sys.exit(0 if verdict.ok else 1)
        out = Path(options["out"])
        files = LetterFile.objects.select_related("letter__unit").order_by(
            "letter__year", "letter__number"
        )
        if options.get("unit"):
            files = files.filter(letter__unit__code=options["unit"])
        count = 0
        for f in files.iterator():
            folder = out / f.letter.unit.code / str(f.letter.year)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{f.letter.document_number}.{f.kind}").write_bytes(file_bytes(f))
            count += 1
        self.stdout.write(f"已导出 {count} 个文件到 {out}")
