"""Files people upload, and files an attacker crafts: a broken or hostile spreadsheet, a stray
quote in a big CSV, a list file with control characters or from the future. Each gets a Chinese
error naming the file problem (or the row), is recorded when it is a list import, and changes
nothing."""

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from gongxin.core import clock
from gongxin.inquiry.models import InquiryRequest
from gongxin.registry.files import FileFormatError
from gongxin.registry.models import ListImport
from tests.factories import LI, ZHANG, make_id, person_row, signed_in, write_csv
from tests.hostile import HOSTILE_SHEETS, xlsx_with_sheet

pytestmark = pytest.mark.django_db
TODAY = clock.today


@pytest.mark.parametrize("kind", sorted(HOSTILE_SHEETS))
def test_broken_spreadsheets_get_a_chinese_error_in_the_form(client, world, tmp_path, kind):
    path = xlsx_with_sheet(tmp_path / "人选.xlsx", HOSTILE_SHEETS[kind])
    signed_in(client, world.handler.user)
    with open(path, "rb") as fh:
        page = client.post("/requests/new/", {
            "agency": world.agency.pk, "letter_number": "京组函〔2026〕90号",
            "received_on": TODAY().isoformat(), "kind": "recruitment", "candidates_file": fh,
        }).content.decode()  # fmt: skip
    assert "「人选表」：" in page and "XLSX" in page
    assert InquiryRequest.objects.count() == 0


@pytest.mark.parametrize("kind", sorted(HOSTILE_SHEETS))
def test_broken_list_files_are_refused_and_recorded(world, tmp_path, kind):
    from gongxin.registry.services import ImportRefused, import_list

    book = Workbook()
    book.active.append(list(person_row(*ZHANG)))
    book.active.append(list(person_row(*ZHANG).values()))
    path = tmp_path / "list.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = HOSTILE_SHEETS[kind](
        parts["xl/worksheets/sheet1.xml"].decode()
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    before = ListImport.objects.count()
    with pytest.raises(ImportRefused) as exc:
        import_list(path, source_code="sxbzxr", imported_by="test")
    assert "XLSX" in exc.value.message
    assert ListImport.objects.count() == before + 1


def test_an_unexpected_failure_during_an_import_is_recorded(world, tmp_path, monkeypatch):
    from gongxin.registry import rows
    from gongxin.registry.services import import_list

    def broken(self, number, cells):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(rows.RowValidator, "prepare", broken)
    path = write_csv(tmp_path / "l.csv", [person_row(*LI)])
    with pytest.raises(RuntimeError):
        import_list(path, source_code="sxbzxr", imported_by="test")
    assert ListImport.objects.latest("pk").status == "failed"


def test_a_stray_quote_in_a_big_csv_is_a_file_error(client, world, tmp_path):
    rows = "\n".join(f"人选{i},{LI[1]}" for i in range(3))
    data = f'姓名,公民身份号码\n张三,{ZHANG[1]},"未闭合\n{rows}\n' + ("长" * 140_000)
    upload = io.BytesIO(data.encode())
    upload.name = "人选.csv"
    signed_in(client, world.handler.user)
    page = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕91号",
        "received_on": TODAY().isoformat(), "kind": "recruitment", "candidates_file": upload,
    }).content.decode()  # fmt: skip
    assert "不配对的引号" in page
    assert InquiryRequest.objects.count() == 0


def test_a_stale_dimension_is_not_trusted_an_inflated_one_is_refused(tmp_path):
    """A declaration smaller than the sheet (stale) loses no row; one past the limits
    (A1:XFD200000 in a 5 KB file) is refused before the sheet is parsed (issue 8)."""
    import re

    from gongxin.registry.screening import read_candidates

    book = Workbook()
    book.active.append(["姓名", "公民身份号码"])
    for n in range(5):
        book.active.append([f"人选{'甲乙丙丁戊'[n]}", make_id(seq=n + 1)])
    path = tmp_path / "人选.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for declared in ("A1:B3", "A1:XFD200000"):  # stale, and inflated
        parts["xl/worksheets/sheet1.xml"] = re.sub(
            r'<dimension ref="[^"]+"/>', f'<dimension ref="{declared}"/>', sheet
        ).encode()
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)
        if declared == "A1:B3":
            candidates, problems = read_candidates(path)
            assert (len(candidates), problems) == (5, [])
        else:
            with pytest.raises(FileFormatError, match="A1:XFD200000，共 200000 行，超过上限"):
                read_candidates(path)


def test_typed_candidates_and_a_file_at_once_are_not_silently_merged(client, world):
    upload = io.BytesIO(f"姓名,公民身份号码\n张三,{ZHANG[1]}\n".encode())
    upload.name = "人选.csv"
    signed_in(client, world.handler.user)
    page = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕92号",
        "received_on": TODAY().isoformat(), "kind": "recruitment", "candidates_file": upload,
        "candidates_text": f"李四,{LI[1]}",
    }).content.decode()  # fmt: skip
    assert "不要同时使用" in page
    assert InquiryRequest.objects.count() == 0


def test_a_list_with_control_characters_in_a_text_column_names_the_row(tmp_path, world):
    from gongxin.registry.services import ImportRefused
    from tests.factories import Lists

    with pytest.raises(ImportRefused) as exc:
        Lists(tmp_path).load([person_row(*LI, authority="北京\x00法院")])
    assert [(e.row, e.field) for e in exc.value.errors] == [(2, "认定机关")]


def test_a_list_dated_in_the_future_is_refused_and_recorded(tmp_path, world):
    from gongxin.registry.services import ImportRefused, import_list

    path = write_csv(tmp_path / "l.csv", [person_row(*LI)])
    with pytest.raises(ImportRefused, match="晚于今天"):
        import_list(path, source_code="sxbzxr", imported_by="test", as_of=dt.date(9999, 12, 31))
    assert ListImport.objects.latest("pk").status == "rejected"


def test_a_source_name_too_long_or_blank_is_refused(world):
    from gongxin.registry.services import ImportRefused, add_source

    with pytest.raises(ImportRefused, match="名称过长"):
        add_source("local1", "名" * 150)
    with pytest.raises(ImportRefused, match="名称不能为空"):
        add_source("local2", "  ")


def test_an_id_number_excel_stored_as_a_number_is_refused_not_misread(client, world, tmp_path):
    """Excel keeps 15 significant digits of a number: an ID typed into a numeric cell has lost
    its last three. Read as digits it could pass the check character as someone else's number
    (it did, in a walkthrough); it is refused saying what Excel did."""
    from openpyxl import Workbook

    typed = make_id("342301", "19600412", 499)  # what the clerk typed
    book = Workbook()
    book.active.append(["姓名", "公民身份号码"])
    book.active.append(["张三", float(typed[:17] + "0")])  # a numeric cell, as Excel saves it
    path = tmp_path / "人选.xlsx"
    book.save(path)
    signed_in(client, world.handler.user)
    with open(path, "rb") as fh:
        page = client.post("/requests/new/", {
            "agency": world.agency.pk, "letter_number": "京组函〔2026〕91号",
            "received_on": TODAY().isoformat(), "kind": "recruitment", "candidates_file": fh,
        }).content.decode()  # fmt: skip
    assert "第2行「公民身份号码」：是科学计数法" in page and "设为“文本”" in page
    assert InquiryRequest.objects.count() == 0
