"""Uploaded files hold personal data: they live only in Gongxin's own upload directory and what
a crashed process left there is removed when the next one starts."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import RequestFactory

from gongxin.platform.uploads import LEFTOVER_SECONDS, sweep_leftovers

SRC = Path(__file__).resolve().parent.parent / "src"


def test_a_large_upload_is_spooled_into_gongxin_s_upload_directory_not_tmp():
    body = b"x" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1)

    request = RequestFactory().post("/", {"file": SimpleUploadedFile("人选.csv", body)})
    upload = request.FILES["file"]
    assert isinstance(upload, TemporaryUploadedFile)
    assert Path(upload.temporary_file_path()).parent == settings.UPLOAD_DIR
    upload.close()


def age(path: Path, seconds: float) -> Path:
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_the_sweep_removes_what_is_old_and_keeps_an_upload_in_progress(tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    left = uploads / "tmpa1b2.upload.csv"
    left.write_bytes(b"left by a crash")
    age(left, LEFTOVER_SECONDS + 60)
    current = uploads / "tmpc3d4.upload.xlsx"
    current.write_bytes(b"being written")
    (uploads / "a-directory").mkdir()
    assert sweep_leftovers(uploads) == 1
    assert not left.exists() and current.exists() and (uploads / "a-directory").is_dir()


def test_a_missing_upload_directory_is_made_for_the_owner_only(tmp_path):
    sweep_leftovers(tmp_path / "uploads")
    assert (tmp_path / "uploads").stat().st_mode & 0o777 == 0o700
    sweep_leftovers(tmp_path / "no-home" / "uploads")  # no home yet: nothing made
    assert not (tmp_path / "no-home").exists()


def test_what_a_crashed_process_left_is_gone_once_any_gongxin_process_starts(tmp_path):
    home = tmp_path / "home"
    (home / "uploads").mkdir(parents=True)
    left = home / "uploads" / "tmpzz.upload.csv"
    left.write_text("张三,11010519491231002X\n", encoding="utf-8")
    age(left, LEFTOVER_SECONDS + 60)
    fresh = home / "uploads" / "tmpyy.upload.csv"
    fresh.write_text("李四,440524188001010014\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "GONGXIN_KEY_FILE")}  # fmt: skip
    env.update(GONGXIN_HOME=str(home), PYTHONPATH=str(SRC))
    subprocess.run([sys.executable, "-m", "gongxin.cli", "idcheck", "11010519491231002X"],
                   env=env, cwd=tmp_path, capture_output=True, check=True, timeout=120)  # fmt: skip
    assert not left.exists()
    assert fresh.exists()  # another process's upload in progress
