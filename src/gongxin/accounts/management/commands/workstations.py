"""`gongxin workstations`: register a unit's first workstation from the server, before anyone
can sign in (a new installation, or every workstation of a unit lost), list them, and give one
a new enrolment code. Everything else is the security administrator's 专机管理 page."""

from __future__ import annotations

import getpass
import os

from django.core.management.base import BaseCommand

from gongxin.accounts import workstations
from gongxin.accounts.models import PlatformUnit, Workstation
from gongxin.core import clock
from gongxin.platform.errors import WorkflowError


def operator() -> str:
    return f"cli:{os.environ.get('GONGXIN_OPERATOR') or getpass.getuser()}"


class Command(BaseCommand):
    help = "专用终端（专机）：登记（给出一次性登记码）、列出、重新生成登记码。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True,
                                    metavar="{register,list,code}")  # fmt: skip
        register = sub.add_parser("register", help="登记专用终端并给出登记码")
        register.add_argument("--unit", required=True, help="单位代码，如 bj")
        register.add_argument("--name", required=True, help="名称，如 安全管理员机")
        register.add_argument("--ranges", default="", help="地址范围，逗号分隔，如 10.1.0.0/16")
        listing = sub.add_parser("list", help="列出专用终端")
        listing.add_argument("--unit", help="只列出该单位的")
        code = sub.add_parser("code", help="为专用终端重新生成登记码")
        code.add_argument("id", type=int, help="专用终端编号（list 第一列）")

    def handle(self, action, **options):
        try:
            getattr(self, f"do_{action}")(**options)
        except WorkflowError as exc:
            self.stderr.write(exc.explanation)
            raise SystemExit(1) from None

    def do_register(self, unit, name, ranges, **options):
        found = PlatformUnit.objects.filter(code=unit).first()
        if found is None:
            self.stderr.write(f"没有代码为 {unit} 的单位")
            raise SystemExit(1)
        ws, code = workstations.register(operator(), found, name, ranges)
        self._said(ws, code)

    def do_list(self, unit=None, **options):
        rows = Workstation.objects.select_related("unit").order_by("unit__code", "pk")
        if unit:
            rows = rows.filter(unit__code=unit)
        for ws in rows:
            state = "启用" if ws.active else "已停用"
            enrolled = "已登记浏览器" if ws.enrolled_at else "尚未登记浏览器"
            ranges = ",".join(ws.address_ranges) or "不限地址"
            self.stdout.write(f"{ws.pk:>5}  {ws.unit.code:<10}{ws.name}  {state}  {enrolled}  "
                              f"{ranges}")  # fmt: skip

    def do_code(self, id, **options):
        ws, code = workstations.reissue_code(operator(), id)
        self._said(ws, code)

    def _said(self, ws, code: str) -> None:
        until = clock.local(ws.code_expires_at).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(f"专用终端 #{ws.pk}“{ws.name}”（{ws.unit.name}）")
        self.stdout.write(f"登记码：{code}（{until} 前有效，只能使用一次）")
        self.stdout.write(f"在该机浏览器中打开：{workstations.enrol_url(code)}")
