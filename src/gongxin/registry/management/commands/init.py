import os
import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from gongxin.core.crypto import KeyFileError, KeyRing, self_test
from gongxin.platform.keys import key_file_problem, sqlite_directory
from gongxin.platform.sealed import seal_unsealed


class Command(BaseCommand):
    help = "准备 GONGXIN_HOME：创建目录、迁移数据库、生成密钥文件（已有则保留）。可重复执行。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--suite",
            choices=["gm", "intl"],
            default=settings.CRYPTO_SUITE,
            help="新密钥文件使用的密码套件（默认 gm：SM4-GCM + HMAC-SM3）",
        )

    def handle(self, suite, **options):
        self_test()
        home = settings.HOME
        home.mkdir(parents=True, exist_ok=True)
        os.chmod(home, 0o700)
        settings.UPLOAD_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The database and the key file each in a directory of their own (settings.py).
        database_dir = sqlite_directory()
        for directory in filter(None, (database_dir, settings.KEY_FILE.parent)):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        secret = settings.SECRET_KEY_FILE  # in the shared directory: one for every node
        if not secret.exists() and not os.environ.get("DJANGO_SECRET_KEY"):
            secret.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            secret.write_text(secrets.token_urlsafe(50))
            secret.chmod(0o600)
        created = not settings.KEY_FILE.exists()
        if created:
            ring = KeyRing.create(settings.KEY_FILE, suite)
            key_note = f"已生成密钥文件 {settings.KEY_FILE}（密钥 {ring.active.id}，套件 {suite}）"
        else:
            ring = KeyRing.load(settings.KEY_FILE)
            key_note = f"沿用已有密钥文件 {settings.KEY_FILE}（当前密钥 {ring.active.id}）"
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)  # settings.CACHES: shared by every node
        try:
            sealed = {label: n for label, n in seal_unsealed().items() if n}
        except KeyFileError:
            # A new key file for a database whose data was written with another one (a second
            # server pointed at the same database, say): take the new file away again.
            if created:
                settings.KEY_FILE.unlink()
            raise
        db = settings.DATABASES["default"]
        where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db['ENGINE']} {db['NAME']}"
        self.stdout.write(f"GONGXIN_HOME：{home}\n数据库：{where}（已迁移）\n{key_note}")
        self.stdout.write(
            f"密钥文件位于 {settings.KEY_FILE}：没有它，数据库中的姓名和身份号码无法读取。"
            "请把它单独备份，与数据库的备份分开保管，切勿与数据库放在一起备份。"
        )
        if problem := key_file_problem():
            self.stderr.write(f"警告：{problem}")
        if sealed:
            detail = "，".join(f"{label} {n} 条" for label, n in sorted(sealed.items()))
            self.stdout.write(f"已加密此前未加密存放的数据：{detail}")
