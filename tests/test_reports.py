"""通报 as official documents: the unit's 工作情况通报 and the national center's 通报 on the
provinces, read back from the DOCX (python-docx) and the PDF (pypdf) as a reader would see them;
the page that draws them up, who may, and what it records.

The figures are built directly (tests/report_samples.py): their queries are the statistics'.
The page's calls to unit_figures/per_unit are replaced here by those known figures."""

from __future__ import annotations

import datetime as dt
import io
import pathlib
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.documents import docx_report, pdf_report
from gongxin.documents.check import report_differences
from gongxin.documents.models import Letter
from gongxin.documents.services import DRAFT_NUMBER, document_number
from gongxin.documents.signing import check_signature
from gongxin.supervision import report_services
from gongxin.supervision.figures import Period
from gongxin.supervision.reports import (
    NATIONAL,
    UNIT,
    ReportSpec,
    national_report,
    period_words,
    unit_report,
)
from tests.factories import LI, ZHANG, World, make_staff, signed_in
from tests.report_samples import PERIOD, chart_png, figures

DATED = dt.date(2026, 4, 8)
ARTIFACTS = pathlib.Path(__file__).resolve().parent.parent / "test-artifacts"
ADDRESSEE = "中共北京市委组织部（北京市公务员局）"
NAMES = {"bj": "北京市公共信用信息中心", "sh": "上海市公共信用信息服务中心",
         "gd": "广东省公共信用信息中心"}  # fmt: skip


class Unit:
    def __init__(self, name):
        self.name = name


def _unit_content(chart=True):
    spec = ReportSpec(UNIT, PERIOD, ADDRESSEE)
    return unit_report(Unit(NAMES["bj"]), spec, figures(), chart_png() if chart else None,
                       document_number="京信用函〔2026〕12号", dated=DATED,
                       note="联系人：王明，联系电话：010-12345678")  # fmt: skip


def _per_unit():
    # Beijing the most on time, Guangdong the most overdue and without spot checks.
    sh = figures(("sh",), 2)
    return {"bj": figures(), "sh": sh, "gd": figures(("gd",), 3, spot=(0, 0))}


def _national_content():
    per = _per_unit()
    spec = ReportSpec(NATIONAL, PERIOD, "各省、自治区、直辖市公共信用信息中心")
    return national_report(Unit("国家公共信用信息中心"), spec, figures(tuple(per), 6), per,
                           NAMES, chart_png(), document_number="信用函〔2026〕3号",
                           dated=DATED)  # fmt: skip


def docx_read(data: bytes) -> tuple[str, list[list[list[str]]], int]:
    """The body's text, every table's rows of cells, and how many pictures it shows."""
    doc = Document(io.BytesIO(data))
    text = re.sub(r"\s+", "", "".join(p.text for p in doc.paragraphs))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return text, tables, len(doc.inline_shapes)


def pdf_read(data: bytes) -> tuple[str, int]:
    """The text without white space, and how many image XObjects the pages draw."""
    reader = PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    images = set()  # the pages may share one resource dictionary: count each image once
    for page in reader.pages:
        objects = page["/Resources"].get("/XObject") or {}
        images |= {o.idnum for o in objects.values() if o.get_object()["/Subtype"] == "/Image"}
    return text, len(images)


HEADLINES = [  # the sample unit's figures, in the words a reader finds in the report
    "受理查询需求41件", "涉及人选137人", "已反馈38件", "录用35件113人", "调任6件24人",
    "按期反馈率97.4%", "平均办理时长2.1个工作日", "中位办理时长2个工作日", "超期1件",
    "延期3件", "退回2件", "更正2件", "列入失信联合惩戒对象名单4人", "占已反馈人选128人的3.1%",
    "复核不一致率2.3%", "抽查一致率95.0%", "接听电话咨询12次",
]  # fmt: skip


def test_the_unit_report_reads_back_from_both_files_with_every_figure_its_table_and_chart():
    content = _unit_content()
    docx, pdf = docx_report.build(content), pdf_report.build(content)
    text, tables, pictures = docx_read(docx)
    title = "关于2026年第一季度公务员录用调任人选信用信息查询工作情况的通报"
    for said in (title, f"{ADDRESSEE}：", "京信用函〔2026〕12号", "一、总体情况",
                 "二、办理时效", "三、质量控制", "四、咨询服务", "特此通报。", "2026年4月8日",
                 *HEADLINES):  # fmt: skip
        assert said in text, said
    assert tables == [[["发起查询单位", "类别", "件数", "人数"],
                       ["北京市委组织部", "录用", "30", "101"],
                       ["北京市人力资源和社会保障局", "录用", "5", "12"],
                       ["北京市委组织部", "调任", "6", "24"]]]  # fmt: skip
    assert pictures == 1
    headings = [
        p for p in Document(io.BytesIO(docx)).paragraphs if re.match("[一二三四]、", p.text)
    ]
    assert [h.text for h in headings] == [
        "一、总体情况",
        "二、办理时效",
        "三、质量控制",
        "四、咨询服务",
    ]
    assert {h.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) for h in headings} == {"黑体"}
    text, images = pdf_read(pdf)
    for said in (title, ADDRESSEE, "京信用函〔2026〕12号", "一、总体情况",
                 "（联系人：王明，联系电话：010-12345678）", "北京市人力资源和社会保障局录用512",
                 *HEADLINES):  # fmt: skip
        assert said in text, said
    assert images == 1
    assert report_differences(content, docx, pdf) == []


def test_without_a_chart_the_report_has_no_picture_and_still_reads_back():
    content = _unit_content(chart=False)
    docx, pdf = docx_report.build(content), pdf_report.build(content)
    assert docx_read(docx)[2] == 0 and pdf_read(pdf)[1] == 0
    assert report_differences(content, docx, pdf) == []


def test_the_national_report_ranks_the_provinces_by_on_time_share_then_overdue():
    content = _national_content()
    docx, pdf = docx_report.build(content), pdf_report.build(content)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-national.pdf").write_bytes(pdf)  # to look at
    (ARTIFACTS / "report-national.docx").write_bytes(docx)
    _, tables, pictures = docx_read(docx)
    timeliness, quality = tables
    assert [row[:2] for row in timeliness[1:]] == [
        ["1", "北京市公共信用信息中心"], ["2", "上海市公共信用信息服务中心"],
        ["3", "广东省公共信用信息中心"]]  # fmt: skip
    assert timeliness[1][2:] == ["41", "137", "97.4%", "2", "1", "3"]
    assert quality[3] == ["广东省公共信用信息中心", "6", "6", "12", "3.1%", "2.3%", "—", "36"]
    assert pictures == 1
    text, images = pdf_read(pdf)
    assert "按期反馈率最高的是北京市公共信用信息中心（97.4%）" in text
    assert "超期件数最多的是广东省公共信用信息中心（3件）" in text
    assert "受理查询需求246件" in text and images == 1
    assert report_differences(content, docx, pdf) == []


def test_the_read_back_names_a_figure_a_file_does_not_say_and_a_missing_chart():
    content = _unit_content()
    other = _unit_content(chart=False)
    pdf = pdf_report.build(other)
    wrong = unit_report(Unit(NAMES["bj"]), ReportSpec(UNIT, PERIOD, ADDRESSEE),
                        figures(spot=(20, 18)), chart_png(), document_number="京信用函〔2026〕12号",
                        dated=DATED, note="联系人：王明，联系电话：010-12345678")  # fmt: skip
    problems = report_differences(content, docx_report.build(wrong), pdf)
    assert "Word 文件中未找到「抽查一致19件」" in problems
    assert "PDF 文件中的图少于 1 幅" in problems


def test_a_report_names_nobody():
    for content in (_unit_content(), _national_content()):
        text = docx_read(docx_report.build(content))[0] + pdf_read(pdf_report.build(content))[0]
        for name, number in (ZHANG, LI):
            assert name not in text and number not in text


@pytest.mark.parametrize(("start", "end", "words"), [
    ((2026, 1, 1), (2026, 3, 31), "2026年第一季度"),
    ((2025, 10, 1), (2025, 12, 31), "2025年第四季度"),
    ((2026, 1, 1), (2026, 6, 30), "2026年上半年"), ((2025, 1, 1), (2025, 12, 31), "2025年"),
    ((2026, 2, 1), (2026, 2, 28), "2026年2月"),
    ((2026, 2, 3), (2026, 3, 31), "2026年2月3日至2026年3月31日"),
])  # fmt: skip
def test_the_period_is_named_as_people_name_it(start, end, words):
    assert period_words(Period(dt.date(*start), dt.date(*end))) == words


# --- the page ---------------------------------------------------------------------------------


@pytest.fixture
def world(tmp_path, monkeypatch):
    """Beijing and the national center on 2026-04-08, a request naming ZHANG and LI (whom no
    report may carry), and the known figures in place of the statistics' queries."""

    def unit_figures(units, period):
        codes = tuple(u.code for u in units)
        return figures(codes, 6 if len(codes) > 1 else 1, period=period)

    def per_unit(units, period):
        return {u.code: figures((u.code,), period=period) for u in units}

    def national(units, period):
        return unit_figures(units, period), per_unit(units, period)

    # The reports' own view of the figures, not the figures module the statistics pages share
    # (a page imported while it was patched would keep the stand-in).
    known = SimpleNamespace(unit_figures=unit_figures, per_unit=per_unit, national=national)
    monkeypatch.setattr(report_services, "source", known)
    monkeypatch.setattr(report_services, "report_chart", lambda f: chart_png())
    with clock.pinned(dt.datetime(2026, 4, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        world = World(tmp_path)
        world.national_supervisor = make_staff(world.national, "nat_supervisor", "supervisor")
        world.register(people=[ZHANG, LI])
        yield world


def _client(client, staff):
    signed_in(client, staff.user)
    return client


QUARTER = {"kind": UNIT, "start": "2026-01-01", "end": "2026-02-28", "addressee": ADDRESSEE}


def _events(action):
    return list(AuditEvent.objects.filter(action=action))


@pytest.mark.django_db
def test_a_supervisor_downloads_the_draft_as_word_and_pdf_unnumbered_marked_and_recorded(
    world, client
):
    _client(client, world.supervisor)
    page = client.get("/supervision/reports/")
    assert page.status_code == 200
    assert "各省工作情况通报" not in page.content.decode()  # a province is not offered it
    for field, value in (("start", "2026-01-01"), ("end", "2026-03-31")):  # last quarter
        assert f'name="{field}" value="{value}"' in page.content.decode()
    answer = client.get("/supervision/reports/draft.docx", QUARTER)
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    text, tables, pictures = docx_read(answer.content)
    assert text.startswith("草稿·未签发")
    assert document_number("京信用函", 2026, DRAFT_NUMBER).replace("　", "") in text
    assert "关于2026年1月1日至2026年2月28日公务员录用调任人选" in text and ADDRESSEE in text
    assert len(tables[0]) == 4 and pictures == 1
    answer = client.get("/supervision/reports/draft.pdf", QUARTER)
    text, images = pdf_read(answer.content)
    assert answer["Content-Type"] == "application/pdf"
    assert "草稿·未签发" in text and "受理查询需求41件" in text and images == 1
    assert not re.search(r"京信用函〔2026〕\d+号", text)
    for name, number in (ZHANG, LI):
        assert name not in text and number not in text
    events = _events("supervision.report_download")
    assert [e.detail["format"] for e in events] == ["docx", "pdf"]
    assert events[0].detail == {
        "format": "docx",
        "report_kind": "unit",
        "period": "2026-01-01~2026-02-28",
    }
    assert not Letter.objects.filter(kind="report").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field", "said"), [
    ({"end": "2025-12-31"}, "end", "统计截止日期不能早于起始日期"),
    ({"end": "2026-04-09"}, "end", "统计截止日期不能晚于今天（2026年4月8日）"),
    ({"start": "2025-01-01"}, "start", "统计期间不能超过一年"),
    ({"start": "2026-13-01"}, "start", "统计起始日期应为日期，如 2026-01-01"),
    ({"start": ""}, "start", "请填写统计起始日期"),
    ({"addressee": "省委组织部\u202e"}, "addressee", "主送机关"),
    ({"kind": "other"}, "kind", "没有这种通报"),
])  # fmt: skip
def test_a_period_or_addressee_it_cannot_report_is_said_beside_its_field(world, client, change,
                                                                         field, said):  # fmt: skip
    _client(client, world.supervisor)
    answer = client.get("/supervision/reports/draft.pdf", {**QUARTER, **change})
    assert answer.status_code == 400
    page = answer.content.decode()
    [block] = [b for b in page.split('<div class="field')[1:] if f'name="{field}"' in b]
    assert block.startswith(" field-error") and said in block, block
    assert not _events("supervision.report_download")


@pytest.mark.django_db
def test_the_national_report_is_the_national_centers_alone(world, client):
    national = {**QUARTER, "kind": NATIONAL, "addressee": ""}
    _client(client, world.supervisor)
    for url in ("/supervision/reports/draft.pdf", "/supervision/reports/draft.docx"):
        assert client.get(url, national).status_code == 404
    assert client.post("/supervision/reports/issue/", national).status_code == 404
    assert not _events("supervision.report_download") and not Letter.objects.filter(kind="report")
    other = _client(type(client)(), world.national_supervisor)
    assert "各省工作情况通报" in other.get("/supervision/reports/").content.decode()
    answer = other.get("/supervision/reports/draft.docx", national)
    text, tables, _ = docx_read(answer.content)
    assert "各省、自治区、直辖市公共信用信息中心：" in text
    assert [row[1] for row in tables[0][1:]] == ["北京市公共信用信息中心"]  # the provinces only


@pytest.mark.django_db
def test_issuing_numbers_signs_and_stores_the_report_once(world, client):
    _client(client, world.supervisor)
    unconfirmed = client.post("/supervision/reports/issue/", QUARTER)
    assert (
        unconfirmed.status_code == 400
        and "签发前请核对草稿并勾选确认" in unconfirmed.content.decode()
    )
    assert not Letter.objects.exists() and not _events("supervision.report_issue")
    issued = client.post("/supervision/reports/issue/", {**QUARTER, "confirmed": "on"},
                         follow=True)  # fmt: skip
    # Back on the page (a reload does not issue again), told the number, the file listed.
    assert issued.redirect_chain == [("/supervision/reports/", 302)]
    letter = Letter.objects.get(kind="report")
    listed = issued.content.decode()
    assert "已签发京信用函〔2026〕1号" in listed and "2026-01-01 至 2026-02-28" in listed
    answer = client.get(f"/supervision/reports/{letter.pk}.pdf")
    assert answer.status_code == 200
    assert letter.document_number == "京信用函〔2026〕1号" and letter.item_count == 0
    reader = PdfReader(io.BytesIO(answer.content))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert "京信用函〔2026〕1号" in text and "草稿" not in text and letter.verification_code in text
    assert check_signature(answer.content).ok
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-issued.pdf").write_bytes(answer.content)  # to look at
    verified = client.get(f"/verify/{letter.verification_code}/").content.decode()
    assert "验证码有效：该通报由本系统签发" in verified and "人选人数" not in verified
    assert len(_events("supervision.report_download")) == 1  # the signed file, once
    [event] = _events("supervision.report_issue")
    assert event.detail["document_number"] == "京信用函〔2026〕1号"
    assert (
        client.post("/supervision/reports/issue/", {**QUARTER, "confirmed": "on"}).status_code
        == 302
    )
    assert list(Letter.objects.filter(kind="report").values_list("number", flat=True)) == [2, 1]
    assert "京信用函〔2026〕2号" in client.get("/supervision/reports/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["handler", "reviewer", "signer", "sysadmin", "secadmin", "auditor"]
)
def test_only_supervisors_reach_the_reports(world, client, role):
    _client(client, make_staff(world.bj, f"x_{role}", role))
    for url in ("/supervision/reports/", "/supervision/reports/draft.pdf",
                "/supervision/reports/draft.docx"):  # fmt: skip
        assert client.get(url, QUARTER).status_code == 404
    assert client.post("/supervision/reports/issue/", QUARTER).status_code == 404


def test_a_units_report_is_addressed_to_its_own_regions_authority_by_default():
    from types import SimpleNamespace as Unit

    from gongxin.supervision.reports import NATIONAL_ADDRESSEE, default_addressee

    assert default_addressee(Unit(name="北京市公共信用信息中心"), UNIT) == "北京市公务员主管部门"
    assert default_addressee(Unit(name="广东省公共信用信息中心"), UNIT) == "广东省公务员主管部门"
    assert default_addressee(Unit(name="国家公共信用信息中心"), NATIONAL) == NATIONAL_ADDRESSEE
