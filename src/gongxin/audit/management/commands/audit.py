from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongxin.audit import purge
from gongxin.audit.integrity import CheckpointError, read_checkpoint, verify, write_checkpoint
from gongxin.audit.services import record
from gongxin.core.dates import InvalidDate, parse_date


class Command(BaseCommand):
    help = "留痕：生成链头检查点（应另处保存）；校验留痕链是否完整；清除超过保存期限的记录。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True,
                                    metavar="{checkpoint,verify,purge}")  # fmt: skip
        cp = sub.add_parser("checkpoint", help="校验留痕链并把链头写入检查点文件")
        cp.add_argument("file", type=Path)
        ver = sub.add_parser(
            "verify", help="校验留痕链；给出检查点时还核对末尾是否被删、历史是否被改写"
        )
        ver.add_argument("--checkpoint", type=Path)
        pur = sub.add_parser(
            "purge", help="清除超过保存期限的记录：先把清除边界写入检查点文件，再在一个事务中清除"
        )
        when = pur.add_mutually_exclusive_group(required=True)
        when.add_argument("--before", help="清除该日（YYYY-MM-DD）以前的记录")
        when.add_argument("--keep-days", type=int, help="保留最近若干天的记录，清除更早的")
        pur.add_argument("--checkpoint", type=Path, required=True,
                         help="清除边界检查点写入此文件（须为新文件，应另处保存）")  # fmt: skip

    def handle(self, action, **options):
        try:
            if action == "checkpoint":
                body = write_checkpoint(options["file"])
                record("system", "audit.checkpoint", ref=("ChainHead", body["seq"]))
                self.stdout.write(f"检查点已写入 {options['file']}：序号{body['seq']}，"
                                  f"摘要 {body['digest']}。请将该文件另处保存。")  # fmt: skip
                return
            if action == "purge":
                return self._purge(options)
            checkpoint = options.get("checkpoint")
            verdict = verify(read_checkpoint(checkpoint) if checkpoint else None)
        except (CheckpointError, purge.PurgeRefused) as exc:
            self.stderr.write(str(exc))
            raise SystemExit(1) from None
        broken_at = verdict.problem.seq if verdict.problem else None
        record("system", "audit.verify", outcome="ok" if verdict.ok else "failed",
               checkpoint=bool(checkpoint), broken_at=broken_at)  # fmt: skip
        (self.stdout if verdict.ok else self.stderr).write(verdict.describe())
        if not verdict.ok:
            raise SystemExit(1)

    def _purge(self, options) -> None:
        before = None
        if options.get("before"):
            try:
                before = parse_date(options["before"])
            except InvalidDate as exc:
                raise CommandError(f"--before：{exc.reason}") from None
        day = purge.cutoff(before, options.get("keep_days"))
        done = purge.purge(options["checkpoint"], day)
        self.stdout.write(
            f"已清除 {done.removed} 条 {done.before.isoformat()} 以前的留痕记录"
            f"（至序号{done.seq}）。"
            f"清除边界检查点已写入 {options['checkpoint']}，请另处保存；"
            f"此后用 gongxin audit verify --checkpoint 该文件 核对。"
        )
