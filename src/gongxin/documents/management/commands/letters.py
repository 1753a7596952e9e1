import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from gongxin.audit.services import record
from gongxin.documents.integrity import alarm, content_problems, opened
from gongxin.documents.models import LetterFile
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
            "letter__year", "letter__number", "kind"
        )
        if options.get("unit"):
            files = files.filter(letter__unit__code=options["unit"])
        count, refused, purged, checked = 0, [], 0, {}
        for f in files.iterator():
            if f.purged_at is not None:  # the product's retention period is over
                purged += 1
                continue
            letter = f.letter
            if letter.pk not in checked:  # what the letter says, once per letter
                checked[letter.pk] = content_problems(letter)
            data, problem = opened(f)
            problems = checked[letter.pk] + ([problem] if problem else [])
            if problems:
                alarm("system", letter, problems, via="export", format=f.kind)
                refused.append(f"{letter.document_number}.{f.kind}：{'；'.join(problems)}")
                continue
            folder = out / letter.unit.code / str(letter.year)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{letter.document_number}.{f.kind}").write_bytes(data)
            count += 1
        record("system", "letters.export", ref=("Letter", ""), files=count, refused=len(refused),
               purged=purged, unit=options.get("unit") or "")  # fmt: skip
        said = f"已导出 {count} 个文件到 {out}"
        if purged:
            said += f"；{purged} 个文件已按保存期限清除，未导出"
        self.stdout.write(said)
        if refused:
            self.stderr.write(f"{len(refused)} 个文件与签发时固定的内容不一致，未导出，"
                              "已向审计管理员告警：")  # fmt: skip
            for line in refused:
                self.stderr.write(f"  {line}")
            sys.exit(1)
