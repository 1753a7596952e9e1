from pathlib import Path

from django.core.management.base import BaseCommand

from gongxin.audit.integrity import CheckpointError, read_checkpoint, verify, write_checkpoint
from gongxin.audit.services import record


class Command(BaseCommand):
    help = "留痕：生成链头检查点（应另处保存）；校验留痕链是否完整。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{checkpoint,verify}")
        cp = sub.add_parser("checkpoint", help="校验留痕链并把链头写入检查点文件")
        cp.add_argument("file", type=Path)
        ver = sub.add_parser(
            "verify", help="校验留痕链；给出检查点时还核对末尾是否被删、历史是否被改写"
        )
        ver.add_argument("--checkpoint", type=Path)

    def handle(self, action, **options):
        try:
            if action == "checkpoint":
                body = write_checkpoint(options["file"])
                record("system", "audit.checkpoint", ref=("ChainHead", body["seq"]))
                self.stdout.write(f"检查点已写入 {options['file']}：序号{body['seq']}，"
                                  f"摘要 {body['digest']}。请将该文件另处保存。")  # fmt: skip
                return
            checkpoint = options.get("checkpoint")
            verdict = verify(read_checkpoint(checkpoint) if checkpoint else None)
        except CheckpointError as exc:
            self.stderr.write(str(exc))
            raise SystemExit(1) from None
        broken_at = verdict.problem.seq if verdict.problem else None
        record("system", "audit.verify", outcome="ok" if verdict.ok else "failed",
               checkpoint=bool(checkpoint), broken_at=broken_at)  # fmt: skip
        (self.stdout if verdict.ok else self.stderr).write(verdict.describe())
        if not verdict.ok:
            raise SystemExit(1)
