# ruff: noqa: S608 - the tampering is raw SQL on purpose; the table names are ours
"""Signed results cannot change silently (issue 8): a result row or a letter file changed behind
the application's back shows a red warning on every page and API answer that shows the result,
blocks the letter's download and export, and raises one ``result.tampered`` alarm per
detection."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from gongxin.audit.models import AuditEvent
from gongxin.documents.models import LetterFile
from gongxin.documents.sealed import file_bytes, seal
from gongxin.inquiry.models import Finding
from tests.factories import ZHANG, issued, letter_of, signed_in

pytestmark = pytest.mark.django_db
WARNING = "查询结果与签发时固定的结果不一致"


def sql(statement: str, *params) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


def client_of(staff) -> Client:
    client = Client()
    signed_in(client, staff.user)
    return client


def alarms() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="result.tampered").order_by("seq"))


@pytest.fixture
def issued_request(world):
    return issued(world)


def test_untouched_results_show_and_download_without_alarm(world, issued_request):
    req = issued_request
    client = client_of(world.handler)
    assert WARNING not in client.get(f"/requests/{req.pk}/").content.decode()
    assert WARNING not in client.get(f"/requests/{req.pk}/result/").content.decode()
    pdf = client.get(f"/requests/{req.pk}/letter.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert alarms() == []


def test_a_result_row_changed_in_the_database_is_warned_refused_and_alarmed(world, issued_request):
    req = issued_request
    zhang = Finding.objects.get(candidate__request=req, candidate__row=1)
    assert zhang.result == "listed"
    sql(f"UPDATE {Finding._meta.db_table} SET result = 'not_listed' WHERE id = %s", zhang.pk)
    client = client_of(world.handler)

    page = client.get(f"/requests/{req.pk}/").content.decode()
    assert WARNING in page and "第1轮查询结果与签发时固定的结果摘要不符" in page
    assert 'class="error-summary" role="alert" id="tampered"' in page
    assert len(alarms()) == 1  # one detection, one alarm

    result = client.get(f"/requests/{req.pk}/result/").content.decode()
    assert WARNING in result and "下载复函（PDF）</a>" not in result
    assert len(alarms()) == 2

    before = AuditEvent.objects.filter(action="letter.download").count()
    for fmt in ("pdf", "docx"):
        refused = client.get(f"/requests/{req.pk}/letter.{fmt}")
        assert refused.status_code == 409
        assert refused["Content-Type"].startswith("text/html")  # never the file
        text = refused.content.decode()
        assert "复函不能下载" in text and "已停止下载" in text and "公信" in text  # in the frame
    assert AuditEvent.objects.filter(action="letter.download").count() == before
    assert len(alarms()) == 4

    api = APIClient()
    api.force_authenticate(world.handler.user)
    answer = api.get(f"/api/v1/requests/{req.pk}/").json()
    assert "签发后的查询结果被改动" in answer["result_warning"]
    last = alarms()[-1]
    assert (last.object_type, last.object_id, last.outcome) == ("InquiryRequest", str(req.pk),
                                                                "failed")  # fmt: skip
    assert last.detail["via"] == "api" and last.detail["rounds"] == [1]
    assert ZHANG[0] not in str(last.detail) and ZHANG[1] not in str(last.detail)


def test_a_changed_letter_digest_is_found_too(world, issued_request):
    req = issued_request
    sql("UPDATE documents_letter SET digest = %s WHERE id = %s", "0" * 64, letter_of(req).pk)
    page = client_of(world.handler).get(f"/requests/{req.pk}/").content.decode()
    assert "复函记录的结果摘要与签发时固定的不一致" in page
    assert len(alarms()) == 1


def test_a_letter_file_byte_changed_is_not_served(world, issued_request):
    req = issued_request
    letter = letter_of(req)
    pdf = letter.files.get(kind="pdf")
    stored = bytearray(pdf.data)
    stored[-20] ^= 0x01  # a byte of the ciphertext
    sql("UPDATE documents_letterfile SET data = %s WHERE id = %s", bytes(stored), pdf.pk)
    client = client_of(world.handler)
    refused = client.get(f"/requests/{req.pk}/letter.pdf")
    assert (
        refused.status_code == 409 and "PDF 文件的密文被改动，无法打开" in refused.content.decode()
    )
    assert alarms()[-1].detail["problems"] == ["PDF 文件的密文被改动，无法打开"]
    # Someone who holds the data keys swaps in another file, sealed properly: its digest differs.
    docx = letter.files.get(kind="docx")
    other = file_bytes(docx).replace(b"word/", b"word/", 1) + b"\0"
    sealed = seal(other)
    sql("UPDATE documents_letterfile SET data = %s, key_id = %s WHERE id = %s",
        sealed["data"], sealed["key_id"], docx.pk)  # fmt: skip
    refused = client.get(f"/requests/{req.pk}/letter.docx")
    assert (
        refused.status_code == 409 and "DOCX 文件与签发时记录的摘要不符" in refused.content.decode()
    )
    # And one who also rewrites the recorded digest still cannot make the signature agree.
    fake = file_bytes(LetterFile.objects.get(pk=pdf.pk).letter.files.get(kind="docx"))
    sealed = seal(fake)
    import hashlib

    sql("UPDATE documents_letterfile SET data = %s, key_id = %s, sha256 = %s WHERE id = %s",
        sealed["data"], sealed["key_id"], hashlib.sha256(fake).hexdigest(), pdf.pk)  # fmt: skip
    refused = client.get(f"/requests/{req.pk}/letter.pdf")
    assert refused.status_code == 409 and "PDF 文件的数字签名无效" in refused.content.decode()
    assert len(alarms()) == 3


def test_the_export_leaves_out_a_changed_letter_and_says_so(world, issued_request, tmp_path):
    good = issued(world)
    tampered = issued_request
    zhang = Finding.objects.get(candidate__request=tampered, candidate__row=1)
    sql(f"UPDATE {Finding._meta.db_table} SET result = 'not_listed' WHERE id = %s", zhang.pk)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "letters", "export", "--out", str(tmp_path / "archive"), stdout=out, stderr=err
        )
    assert exited.value.code == 1
    exported = sorted(p.name for p in (tmp_path / "archive").rglob("*.*"))
    number = letter_of(good).document_number
    assert exported == [f"{number}.docx", f"{number}.pdf"]
    bad = letter_of(tampered).document_number
    assert f"{bad}.pdf：第1轮查询结果与签发时固定的结果摘要不符" in err.getvalue()
    assert [(a.object_type, a.detail["via"]) for a in alarms()] == [("Letter", "export")] * 2
    export = AuditEvent.objects.get(action="letters.export")
    assert (export.detail["files"], export.detail["refused"]) == (2, 2)
