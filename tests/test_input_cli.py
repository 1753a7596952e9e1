"""The command line, fed what people type and what they find on disk: full-width digits,
formulas in names, a broken spreadsheet, dates at the end of time. A clear Chinese message and
an exit code, never a traceback; names that could run as formulas are written escaped."""

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import FULL_WIDTH, LI, ZHANG, person_row, write_csv
from tests.hostile import HOSTILE_SHEETS, xlsx_with_sheet

GONGXIN = str(Path(sys.executable).parent / "gongxin")


@pytest.fixture
def run(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}  # fmt: skip
    env["GONGXIN_HOME"] = str(tmp_path / "home")
    # This checkout's code, whichever checkout the installed command was installed from.
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent / "src")

    def gongxin(*args, expect=0):
        proc = subprocess.run([GONGXIN, *map(str, args)], env=env, capture_output=True,
                              text=True, timeout=120, cwd=tmp_path)  # fmt: skip
        assert proc.returncode == expect, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
        return proc

    return gongxin


def test_command_line_takes_full_width_digits_and_escapes_formulas(run, tmp_path):
    ok = run("idcheck", ZHANG[1].translate(FULL_WIDTH))
    assert "有效：11010519491231002X" in ok.stdout
    run("idcheck", "１１０１０５", expect=1)
    run("init")
    listing = write_csv(tmp_path / "list.csv", [person_row("王五", "440524198001010013"
                                                             .translate(FULL_WIDTH))])  # fmt: skip
    assert "新增 1" in run("lists", "import", listing, "--source", "sxbzxr").stdout
    candidates = tmp_path / "c.csv"
    with open(candidates, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["姓名", "公民身份号码"])
        writer.writerow(["=cmd|'/C calc'!A0", LI[1].translate(FULL_WIDTH)])
        writer.writerow(["王五", "440524198001010013"])
    out = run("screen", candidates, "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[1][1] == "'=cmd|'/Ccalc'!A0"  # names lose their spaces, and are escaped
    assert rows[2][3] == "完全匹配"


def test_command_line_workdays_at_the_end_of_time(run):
    run("init")
    answer = run("workdays", "deadline", "9999-12-31", expect=1)
    assert "无法计算" in answer.stderr


def test_a_broken_xlsx_on_the_command_line(run, tmp_path):
    run("init")
    path = xlsx_with_sheet(tmp_path / "c.xlsx", HOSTILE_SHEETS["malformed"])
    answer = run("screen", path, expect=1)
    assert "XLSX" in answer.stderr
    shutil.copy(path, tmp_path / "l.xlsx")
    refused = run("lists", "import", tmp_path / "l.xlsx", "--source", "sxbzxr", expect=1)
    assert "导入被拒绝" in refused.stderr


def test_a_key_file_that_does_not_fit_the_database_is_said_plainly(run, tmp_path):
    """A second server's fresh key file on the same data: screening would find nobody. The
    command line refuses with the operator's reason instead, and keys status names the
    problem, not just an exception's class."""
    from gongxin.core.crypto import KeyRing

    run("init")
    listing = write_csv(tmp_path / "list.csv", [person_row(*ZHANG)])
    run("lists", "import", listing, "--source", "sxbzxr")
    candidates = write_csv(tmp_path / "c.csv", [{"姓名": ZHANG[0], "公民身份号码": ZHANG[1]}])
    screened = run("screen", candidates)
    assert "有匹配 1 人" in screened.stderr + screened.stdout
    key_file = tmp_path / "home" / "keys" / "keys.json"
    key_file.unlink()
    KeyRing.create(key_file, "gm")  # not the key the list was imported with
    refused = run("screen", candidates, expect=2)
    assert "与数据库不一致" in refused.stderr and "不在密钥文件中" in refused.stderr
    assert ZHANG[1] not in refused.stderr
    status = run("keys", "status", expect=1)  # the operator's first look says it too
    assert "不在密钥文件中" in status.stderr
