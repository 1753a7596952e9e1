"""The `gongxin` command as an operator uses it: a fresh home, from another directory."""

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import LIST_HEADERS, ZHANG, person_row, write_csv

GONGXIN = str(Path(sys.executable).parent / "gongxin")


@pytest.fixture
def run(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["GONGXIN_HOME"] = str(tmp_path / "home")
    # This checkout's code, whichever checkout the installed command was installed from.
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent / "src")
    work = tmp_path / "elsewhere"
    work.mkdir()

    def gongxin(*args, expect=0):
        proc = subprocess.run(
            [GONGXIN, *map(str, args)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == expect, proc.stdout + proc.stderr
        return proc

    return gongxin


def test_idcheck_exit_codes_and_reasons(run):
    ok = run("idcheck", "11010519491231002X")
    assert "有效" in ok.stdout and "1949年12月31日" in ok.stdout
    bad = run("idcheck", "110105194912310021", expect=1)
    assert "校验码不正确" in bad.stdout
    upgraded = run("idcheck", "440524800101001")
    assert "440524198001010013" in upgraded.stdout


def test_operator_session_from_init_to_screening(run, tmp_path):
    first = run("init")
    assert "已生成密钥文件" in first.stdout
    assert "沿用已有密钥文件" in run("init").stdout  # safe to run twice
    sources = run("lists", "sources").stdout
    for code in ("sxbzxr", "zdsswf", "yzwfsx"):
        assert code in sources

    out = tmp_path / "demo"
    run("demo-data", "--entries", 2000, "--candidates", 300, "--out", out, "--hit-share", 0.2)
    imported = run(
        "lists",
        "import",
        out / "list-sxbzxr.csv",
        "--source",
        "sxbzxr",
        "--as-of",
        "2026年11月27日",
    )
    assert "新增 2000" in imported.stdout
    assert (
        "未作任何更改"
        in run("lists", "import", out / "list-sxbzxr.csv", "--source", "sxbzxr").stdout
    )
    # The database file on disk (and its WAL) holds no plaintext ID number or name of an entry.
    home = tmp_path / "home"
    stored = b"".join(p.read_bytes() for p in (home / "data").glob("gongxin.sqlite3*"))
    with open(out / "list-sxbzxr.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    public = "".join(r["认定机关"] + r["认定文书号"] for r in rows)  # stored in plaintext by design
    assert len(stored) > 100_000
    for row in rows[:500]:
        assert row["证件号码"].encode() not in stored
        assert row["姓名或名称"] in public or row["姓名或名称"].encode() not in stored
    shown = run("lists", "show", "--source", "sxbzxr", "--as-of", "2026-11-27").stdout
    assert "现行记录：2000" in shown and "月份" in shown

    screened = run("screen", out / "candidates.csv", "--as-of", "2026-11-27", "--format", "json")
    data = json.loads(screened.stdout)
    assert len(data) == 300
    classes = {row["match"] for row in data}
    assert {"exact", "none"} <= classes
    for row in data:
        assert set(row) >= {"row", "name", "id_number_masked", "match", "entries"}
        assert "*" in row["id_number_masked"]
    # No full ID number anywhere in what the command printed.
    with open(out / "candidates.csv", encoding="utf-8") as fh:
        numbers = [r["公民身份号码"] for r in csv.DictReader(fh)]
    assert not any(n in screened.stdout + screened.stderr for n in numbers)

    as_csv = run("screen", out / "candidates.csv", "--format", "csv").stdout
    assert as_csv.splitlines()[0] == "行号,姓名,公民身份号码,结果,命中记录"


def test_refused_import_names_the_row_and_exits_1(run, tmp_path):
    run("init")
    bad = write_csv(
        tmp_path / "bad.csv",
        [person_row(*ZHANG), person_row("李四", "440524188001010015")],
        LIST_HEADERS,
    )
    refused = run(
        "lists",
        "import",
        bad,
        "--source",
        "sxbzxr",
        "--errors-csv",
        tmp_path / "errors.csv",
        expect=1,
    )
    assert "第3行「证件号码」：校验码不正确" in refused.stderr
    assert "440524188001010015" not in refused.stderr
    with open(tmp_path / "errors.csv", encoding="utf-8-sig") as fh:
        assert list(csv.reader(fh)) == [["行号", "列", "原因"], ["3", "证件号码", "校验码不正确"]]
    assert "现行记录：0" in run("lists", "show", "--source", "sxbzxr").stdout


def test_bad_candidate_rows_exit_1_and_good_rows_are_still_reported(run, tmp_path):
    run("init")
    cands = write_csv(
        tmp_path / "c.csv",
        [{"姓名": "张三", "公民身份号码": ZHANG[1]}, {"姓名": "李四", "公民身份号码": "12345"}],
    )
    result = run("screen", cands, "--format", "json", expect=1)
    assert [r["row"] for r in json.loads(result.stdout)] == [2]
    assert "第3行「公民身份号码」：位数不正确" in result.stderr


def test_demo_load_puts_requests_in_every_state_and_is_safe_twice(run):
    run("init")
    first = run("demo", "load").stdout
    assert "演示查询需求：新建 9 件" in first
    assert "bj-handler1" in first and "gongxin-demo-2026" in first
    again = run("demo", "load").stdout
    assert "演示查询需求：新建 0 件" in again and "本次未作任何更改" in again
    # The demo browser's registration (a fresh one-time code each time) and each account's
    # TOTP secret (kept: a phone set up once keeps working).
    enrol = r"北京市公共信用信息中心：http://\S+/workstation/enrol/\?code=([A-Z0-9-]{19})"
    assert re.search(enrol, first).group(1) != re.search(enrol, again).group(1)
    secret = r"bj-handler1 .*密钥 ([A-Z2-7 ]{39})"
    assert re.search(secret, first).group(1) == re.search(secret, again).group(1)
    code = run("demo", "totp", "bj-handler1")
    assert re.fullmatch(r"\d{6}\n", code.stdout) and "秒后更新" in code.stderr
    assert "不是仍使用演示密码的演示账号" in run("demo", "totp", "someone", expect=1).stderr
    run("shell", "-c", (
        "from django.contrib.auth.models import User;u=User.objects.get(username='bj-signer');"
        "u.set_password('Really-Private-2027');u.save()"))  # fmt: skip
    assert "不能用于真实账号" in run("demo", "totp", "bj-signer", expect=1).stderr
    states = run("shell", "-c", (
        "from gongxin.inquiry.models import InquiryRequest as R;"
        "print(sorted(set(R.objects.values_list('state', flat=True))))")).stdout  # fmt: skip
    assert states.strip().endswith(
        "['assigned', 'awaiting_signoff', 'in_review', 'issued', 'received', 'returned', "
        "'screened', 'signed']")  # fmt: skip


def test_the_first_workstation_of_a_unit_is_registered_from_the_command_line(run):
    run("init")
    run("shell", "-c", (
        "from gongxin.accounts.models import PlatformUnit as U;U.objects.create(code='bj',"
        "name='北京市公共信用信息中心',level='provincial',region_code='11',"
        "letter_prefix='京信用函')"))  # fmt: skip
    said = run("workstations", "register", "--unit", "bj", "--name", "安全管理员机",
               "--ranges", "10.1.0.0/16").stdout  # fmt: skip
    code = re.search(r"登记码：([A-Z0-9-]{19})", said).group(1)
    assert f"/workstation/enrol/?code={code}" in said and "只能使用一次" in said
    listed = run("workstations", "list").stdout
    assert "安全管理员机" in listed and "尚未登记浏览器" in listed and "10.1.0.0/16" in listed
    assert "没有代码为 xx 的单位" in run("workstations", "register", "--unit", "xx", "--name",
                                         "a", expect=1).stderr  # fmt: skip
    bad = run("workstations", "register", "--unit", "bj", "--name", "b", "--ranges", "10.1.2.3/8",
              expect=1)  # fmt: skip
    assert "主机位不为零" in bad.stderr
    assert re.search(r"登记码：[A-Z0-9-]{19}", run("workstations", "code", "1").stdout)


def test_workdays_deadline(run):
    run("init")
    assert run("workdays", "deadline", "2026-02-13").stdout.strip() == "2026-02-25"
    assert (
        run("workdays", "deadline", "2026年4月30日", "--days", "1").stdout.strip() == "2026-05-06"
    )
    missing = run("workdays", "deadline", "2026-12-30", expect=1)
    assert "截止日期无法计算：2027 年节假日安排未配置" in missing.stderr
