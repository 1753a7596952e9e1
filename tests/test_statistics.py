"""服务统计 from a known history across 国庆 2025 (10-01..10-08 off, Sun 09-28 and Sat 10-11
worked) and 春节 2026 (02-15..02-23 off, Sat 02-14 and Sat 02-28 worked): every figure checked
exactly, for a unit and for the country (docs/statistics.md defines them)."""

import datetime as dt
import io

import pytest
from django.core.management.base import CommandError

from gongxin.core import clock
from gongxin.supervision.figures import Period, national, per_unit, unit_figures
from tests.factories import make_agency, make_staff, make_unit
from tests.history import History, at

D = dt.date
PERIOD = Period(D(2025, 9, 1), D(2026, 2, 28))
QUERIES = 16  # a national load, however many units and requests (once the tallies are made)
TODAY = D(2026, 3, 2)  # Monday
PEOPLE = [(f"测试人{n}", number) for n, number in enumerate([
    "11010519491231002X", "440524188001010014", "440524198001010013", "650102198507150012",
    "110101199003071234", "110101199003075158", "110101199003072210", "11010119900307303X",
    "110101199003074916", "11010119900307531X", "110101199003076115", "110101199003076598",
    "110101199003078011", "110101199003079435", "110101199003071418", "110101199003073077",
])]  # fmt: skip


def person(n):
    return PEOPLE[n % len(PEOPLE)]


def staff_of(unit, prefix):
    return (make_staff(unit, f"{prefix}_handler", "handler"),
            [make_staff(unit, f"{prefix}_rev{i}", "reviewer") for i in (1, 2)],
            make_staff(unit, f"{prefix}_signer", "signer"))  # fmt: skip


def build():
    """The history (hand-counted working days in the comments: after 收文日期, up to and
    including the local date of the first 反馈)."""
    bj = make_unit()
    sh = make_unit("sh", "上海市公共信用信息中心", "provincial", "31", "沪信用函")
    nat = make_unit("national", "国家公共信用信息中心", "national", "", "信用函")
    handler, reviewers, signer = staff_of(bj, "bj")
    h = History(bj, make_agency(bj), handler, reviewers, signer)
    p = iter(range(100))

    def req(received, count=1, **kw):
        return h.request(received, [person(next(p)) for _ in range(count)], **kw)

    old = req(D(2025, 8, 28))  # before the period: never counted
    h.issue(old, D(2025, 9, 1))
    # A: 09-29 → 09-30: 1 day. Deadline 10-10 (09-30, 10-09, 10-10).
    a = h.issue(req(D(2025, 9, 29), 2), D(2025, 9, 30))
    # B: 09-30 → 10-10 across 国庆: 10-09, 10-10 = 2. One listed, both reviewers confirm.
    b = h.issue(req(D(2025, 9, 30)), D(2025, 10, 10), listed={1})
    # C (调任): 10-09 → 10-15: 10-10, 10-11 (Sat worked), 10-13, 10-14, 10-15 = 5; deadline
    # 10-13: overdue (an overdue explanation is no extension).
    c = req(D(2025, 10, 9), kind="transfer")
    h.explain_overdue(c)
    h.issue(c, D(2025, 10, 15))
    # D: 10-09 → 10-16 = 6, extended to 10-17 beforehand: not overdue, not within 3.
    d = req(D(2025, 10, 9), 2)
    h.extend(d, D(2025, 10, 17), on=D(2025, 10, 10))
    h.issue(d, D(2025, 10, 16))
    # E: 02-12 → 02-24 across 春节: 02-13, 02-14 (Sat worked), 02-24 = 3 (deadline 02-24).
    # Issued at 00:30 Beijing time, still 02-23 (a holiday) in UTC: the local date counts.
    e = h.issue(req(D(2026, 2, 12)), D(2026, 2, 24), hour=0)
    # F: 02-13 → 02-26: 02-14, 02-24, 02-25, 02-26 = 4; deadline 02-25: overdue. One listed,
    # the reviewers disagreed. Then corrected: round 2 open today.
    f = req(D(2026, 2, 13), 2)
    h.issue(f, D(2026, 2, 26), listed={1}, disagree=True)
    h.correct(f, D(2026, 2, 27))
    # G: returned the day after.
    h.return_(req(D(2026, 2, 25)), D(2026, 2, 26))
    # H: 02-24, open; deadline 02-27 (02-25, 02-26, 02-27) < today: overdue.
    req(D(2026, 2, 24))
    # I: 02-27, open; deadline 03-03 (02-28 Sat worked, 03-02, 03-03): not overdue.
    req(D(2026, 2, 27))

    # Spot checks (抽查抽检) as recorded: A and B agreed; E checked twice, agreeing once and
    # then not (the planted discrepancy, its finding open): a request counts once, as agreed
    # only if every check agreed. The old request, received before the period, is not counted.
    supervisor = make_staff(bj, "bj_spot_checker", "supervisor")
    first = spot_check(bj, supervisor, [(a, True), (b, True), (e, True), (old, False)])
    spot_check(bj, supervisor, [(e, False)], after=first)
    # 电话咨询: two calls in the period (one in 国庆's week), one before it.
    for day in (D(2025, 10, 9), D(2026, 1, 5), D(2025, 8, 30)):
        call(bj, handler, day)

    handler, reviewers, signer = staff_of(sh, "sh")
    s = History(sh, make_agency(sh, "上海市委组织部", region="31"), handler, reviewers, signer)
    call(sh, handler, D(2025, 12, 1))
    # J: 09-30 → 10-09 = 1.
    s.issue(s.request(D(2025, 9, 30), [person(next(p))]), D(2025, 10, 9))
    # K: 02-13 open; deadline 02-25 < today: overdue.
    s.request(D(2026, 2, 13), [person(next(p))])

    handler, reviewers, signer = staff_of(nat, "nat")
    n = History(nat, make_agency(nat, "中央组织部", "central", ""), handler, reviewers, signer)
    # L: 10-10 → 10-11 (Sat worked) = 1; listed, confirmed.
    n.issue(n.request(D(2025, 10, 10), [person(next(p))]), D(2025, 10, 11), listed={1})
    return bj, sh, nat


def spot_check(unit, supervisor, checked, after=None):
    from gongxin.supervision.models import Finding, SpotCheck, SpotCheckItem

    check = SpotCheck.objects.create(
        unit=unit, period_start=D(2025, 8, 1), period_end=D(2026, 2, 28), rate=100,
        drawn_by=supervisor, population=len(checked), sample_size=len(checked))  # fmt: skip
    for req, agreed in checked:
        item = SpotCheckItem.objects.create(spot_check=check, request=req, candidates=1,
                                            agreed=agreed)  # fmt: skip
        if not agreed:
            Finding.objects.create(item=item)
    return check


def call(unit, staff, day):
    from gongxin.supervision.models import Consultation

    Consultation.objects.create(
        unit=unit, agency_name="组织部", caller="王科长", called_on=day, topic="progress",
        question="办理进度", answer="已答复", recorded_by=staff, recorded_at=at(day))  # fmt: skip


@pytest.fixture
def units():
    with clock.pinned(at(TODAY)):
        yield build()


@pytest.mark.django_db
def test_a_units_figures_are_exactly_the_recorded_history(units):
    bj, _, _ = units
    fig = unit_figures([bj], PERIOD)
    assert fig.units == ("bj",)
    assert (fig.requests, fig.candidates) == (9, 12)
    assert fig.by_kind == {"recruitment": (8, 11), "transfer": (1, 1)}
    assert [(r.agency, r.kind, r.requests, r.candidates) for r in fig.by_agency] == [
        ("北京市委组织部", "recruitment", 8, 11), ("北京市委组织部", "transfer", 1, 1)]  # fmt: skip
    assert (fig.issued, fig.returned, fig.extended, fig.overdue, fig.corrected, fig.pending) == (
        6, 1, 1, 3, 1, 2)  # fmt: skip
    # Issued candidates: A 2, B 1, C 1, D 2, E 1, F 2 (round 1, the last issued) = 9; 2 listed.
    assert (fig.listed, fig.screened_candidates) == (2, 9)
    assert fig.listed_rate == pytest.approx(2 / 9)
    t = fig.turnaround
    assert t.distribution == ((1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1))
    assert (t.issued, t.median, t.p90, t.maximum, t.within_limit) == (6, 3.5, 6, 6, 3)
    assert t.on_time_share == 0.5
    assert (fig.reviews, fig.disagreements, fig.disagreement_rate) == (2, 1, 0.5)
    assert [(p.name, p.role, p.requests) for p in fig.workload] == [
        ("bj_handler", "handler", 9), ("bj_rev1", "reviewer", 6), ("bj_rev2", "reviewer", 6),
        ("bj_signer", "signer", 6)]  # fmt: skip
    assert [(m.month, m.requests, m.issued, m.within_limit, m.overdue) for m in fig.monthly] == [
        (D(2025, 9, 1), 2, 2, 2, 0), (D(2025, 10, 1), 2, 2, 0, 1),
        (D(2026, 2, 1), 5, 2, 1, 2)]  # fmt: skip
    assert (fig.spot_checked, fig.spot_agreed, fig.spot_agreement_rate) == (3, 2, 2 / 3)
    assert fig.consultations == 2


@pytest.mark.django_db
def test_a_period_counts_the_requests_received_in_it(units):
    bj, _, _ = units
    fig = unit_figures([bj], Period(D(2025, 10, 1), D(2025, 10, 31)))
    assert (fig.requests, fig.issued, fig.overdue, fig.extended) == (2, 2, 1, 1)
    assert fig.turnaround.distribution == ((5, 1), (6, 1))
    assert fig.turnaround.median == 5.5
    empty = unit_figures([bj], Period(D(2025, 11, 1), D(2025, 11, 30)))
    assert (empty.requests, empty.turnaround.median, empty.listed_rate) == (0, None, None)


@pytest.mark.django_db
def test_every_unit_side_by_side_and_the_country(units, django_assert_max_num_queries):
    bj, sh, nat = units
    national([bj, sh, nat], PERIOD)  # the first load tallies the closed requests
    # Then: the calendar (three), the open requests' ids, the reopened tallies, the tallies
    # by month (with the sums that find none stale) and the requests' sums, the tallies by
    # working days and by agency, the agencies' names, four over the open requests, the spot
    # checks, the calls.
    with django_assert_max_num_queries(QUERIES):
        total, each = national([bj, sh, nat], PERIOD)
    assert per_unit([bj, sh, nat], PERIOD).keys() == {"bj", "sh", "national"}
    assert each["bj"] == unit_figures([bj], PERIOD).__class__(**{
        **unit_figures([bj], PERIOD).__dict__, "workload": ()})  # fmt: skip
    s = each["sh"]
    assert (s.requests, s.issued, s.overdue, s.pending, s.listed, s.screened_candidates) == (
        2, 1, 1, 1, 0, 1)  # fmt: skip
    assert (s.turnaround.median, s.turnaround.p90, s.turnaround.within_limit) == (1, 1, 1)
    n = each["national"]
    assert (n.requests, n.issued, n.listed, n.reviews, n.disagreements) == (1, 1, 1, 1, 0)
    assert n.by_kind == {"recruitment": (1, 1)}
    # Everyone: days 1, 1, 1, 2, 3, 4, 5, 6 → median (2 + 3) / 2, p90 at rank ⌈7.2⌉ = 8.
    assert (total.requests, total.candidates, total.issued, total.overdue) == (12, 15, 8, 4)
    t = total.turnaround
    assert (t.median, t.p90, t.maximum, t.within_limit) == (2.5, 6, 6, 5)
    assert (total.listed, total.screened_candidates, total.reviews, total.disagreements) == (
        3, 11, 3, 1)  # fmt: skip
    assert total.workload == ()
    assert (s.consultations, s.spot_checked, n.consultations) == (1, 0, 0)
    assert (total.spot_checked, total.spot_agreed, total.consultations) == (3, 2, 3)
    # More units and requests: still the same number of queries.
    more = [make_unit(f"p{i}", f"第{i}省公共信用信息中心", "provincial", f"{50 + i}", f"省{i}函")
            for i in range(5)]  # fmt: skip
    with django_assert_max_num_queries(QUERIES):
        national([bj, sh, nat, *more], PERIOD)


# --- the pages, the workbooks, the charts ---------------------------------------------------

import warnings  # noqa: E402

from django.test import Client  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from gongxin.audit.models import AuditEvent  # noqa: E402
from gongxin.supervision import charts  # noqa: E402
from tests.factories import signed_in  # noqa: E402

QUERY = "?start=2025-09-01&end=2026-02-28"


def client_of(staff):
    return signed_in(Client(), staff.user)


def sheet_rows(body: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(body))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


@pytest.mark.django_db
def test_the_unit_page_and_its_workbook_show_the_figures(units):
    bj, _, _ = units
    signer = bj.staff.get(full_name="bj_signer")
    page = client_of(signer).get("/supervision/statistics/" + QUERY)
    assert page.status_code == 200
    text = page.content.decode()
    assert "2025年9月1日至2026年2月28日" in text
    assert "data:image/svg+xml;base64," in text and "<script" not in text.split("</header>")[1]
    assert "按期反馈率" in text and "50.0%" in text  # 3 of 6 within 3 working days
    assert "bj_rev1" in text  # the workload names staff
    supervisor = bj.staff.get(full_name="bj_spot_checker")  # the history's supervisor
    before = AuditEvent.objects.count()
    answer = client_of(supervisor).get("/supervision/statistics/xlsx" + QUERY)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = sheet_rows(answer.content)
    assert list(sheets) == ["概况", "按发起单位", "按月", "办理用时分布", "工作量"]
    summary = {row[0]: row[1] for row in sheets["概况"][3:]}
    assert summary["查询需求（件）"] == 9 and summary["超期（件）"] == 3
    assert summary["按期反馈率"] == 0.5 and summary["办理用时中位数（工作日）"] == 3.5
    assert summary["复核意见不一致率"] == 0.5
    assert sheets["按月"][3:] == [("2025年9月", 2, 2, 2, 0, 0, 1.0),
                                 ("2025年10月", 2, 2, 0, 2, 1, 0.0),
                                 ("2026年2月", 5, 2, 1, 1, 2, 0.5)]  # fmt: skip
    assert sheets["办理用时分布"][3][:2] == (1, 1)
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.detail) for e in events] == [("supervision.statistics_export", {
        "period_start": "2025-09-01", "period_end": "2026-02-28"})]  # fmt: skip


@pytest.mark.django_db
def test_a_bad_date_is_refused_beside_its_field(units):
    bj, _, _ = units
    client = client_of(bj.staff.get(full_name="bj_signer"))
    before = AuditEvent.objects.count()
    for query, field, said in [
        ("?start=2026-02-30&end=2026-03-01", "起始日期", "日期不存在"),
        ("?start=2026-03-01&end=2026-01-01", "截止日期", "截止日期不能早于起始日期"),
        ("?start=明天&end=2026-01-01", "起始日期", "日期格式不正确"),
        ("?start=&end=2026-01-01", "起始日期", "请填写起始日期"),
    ]:
        answer = client.get("/supervision/statistics/" + query)
        assert answer.status_code == 400, query
        text = answer.content.decode()
        beside = text.split(f'id="{field}"')[1].split("</div>")[0]
        assert said in beside, (query, beside)
        assert "data:image/svg" not in text  # nothing counted
        assert client.get("/supervision/statistics/xlsx" + query).status_code == 400
    assert AuditEvent.objects.count() == before  # a refused export is no export
    assert client.get("/supervision/statistics/?preset=last_month").status_code == 200


@pytest.mark.django_db
def test_the_national_page_ranks_units_and_drills_down(units):
    bj, sh, nat = units
    boss = client_of(make_staff(nat, "nat_supervisor", "supervisor"))
    text = boss.get("/supervision/national/" + QUERY).content.decode()
    body = text.split("<tbody>")[1]
    # On-time share: 上海 1/1, 国家 1/1 (0 overdue each: then by code), 北京 3/6.
    order = [body.index(u.name) for u in (nat, sh, bj)]
    assert order == sorted(order)
    assert "/supervision/national/bj/?start=2025-09-01&amp;end=2026-02-28" in text
    months = boss.get("/supervision/national/bj/" + QUERY)
    assert months.status_code == 200 and "2026年2月" in months.content.decode()
    assert boss.get("/supervision/national/nowhere/").status_code == 404
    sheets = sheet_rows(boss.get("/supervision/national/xlsx" + QUERY).content)
    rows = sheets["各单位对比"][3:-2]  # below: a blank row and the note
    assert [r[1] for r in rows] == [nat.name, sh.name, bj.name, "合计"]
    assert rows[-1][2:5] == (12, 15, 8)


@pytest.mark.django_db
def test_no_national_page_or_export_names_a_candidate(units):
    _, _, nat = units
    boss = client_of(make_staff(nat, "nat_supervisor", "supervisor"))
    answers = [boss.get(url + QUERY) for url in (
        "/supervision/national/", "/supervision/national/bj/", "/supervision/national/sh/",
        "/supervision/national/national/")]  # fmt: skip
    texts = [a.content.decode() for a in answers]
    book = load_workbook(io.BytesIO(boss.get("/supervision/national/xlsx" + QUERY).content))
    texts += [" ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                       for v in row if v is not None)]  # fmt: skip
    assert all(a.status_code == 200 for a in answers)
    for name, number in PEOPLE:
        for text in texts:
            assert name not in text and number not in text and number[-6:] not in text


def test_the_charts_draw_every_glyph_in_svg_and_png():
    from gongxin.supervision.figures import MonthRow, Turnaround

    class Fig:
        monthly = (MonthRow(D(2026, 1, 1), 10, 8, 6, 2), MonthRow(D(2026, 2, 1), 4, 3, 3, 0))
        turnaround = Turnaround(11, 2.0, 5, 6, 9, ((1, 4), (2, 3), (3, 2), (5, 1), (6, 1)))

    assert charts._font() == "Noto Sans CJK SC"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        for draw in (charts.monthly_chart, charts.turnaround_chart):
            svg = draw(Fig, "svg")
            assert svg.lstrip().startswith(b"<?xml") and b"<path" in svg
            assert b"<text" not in svg and b'href="http' not in svg  # outlines, nothing fetched
            assert draw(Fig, "png").startswith(b"\x89PNG")


@pytest.mark.django_db
def test_the_dashboard_shows_this_months_figures_to_those_who_may_see_them(units):
    bj, _, _ = units
    with clock.pinned(at(D(2026, 2, 27))):
        signer = client_of(bj.staff.get(full_name="bj_signer")).get("/").content.decode()
        handler = client_of(bj.staff.get(full_name="bj_handler")).get("/").content.decode()
    # February: E, F, G, H, I received (5); E and F issued; E within 3 days; F late; H not yet
    # overdue on the 27th (its deadline).
    assert (
        "本月服务统计" in signer and "收文 5 件，已反馈 2 件，按期反馈率 50.0%，超期 1 件" in signer
    )
    assert "<title>工作台 ·" in signer
    assert "本月服务统计" not in handler


@pytest.mark.django_db
def test_a_units_report_carries_the_historys_figures_and_its_chart(units):
    """The 工作情况通报 reads the same figures as the page: from the known history, with the
    monthly chart drawn by the statistics' own chart."""
    import re

    from pypdf import PdfReader

    bj, _, _ = units
    boss = client_of(bj.staff.get(full_name="bj_spot_checker"))
    query = {"kind": "unit", "start": "2025-09-01", "end": "2026-02-28",
             "addressee": "北京市公务员局"}  # fmt: skip
    answer = boss.get("/supervision/reports/draft.pdf", query)
    assert answer.status_code == 200
    reader = PdfReader(io.BytesIO(answer.content))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    for fact in ("受理查询需求9件", "按期反馈率50.0%", "中位办理时长3.5个工作日", "超期3件",
                 "抽查3件", "抽查一致率66.7%", "接听电话咨询2次"):  # fmt: skip
        assert fact in text, fact
    images = [name for page in reader.pages
              for name in (page["/Resources"].get("/XObject") or {})]  # fmt: skip
    assert images  # the chart
    for name, number in PEOPLE:
        assert name not in text and number not in text


def test_a_chart_is_drawn_once_for_its_numbers_and_again_when_they_change():
    from gongxin.supervision.figures import MonthRow, Turnaround

    def fig(n):
        month = MonthRow(D(2026, 1, 1), n, n, n, 0)
        return type("F", (), {"monthly": (month,), "turnaround": Turnaround(n, 1, 1, 1, n)})()

    charts._monthly.cache_clear()
    first = charts.monthly_chart(fig(3), "svg")
    assert charts.monthly_chart(fig(3), "svg") == first
    assert charts._monthly.cache_info().hits == 1
    assert charts.monthly_chart(fig(4), "svg") != first  # other numbers, another chart


@pytest.mark.django_db
def test_the_counts_kept_follow_the_requests_and_the_calendar(units):
    """A closed request's counts are kept; reopened (a 更正) it is counted from its rows again,
    and a calendar entered recounts every kept one — the figures never differ from a recount."""
    from django.db.models import F

    from gongxin.inquiry.choices import CLOSED_STATES, RequestState
    from gongxin.inquiry.models import InquiryRequest
    from gongxin.platform.models import CalendarYear
    from gongxin.supervision.figures import calendar_stamp
    from gongxin.supervision.models import RequestTally

    every = list(units)

    def recount():
        RequestTally.objects.all().delete()
        return national(every, PERIOD)

    national(every, PERIOD)
    closed = InquiryRequest.objects.filter(
        state__in=CLOSED_STATES, received_on__range=(PERIOD.start, PERIOD.end))  # fmt: skip
    assert set(RequestTally.objects.values_list("request_id", flat=True)) == set(
        closed.values_list("pk", flat=True))  # fmt: skip
    reopened = closed.filter(state=RequestState.ISSUED).first()
    InquiryRequest.objects.filter(pk=reopened.pk).update(
        state=RequestState.ASSIGNED, round=F("round") + 1)  # fmt: skip
    kept = national(every, PERIOD)
    assert not RequestTally.objects.filter(request=reopened).exists()
    assert kept == recount()
    assert (
        kept[0].corrected == 2 and kept[0].pending == 3
    )  # a correction; issued before, not pending
    stamp = calendar_stamp()
    CalendarYear.objects.create(year=2031, entered_by="t")
    assert calendar_stamp() != stamp
    assert national(every, PERIOD) == kept
    assert set(RequestTally.objects.values_list("calendar", flat=True)) == {calendar_stamp()}
    # Reopened and issued again between two loads (never seen open): the kept sums differ.
    again = closed.filter(state=RequestState.ISSUED).exclude(pk=reopened.pk).first()
    InquiryRequest.objects.filter(pk=again.pk).update(round=F("round") + 1)
    assert national(every, PERIOD) == recount()
    assert RequestTally.objects.get(request=again).round == again.round + 1


@pytest.mark.django_db
def test_gongxin_tally_counts_ahead_of_the_first_reader(units):
    """`gongxin tally` counts every closed request once; run again, it has nothing to count,
    and the figures read afterwards are a recount's."""
    from django.core.management import call_command

    from gongxin.inquiry.choices import CLOSED_STATES
    from gongxin.inquiry.models import InquiryRequest
    from gongxin.supervision.models import RequestTally

    RequestTally.objects.all().delete()
    out = io.StringIO()
    call_command("tally", stdout=out)
    closed = InquiryRequest.objects.filter(state__in=CLOSED_STATES).count()
    assert closed and f"已计数 {closed} 件" in out.getvalue()
    assert RequestTally.objects.count() == closed
    again = io.StringIO()
    call_command("tally", stdout=again)
    assert "已计数 0 件" in again.getvalue()
    with pytest.raises(CommandError, match="没有代码为 zz 的单位"):
        call_command("tally", "--unit", "zz")


@pytest.mark.django_db
def test_sqlite_plans_the_national_figures_from_statistics_of_their_indexes(units):
    """ANALYZE runs with `gongxin tally` (and after every migration), so SQLite chooses
    between indexes knowing them; the period's requests are read from their covering index."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner statistics; PostgreSQL's autovacuum analyses by itself")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
    out = io.StringIO()
    call_command("tally", stdout=out)
    assert "已更新数据库查询统计信息" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1")
        analysed = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "EXPLAIN QUERY PLAN SELECT COUNT(*), SUM(round) FROM inquiry_inquiryrequest "
            "WHERE received_on BETWEEN '2025-09-01' AND '2026-02-28' AND unit_id IN (1, 2, 3) "
            "AND state IN ('issued', 'returned')"
        )
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert {"request_unit_period", "tally_unit_months"} <= analysed
    assert "COVERING INDEX request_unit_period" in plan
