"""No single user can stop the service (issue 8): each limit on what one person sends, proven
with the hostile file built here — a tiny XLSX declaring A1:XFD1048576, a zip bomb, a candidate
file over the limit, an upload over the byte limit — refused with the Chinese reason, before
memory grows, with nothing created."""

import io
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from gongxin.core import clock
from gongxin.inquiry.models import Candidate, InquiryRequest
from gongxin.platform.uploads import OversizeUpload
from gongxin.registry.files import FileFormatError
from gongxin.registry.models import ListEntry, ListImport
from gongxin.registry.screening import read_candidates
from gongxin.registry.services import ImportRefused, import_list
from tests.factories import ZHANG, make_id, person_row, signed_in, write_csv

pytestmark = pytest.mark.django_db
TODAY = clock.today
SHEET = "xl/worksheets/sheet1.xml"
MB = 1 << 20
GOOD_ID = make_id(seq=1)
BAD_ID = GOOD_ID[:-1] + ("1" if GOOD_ID[-1] == "0" else "0")  # the check character is wrong


def api(staff):
    client = APIClient()
    client.force_authenticate(staff.user)
    return client


def small_book(path: Path, rows: int = 1) -> Path:
    book = Workbook()
    book.active.append(["姓名", "公民身份号码"])
    for n in range(rows):
        book.active.append([f"人选{n}", make_id(seq=n + 1)])
    book.save(path)
    return path


def rewrite_sheet(path: Path, change) -> Path:
    """The workbook at ``path`` with its worksheet XML replaced by ``change(xml)``."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts[SHEET] = change(parts[SHEET].decode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def declaring(ref: str):
    return lambda xml: re.sub(r'<dimension ref="[^"]+"/>', f'<dimension ref="{ref}"/>',
                              xml).encode()  # fmt: skip


def peak_while(action) -> int:
    """Peak bytes Python allocated while ``action`` ran (it is expected to raise)."""
    import openpyxl.reader.excel  # noqa: F401 - imports are not what is measured

    tracemalloc.start()
    try:
        action()
    except FileFormatError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def post_file(client, world, path: Path, name: str | None = None):
    signed_in(client, world.handler.user)
    with open(path, "rb") as fh:
        upload = io.BytesIO(fh.read())
    upload.name = name or path.name
    return client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕88号",
        "received_on": TODAY().isoformat(), "kind": "recruitment", "candidates_file": upload,
    })  # fmt: skip


def nothing_created():
    return InquiryRequest.objects.count() == 0 and Candidate.objects.count() == 0


# --- XLSX: checked from the zip directory and the start of the sheet, before parsing -------


def test_a_tiny_xlsx_declaring_the_whole_sheet_is_refused_before_it_is_parsed(
    client, world, tmp_path
):
    path = rewrite_sheet(small_book(tmp_path / "人选.xlsx"), declaring("A1:XFD1048576"))
    assert path.stat().st_size < 10_000
    peak = peak_while(lambda: read_candidates(path))
    assert peak < 2 * MB
    page = post_file(client, world, path).content.decode()
    assert "表格声明的范围为 A1:XFD1048576，共 1048576 行，超过上限（最多 10001 行）" in page
    assert "每份来函最多5000名人选" in page
    assert nothing_created()


def test_a_declared_width_past_the_limit_is_refused(tmp_path):
    path = rewrite_sheet(small_book(tmp_path / "人选.xlsx"), declaring("A1:XFD3"))
    with pytest.raises(FileFormatError, match="A1:XFD3，共 16384 列，超过上限（最多 256 列）"):
        read_candidates(path)


def test_a_zip_bomb_is_refused_from_the_zip_directory_before_memory_grows(client, world, tmp_path):
    rows = "<row><c><v>1</v></c></row>" * 1_000_000  # 26 MB that packs into a few dozen KB

    def bomb(xml):
        return re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>",
                      xml).encode()  # fmt: skip

    path = rewrite_sheet(small_book(tmp_path / "人选.xlsx"), bomb)
    assert path.stat().st_size < 200_000
    with zipfile.ZipFile(path) as z:  # a real zip, as an attacker would send it
        assert z.getinfo(SHEET).file_size > 24 * MB
    assert peak_while(lambda: read_candidates(path)) < 2 * MB
    with pytest.raises(
        FileFormatError, match=r"XLSX 文件中有一部分压缩比超过 100 倍（\d+ KB 解压为 24.8 MB）"
    ):
        read_candidates(path)
    page = post_file(client, world, path).content.decode()
    assert "压缩比超过 100 倍" in page and "不像正常的表格，未读取" in page
    assert nothing_created()


def test_unpacked_size_past_the_limit_is_refused(settings, tmp_path):
    settings.GONGXIN_CANDIDATE_XLSX_MAX_UNPACKED = 4096
    path = small_book(tmp_path / "人选.xlsx")
    with pytest.raises(FileFormatError, match=r"XLSX 文件解压后有 \d+ KB，超过上限 4 KB，未读取"):
        read_candidates(path)


def test_a_sheet_whose_declaration_lies_is_cut_to_its_header_while_read(tmp_path):
    """Declared A1:B2, but every row holds a cell at XFD: read as two columns, not padded to
    16,384 values a row (which took minutes and gigabytes)."""

    def lying(xml):
        far = "".join(f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(3, 3000))
        xml = declaring("A1:B2")(xml).decode()
        return xml.replace("</sheetData>", f"{far}</sheetData>").encode()

    path = rewrite_sheet(small_book(tmp_path / "人选.xlsx"), lying)
    tracemalloc.start()
    try:
        candidates, problems = read_candidates(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (len(candidates), problems) == (1, [])
    assert peak < 20 * MB  # padded, the rows alone would be 390 MB


def test_rows_past_the_limit_are_refused_while_read_whatever_the_declaration(tmp_path):
    def far(xml):
        row = '<row r="999999999"><c r="A999999999"><v>1</v></c></row>'
        return declaring("A1:B2")(xml).decode().replace("</sheetData>", f"{row}</sheetData>")

    path = rewrite_sheet(small_book(tmp_path / "人选.xlsx"), lambda xml: far(xml).encode())
    with pytest.raises(FileFormatError, match="表格的行数超过上限（最多 10001 行），未读取"):
        read_candidates(path)


def test_the_request_template_and_a_5000_row_table_are_within_the_limits(tmp_path):
    book = Workbook()
    book.active.append(["姓名", "公民身份号码", "拟任职位"])
    for n in range(5000):
        book.active.append([f"人选{n}", make_id(born=f"1990{1 + n // 999 % 12:02d}01",
                                                 seq=n % 999 + 1), "科员"])  # fmt: skip
    path = tmp_path / "人选.xlsx"
    book.save(path)
    candidates, problems = read_candidates(path)
    assert (len(candidates), problems) == (5000, [])
    assert load_workbook(path, read_only=True).worksheets[0].max_row == 5001


# --- Candidates per request: every way in, one limit, the way to split it said -------------

SPLIT = "每份来函最多5000名人选，{where}有5001名，请分成若干份（每份不超过5000名）分别登记"


def test_a_csv_over_the_candidate_limit_is_refused_saying_how_to_split(client, world, tmp_path):
    path = tmp_path / "人选.csv"
    path.write_text("姓名,公民身份号码\n" + f"张三,{ZHANG[1]}\n" * 5001, encoding="utf-8")
    page = post_file(client, world, path).content.decode()
    assert SPLIT.format(where="本文件") in page
    assert nothing_created()


def test_an_xlsx_over_the_candidate_limit_is_counted_not_kept(tmp_path):
    book = Workbook()
    book.active.append(["姓名", "公民身份号码"])
    for _ in range(5001):
        book.active.append(["张三", ZHANG[1]])
    book.save(tmp_path / "人选.xlsx")
    candidates, problems = read_candidates(tmp_path / "人选.xlsx")
    assert candidates == []
    assert [p.reason for p in problems] == [SPLIT.format(where="本文件")]


def test_typed_candidates_over_the_limit_are_refused_saying_how_to_split(client, world):
    signed_in(client, world.handler.user)
    page = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕88号",
        "received_on": TODAY().isoformat(), "kind": "recruitment",
        "candidates_text": f"张三,{ZHANG[1]}\n" * 5001,
    }).content.decode()  # fmt: skip
    assert SPLIT.format(where="本次") in page
    assert nothing_created()


def test_api_candidates_over_the_limit_are_refused_saying_how_to_split(world):
    answer = api(world.handler).post("/api/v1/requests/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕88号",
        "received_on": TODAY().isoformat(), "kind": "recruitment",
        "candidates": [{"name": "张三", "id_number": ZHANG[1]}] * 5001,
    }, format="json")  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"row": None, "field": "人选", "reason": SPLIT.format(where="本次")}
    ]
    assert nothing_created()


def test_the_command_line_screens_no_more_than_one_request_holds(world, tmp_path, capsys):
    path = tmp_path / "人选.csv"
    path.write_text("姓名,公民身份号码\n" + f"张三,{ZHANG[1]}\n" * 5001, encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("screen", str(path))
    assert SPLIT.format(where="本文件") in capsys.readouterr().err


def test_the_candidate_limit_is_a_setting(settings, world):
    settings.GONGXIN_CANDIDATES_MAX = 2
    answer = api(world.handler).post("/api/v1/requests/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕88号",
        "received_on": TODAY().isoformat(), "kind": "recruitment",
        "candidates": [{"name": "张三", "id_number": ZHANG[1]}] * 3,
    }, format="json")  # fmt: skip
    assert "每份来函最多2名人选，本次有3名" in answer.json()["errors"][0]["reason"]


# --- Bytes: a file over the limit, a body over the limit ------------------------------------


def test_an_upload_over_the_byte_limit_is_refused_as_it_arrives(client, world, tmp_path):
    path = tmp_path / "人选.csv"
    line = f"张三,{ZHANG[1]}\n".encode()
    path.write_bytes("姓名,公民身份号码\n".encode() + line * (10 * MB // len(line) + 1000))
    page = post_file(client, world, path).content.decode()
    assert "文件大小超过每个文件 10 MB 的上限，未读取" in page
    assert "每份来函最多5000名人选，人选较多时请分成若干份分别登记" in page
    assert nothing_created()


def test_a_body_declaring_more_than_any_upload_is_refused_before_it_is_read(
    client, world, tmp_path
):
    path = tmp_path / "人选.csv"
    path.write_bytes(b"x" * (13 * MB))
    answer = post_file(client, world, path)
    assert answer.status_code == 400
    assert "上传的文件超过 10 MB 的上限，没有保存" in answer.content.decode()
    assert nothing_created()


def test_a_json_body_over_the_limit_is_refused(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    answer = api(world.handler).post("/api/v1/requests/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕88号",
        "received_on": TODAY().isoformat(), "kind": "recruitment",
        "candidates": [{"name": "张三", "id_number": ZHANG[1]}] * 2000,
    }, format="json")  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("提交的内容超过 0.1 MB，没有保存")
    assert nothing_created()


# --- At most 100 problems listed, the rest counted -------------------------------------------


def test_an_error_page_lists_the_first_100_problems_and_counts_the_rest(client, world, tmp_path):
    path = tmp_path / "人选.csv"
    path.write_text("姓名,公民身份号码\n" + f"张三,{BAD_ID}\n" * 300, encoding="utf-8")
    page = post_file(client, world, path).content.decode()
    assert "提交的内容有 300 处问题，未保存" in page
    assert page.count("校验码不正确") == 100
    assert "另有200处问题未列出" in page
    assert nothing_created()


def test_an_api_error_list_holds_the_first_100_problems_and_counts_the_rest(world):
    answer = api(world.handler).post("/api/v1/requests/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕88号",
        "received_on": TODAY().isoformat(), "kind": "recruitment",
        "candidates": [{"name": "张三", "id_number": BAD_ID}] * 300,
    }, format="json")  # fmt: skip
    said = answer.json()
    assert answer.status_code == 400
    assert len(said["errors"]) == 100 and said["errors_not_listed"] == 200
    assert "另有200处问题未列出" in said["detail"]


# --- List imports: millions of rows allowed, a limit all the same ---------------------------


def test_a_list_file_over_the_row_limit_is_refused_and_changes_nothing(world, settings, tmp_path):
    settings.GONGXIN_LIST_ROWS_MAX = 10
    before = ListEntry.objects.count()
    rows = [person_row(f"人员{n}", make_id(seq=n + 1)) for n in range(11)]
    with pytest.raises(ImportRefused, match="名单文件超过 10 行的上限，整个文件未导入"):
        import_list(write_csv(tmp_path / "l.csv", rows), source_code="sxbzxr", imported_by="t")
    assert ListEntry.objects.count() == before
    assert ListImport.objects.filter(status="rejected").count() == 1


def test_the_upload_handler_keeps_no_byte_past_the_limit(rf, settings):
    settings.GONGXIN_UPLOAD_MAX_BYTES = 1000
    request = rf.post(
        "/requests/new/", {"candidates_file": SimpleUploadedFile("a.csv", b"x" * 5000)}
    )
    upload = request.FILES["candidates_file"]
    assert isinstance(upload, OversizeUpload)
    assert (upload.size, upload.read()) == (5000, b"")
