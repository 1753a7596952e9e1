"""The key file lives apart from the database, so a copy of the database directory never
holds the key that opens it; `gongxin init` says where the key file is and how to keep it.
A home made before the data/ and keys/ directories keeps working and is told how to move."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"


@pytest.fixture
def run(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "GONGXIN_KEY_FILE")}  # fmt: skip
    env.update(GONGXIN_HOME=str(tmp_path / "home"), PYTHONPATH=str(SRC))

    def gongxin(*args, **more_env):
        proc = subprocess.run([sys.executable, "-m", "gongxin.cli", *args], cwd=tmp_path,
                              env={**env, **more_env}, capture_output=True, text=True,
                              timeout=120)  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    return gongxin


def key_material(key_file: Path) -> list[bytes]:
    """Every secret string of the key file (what must never be found next to the data)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and len(node) >= 32:
            found.append(node.encode())

    walk(json.loads(key_file.read_text()))
    assert found
    return found


def test_a_new_home_keeps_the_key_file_out_of_the_database_directory(run, tmp_path):
    home = tmp_path / "home"
    said = run("init")
    key_file = home / "keys" / "keys.json"
    assert key_file.is_file() and (home / "data" / "gongxin.sqlite3").is_file()
    assert f"密钥文件位于 {key_file}" in said.stdout
    assert "单独备份" in said.stdout and "切勿与数据库放在一起备份" in said.stdout
    assert "警告" not in said.stderr
    # A backup of the database directory holds the data and nothing that opens it.
    assert {p.name for p in (home / "data").iterdir()} <= {
        "gongxin.sqlite3", "gongxin.sqlite3-wal", "gongxin.sqlite3-shm",
    }  # fmt: skip
    copy = b"".join(p.read_bytes() for p in (home / "data").iterdir())
    assert not any(secret in copy for secret in key_material(key_file))
    for directory in ("data", "keys"):
        assert (home / directory).stat().st_mode & 0o777 == 0o700
    assert "gongxin.W001" not in run("check").stderr


def test_an_older_home_keeps_working_and_is_told_to_move_its_files_apart(run, tmp_path):
    home = tmp_path / "home"
    run("init")
    run("lists", "add-source", "mine", "本单位名单")
    # As homes were made before: database and key file side by side in the home.
    for name in ("gongxin.sqlite3", "gongxin.sqlite3-wal", "gongxin.sqlite3-shm"):
        if (home / "data" / name).exists():
            (home / "data" / name).rename(home / name)
    (home / "keys" / "keys.json").rename(home / "keys.json")
    (home / "data").rmdir()
    (home / "keys").rmdir()

    again = run("init")
    assert f"沿用已有密钥文件 {home / 'keys.json'}" in again.stdout
    warning = again.stderr
    assert "警告" in warning and "备份数据库目录时密钥会被一并备份" in warning
    assert f"移到 {home / 'data'}/" in warning and f"移到 {home / 'keys'}/" in warning
    assert "gongxin.W001" in run("check").stderr
    assert "mine" in run("lists", "sources").stdout  # the data is still found

    # Done as the warning says: the same data, no warning any more.
    (home / "data").mkdir(mode=0o700)
    (home / "keys").mkdir(mode=0o700)
    for name in ("gongxin.sqlite3", "gongxin.sqlite3-wal", "gongxin.sqlite3-shm"):
        if (home / name).exists():
            (home / name).rename(home / "data" / name)
    (home / "keys.json").rename(home / "keys" / "keys.json")
    moved = run("init")
    assert f"沿用已有密钥文件 {home / 'keys' / 'keys.json'}" in moved.stdout
    assert "警告" not in moved.stderr
    assert "mine" in run("lists", "sources").stdout


def test_a_key_file_named_inside_the_database_directory_is_warned_about(run, tmp_path):
    """GONGXIN_KEY_FILE chosen badly: the warning says to change it."""
    home = tmp_path / "home"
    run("init")
    badly = home / "data" / "keys.json"
    (home / "keys" / "keys.json").rename(badly)
    said = run("init", GONGXIN_KEY_FILE=str(badly))
    assert f"沿用已有密钥文件 {badly}" in said.stdout
    assert "移到数据库所在目录以外，并相应修改 GONGXIN_KEY_FILE" in said.stderr
