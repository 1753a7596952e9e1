import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from gongxin.accounts import secondfactor
from gongxin.accounts.workstations import enrol_url
from gongxin.core import clock
from gongxin.core.synthetic import Generator
from gongxin.inquiry.demo import DEMO_PASSWORD, demo_account, load
from gongxin.registry.demo import write_candidates, write_list
from gongxin.registry.services import import_list
from gongxin.supervision import demo as supervision_demo

# (source, entries, seed): fixed seeds give the same files, so loading twice changes nothing.
DEMO_LISTS = (("sxbzxr", 20_000, 1), ("zdsswf", 2_000, 2), ("yzwfsx", 2_000, 3))


class Command(BaseCommand):
    help = (
        "把演示数据放入 GONGXIN_HOME：合成名单、单位、人员、各状态的查询需求、演示专用终端和"
        "动态验证码。可重复执行。totp：显示演示账号当前的动态验证码。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,totp}")
        load_parser = sub.add_parser("load", help="载入演示数据")
        load_parser.add_argument(
            "--files",
            help="把生成的合成名单和人选文件保留在此目录（默认不保留：文件含姓名和身份号码，"
            "GONGXIN_HOME 中只存放加密后的数据）",
        )
        totp = sub.add_parser("totp", help="显示演示账号当前的动态验证码（仅限仍用演示密码的账号）")
        totp.add_argument("username", help="演示账号，如 bj-handler1")

    def handle(self, action, files=None, **options):
        if action == "totp":
            return self.totp(options["username"])
        # The generated files hold names and ID numbers in plain text: they are made outside
        # GONGXIN_HOME and removed after loading, unless asked to be kept elsewhere.
        with tempfile.TemporaryDirectory(prefix="gongxin-demo-") as scratch:
            out = Path(files) if files else Path(scratch)
            out.mkdir(parents=True, exist_ok=True)
            self._load(out, kept=bool(files))

    def _load(self, out: Path, *, kept: bool) -> None:
        hits = []
        for code, count, seed in DEMO_LISTS:
            gen = Generator(seed)
            path = out / f"list-{code}.csv"
            sample = write_list(path, gen, count, org_share=0.3 if code != "sxbzxr" else 0.02)
            hits.extend(sample[:200])
            result = import_list(path, source_code=code, as_of=gen.today, imported_by="demo")
            self.stdout.write(result.summary)
        candidates = out / "candidates.csv"
        write_candidates(candidates, Generator(4), 200, hits, hit_share=0.1)
        if kept:
            self.stdout.write(f"演示人选文件：{candidates}（试用：gongxin screen {candidates}）")
        else:
            self.stdout.write("生成的合成名单与人选文件已删除（加 --files 目录 可保留，供试用 "
                              "gongxin screen）")  # fmt: skip
        accounts, created, codes, totp_secrets = load(out)
        self.stdout.write(f"演示查询需求：新建 {created} 件（已有的保持不变）")
        for line in supervision_demo.load(clock.today()):
            self.stdout.write(line)
        self.stdout.write(
            "\n只能在登记的专用终端（专机）上登录。先在本机浏览器中打开所要使用单位的登记地址"
            "（一次性登记码，本次有效；一个浏览器同时只属于一个单位，换单位或重新登记请再执行"
            " gongxin demo load）："
        )
        for unit, code in codes:
            self.stdout.write(f"  {unit}：{enrol_url(code)}")
        self.stdout.write(
            f"\n演示账号（密码均为 {DEMO_PASSWORD}；登录时另需 6 位动态验证码：把密钥加入手机"
            "验证器，或执行 gongxin demo totp 用户名 查看当前验证码）："
        )
        for username, unit, roles in accounts:
            secret = totp_secrets.get(username, "")
            self.stdout.write(f"  {username:<22}{unit}  {roles}  密钥 {secret}")

    def totp(self, username: str) -> None:
        user = demo_account(username)
        devices = secondfactor.confirmed_devices(user) if user is not None else []
        if not devices:
            self.stderr.write(
                f"{username} 不是仍使用演示密码的演示账号（或尚未绑定动态验证码）："
                "本命令只为演示账号显示验证码，不能用于真实账号。"
            )
            raise SystemExit(1)
        device = devices[0]
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        left = device.step - (int(totp.time) - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stderr.write(
            f"{username} 当前的动态验证码，约 {left} 秒后更新；每个验证码只能使用一次，"
            "登录后再次登录请等下一个。"
        )
