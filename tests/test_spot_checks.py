"""抽查抽检 (gongxin.supervision.spotchecks): the sample, the re-screening as of the original
date and list version, findings and their closing, the pages and the 工作台 panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.inquiry import services
from gongxin.inquiry.models import Finding as ScreeningFinding
from gongxin.inquiry.models import Round
from gongxin.platform.errors import InvalidSubmission, WorkflowError
from gongxin.registry.models import current_version
from gongxin.supervision import spotchecks
from gongxin.supervision.figures import Period
from gongxin.supervision.models import Finding, SpotCheck, SpotCheckItem
from tests.factories import (
    LI,
    WANG,
    ZHANG,
    Lists,
    World,
    issued,
    make_staff,
    matched_candidates,
    person_row,
    screen_people,
    signed_in,
)

ZONE = clock.ZONE
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), ZONE)


@pytest.fixture
def pinned():
    """Pin the product clock to a day of the history (later pins move it on)."""
    with clock.pinned(at("2026-03-02", 9)):
        yield clock.pin


@pytest.fixture
def march(pinned, tmp_path):
    """Beijing's world (its list made on 2 March), built on 2 March."""
    return World(tmp_path)


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- the sample -------------------------------------------------------------------------------


def test_the_sample_size_is_the_rate_rounded_up_and_at_least_one():
    assert spotchecks.sample_size(25, 10) == 3  # 2.5 rounded up
    assert spotchecks.sample_size(20, 10) == 2
    assert spotchecks.sample_size(1, 10) == 1
    assert spotchecks.sample_size(3, 1) == 1  # at least one when there is any
    assert spotchecks.sample_size(0, 10) == 0
    assert spotchecks.sample_size(7, 100) == 7


@given(size=st.integers(min_value=0, max_value=500), rate=st.integers(min_value=1, max_value=100))
def test_a_sample_is_part_of_its_population_and_of_the_rule_s_size(size, rate):
    population = [7 * n + 3 for n in range(size)]  # request ids: not a range from 1
    sample = spotchecks.draw_sample(population, rate)
    assert set(sample) <= set(population)
    assert len(set(sample)) == len(sample) == spotchecks.sample_size(size, rate)
    if size:
        assert len(sample) >= 1 and len(sample) * 100 >= size * rate
        assert (len(sample) - 1) * 100 < size * rate or len(sample) == 1


def test_every_request_can_be_drawn():
    """Not always the same ones (uniform: 200 draws of 3 out of 25 leave none out)."""
    population = list(range(1, 26))
    seen = set()
    for _ in range(200):
        seen |= set(spotchecks.draw_sample(population, 10))
    assert seen == set(population)


def _issued_on(world, day: str, people=(LI,), agency=None):
    """A request received, screened and submitted (nothing matched: decided 未列入) on ``day``,
    and its first round marked issued then (the statistics count what the round records)."""
    clock.pin(at(day))
    req = world.register(people=people, received_on=clock.today(), today=clock.today(),
                         agency=agency)  # fmt: skip
    services.screen_request(world.handler, req.pk, today=clock.today())
    services.submit(world.handler, req.pk)
    Round.objects.filter(request=req, number=1).update(issued_at=clock.now())
    return req


@pytest.mark.django_db
def test_only_the_unit_s_requests_first_issued_in_the_period_are_drawn(march):
    world = march
    inside = [_issued_on(world, f"2026-03-{2 + n % 20:02d}").pk for n in range(25)]
    _issued_on(world, "2026-02-27")  # before the period
    clock.pin(at("2026-04-01"))
    _issued_on(world, "2026-04-01")  # after it
    clock.pin(at("2026-03-05"))
    world.register(people=[LI])  # never issued
    national = world.outsider
    national_agency = world.central
    clock.pin(at("2026-03-06"))
    other = world.register(people=[LI], agency=national_agency, actor=national)
    Round.objects.filter(request=other, number=1).update(issued_at=clock.now())  # another unit
    # The first round issued before the period, its correction inside it: not this period's.
    corrected = _issued_on(world, "2026-02-26")
    Round.objects.create(request=corrected, number=2, issued_at=at("2026-03-09"))

    clock.pin(at("2026-04-02"))
    assert spotchecks.population(world.bj, MARCH) == sorted(inside)
    spot = spotchecks.draw(world.supervisor, MARCH, 10)
    assert (spot.population, spot.sample_size, spot.rate) == (25, 3, 10)
    sampled = set(spot.items.values_list("request_id", flat=True))
    assert len(sampled) == 3 and sampled <= set(inside)
    assert all(item.agreed for item in spot.items.all())  # nothing wrong was issued
    assert not Finding.objects.exists()


# --- re-screening as of the original date and version ----------------------------------------


def build_history(tmp_path):
    """Beijing's world on 2 March and three requests issued in March: ZHANG listed and
    confirmed, (LI, ZHANG) with ZHANG's result later altered to 未列入 behind the product's back,
    and (WANG, LI), WANG found nowhere on 3 March but added on 10 March to the list with a
    listing date before the 3rd. The clock is left on 2 April."""
    clock.pin(at("2026-03-02", 9))
    world = World(tmp_path)
    clock.pin(at("2026-03-02", 10))
    right = issued(world, people=[ZHANG])
    clock.pin(at("2026-03-03", 10))
    planted = issued(world, people=[LI, ZHANG])
    later_listed = issued(world, people=[WANG, LI])
    zhang = next(c for c in matched_candidates(planted))
    ScreeningFinding.objects.filter(candidate=zhang).update(result="not_listed")
    clock.pin(at("2026-03-10", 10))
    rows = [person_row(*ZHANG, listed_on="2025-01-02"),
            person_row(*WANG, listed_on="2026-02-20", case="（2026）京0105执9号")]  # fmt: skip
    Lists(tmp_path).load(rows, as_of="2026-03-10")
    clock.pin(at("2026-04-02", 10))
    return world, right, planted, later_listed


@pytest.fixture
def history(pinned, tmp_path):
    return build_history(tmp_path)


@pytest.mark.django_db
def test_one_planted_wrong_result_opens_exactly_one_finding(history):
    world, right, planted, later_listed = history
    # The list change matters today: WANG is found as of 3 March in the current version...
    assert str(screen_people([WANG], "2026-03-03").results[0].match) != "none"
    before = events("supervision.spot_check")

    spot = spotchecks.draw(world.supervisor, MARCH, 100)

    # ...but not in the version the request was screened against: no discrepancy for him.
    assert spot.sample_size == spot.population == 3
    items = {i.request_id: i for i in spot.items.all()}
    assert items[right.pk].agreed and items[later_listed.pk].agreed
    assert not items[planted.pk].agreed
    assert Finding.objects.count() == 1
    assert Finding.objects.get().item == items[planted.pk]
    zhang_row = matched_candidates(planted)[0].row
    assert items[planted.pk].differences == [{
        "row": zhang_row, "issued_result": "not_listed", "expected_result": "listed",
        "issued_match": "exact", "found_match": "exact",
        "issued_entries": 1, "found_entries": 1, "same_entries": 1,
    }]  # fmt: skip
    said = spotchecks.describe(items[planted.pk].differences[0])
    assert said == f"第{zhang_row}号人选：反馈结果为未列入，重新比对应为列入"
    assert events("supervision.spot_check") == before + 1
    event = AuditEvent.objects.filter(action="supervision.spot_check").latest("seq")
    assert event.detail["findings"] == 1 and event.detail["sample"] == 3
    stored = repr(list(SpotCheckItem.objects.values())) + repr(event.detail)
    for name, number in (ZHANG, LI, WANG):
        assert name not in stored and number not in stored and number[-6:] not in stored
    assert current_version() > spotchecks.version_at(at("2026-03-03", 10))


@pytest.mark.django_db
def test_a_finding_closes_only_with_an_explanation(history):
    world = history[0]
    spotchecks.draw(world.supervisor, MARCH, 100)
    finding = Finding.objects.get()
    before = events("supervision.close_finding")
    for blank in (
        "",
        "   \n ",
        "人选１１０１０１１９９００３０７７７７７已核查",
    ):  # an ID number either
        with pytest.raises(InvalidSubmission) as refused:
            spotchecks.close_finding(world.supervisor, finding.pk, blank)
        assert refused.value.problems[0].field == "处理说明"
        assert "110101" not in refused.value.problems[0].reason
    with pytest.raises(WorkflowError):  # not a supervisor
        spotchecks.close_finding(world.handler, finding.pk, "已核查")
    other_supervisor = make_staff(world.national, "national_supervisor", "supervisor")
    with pytest.raises(WorkflowError):  # another unit's supervisor
        spotchecks.close_finding(other_supervisor, finding.pk, "已核查")
    finding.refresh_from_db()
    assert finding.is_open and finding.explanation == ""
    assert events("supervision.close_finding") == before

    spotchecks.close_finding(world.supervisor, finding.pk, "经核查为数据库被改动，已更正复函")
    finding.refresh_from_db()
    assert not finding.is_open and finding.closed_by == world.supervisor
    assert events("supervision.close_finding") == before + 1
    with pytest.raises(WorkflowError) as again:
        spotchecks.close_finding(world.supervisor, finding.pk, "再次关闭")
    assert again.value.code == "closed"
    assert Finding.objects.get().explanation == "经核查为数据库被改动，已更正复函"
    assert events("supervision.close_finding") == before + 1


@pytest.mark.django_db
def test_only_a_supervisor_draws_and_a_refused_draw_changes_nothing(history):
    world = history[0]
    for who in (world.handler, world.signer, None):
        with pytest.raises(WorkflowError):
            spotchecks.draw(who, MARCH, 10)
    with pytest.raises(InvalidSubmission) as refused:
        spotchecks.draw(world.supervisor, Period(MARCH.end, MARCH.start), 0)
    assert {p.field for p in refused.value.problems} == {"反馈日期起", "抽查比例"}
    assert not SpotCheck.objects.exists() and not SpotCheckItem.objects.exists()
    assert events("supervision.spot_check") == 0


@pytest.mark.django_db
def test_agreement_and_open_findings_by_unit(history):
    world = history[0]
    spotchecks.draw(world.supervisor, MARCH, 100)
    assert spotchecks.agreement([world.bj], MARCH) == (3, 2)
    assert spotchecks.agreement(["bj"], Period(dt.date(2026, 3, 3), dt.date(2026, 3, 3))) == (2, 1)
    assert spotchecks.agreement([world.national], MARCH) == (0, 0)
    assert spotchecks.open_findings_by_unit() == {"bj": 1}
    spotchecks.close_finding(world.supervisor, Finding.objects.get().pk, "已核查更正")
    assert spotchecks.open_findings_by_unit() == {}
    assert spotchecks.agreement([world.bj], MARCH) == (3, 2)  # closing does not make it agree


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_findings_show_on_the_supervisor_s_dashboard_until_closed(history):
    world, _right, planted, _later = history
    spotchecks.draw(world.supervisor, MARCH, 100)
    supervisor = signed_in(Client(), world.supervisor)
    handler = signed_in(Client(), world.handler)
    page = supervisor.get("/").content.decode()
    assert "抽查发现的问题待关闭（1）" in page and planted.letter_number in page
    assert "抽查发现的问题待关闭" not in handler.get("/").content.decode()
    listing = supervisor.get("/supervision/spot-checks/").content.decode()
    assert "待关闭的问题（1）" in listing

    finding = Finding.objects.get()
    url = f"/supervision/findings/{finding.pk}/close/"
    refused = supervisor.post(url, {"explanation": " "})
    assert refused.status_code == 400
    assert "请填写处理说明" in refused.content.decode()
    assert Finding.objects.get().is_open
    assert "抽查发现的问题待关闭（1）" in supervisor.get("/").content.decode()

    done = supervisor.post(url, {"explanation": "已核查：复函结果被改动，已报告并更正"})
    assert done.status_code == 302
    assert "抽查发现的问题待关闭" not in supervisor.get("/").content.decode()
    detail = supervisor.get(done["Location"]).content.decode()
    assert "已关闭" in detail and "已核查：复函结果被改动" in detail


@pytest.mark.django_db
def test_a_draw_from_the_page_and_its_refusals(history):
    world, _right, planted, _later = history
    supervisor = signed_in(Client(), world.supervisor)
    form = supervisor.get("/supervision/spot-checks/new/").content.decode()
    assert 'value="10"' in form
    bad = {
        ("2026-03-31", "2026-03-01", "10"): "开始日期不能晚于结束日期",
        ("2026-03-01", "2026-12-31", "10"): "结束日期不能晚于今天",
        ("2026-03-01", "2026-03-31", "0"): "请填写 1 至 100 之间的整数",
        ("2026-03-01", "2026-03-31", "十"): "请填写 1 至 100 之间的整数",
        ("2026-02-30", "2026-03-31", "10"): "日期不存在",
        ("", "2026-03-31", "10"): "请填写日期",
        ("2026-01-01", "2026-01-31", "10"): "该期间本单位没有已反馈的查询需求",
    }
    for (start, end, rate), message in bad.items():
        answer = supervisor.post("/supervision/spot-checks/new/",
                                 {"start": start, "end": end, "rate": rate})  # fmt: skip
        assert answer.status_code == 400, (start, end, rate)
        assert message in answer.content.decode(), (start, end, rate)
        assert 'aria-invalid="true"' in answer.content.decode()
    assert not SpotCheck.objects.exists()
    assert events("supervision.spot_check") == 0

    whole = {"start": "2026-03-01", "end": "2026-03-31", "rate": "100"}
    answer = supervisor.post("/supervision/spot-checks/new/", whole)
    assert answer.status_code == 302
    page = supervisor.get(answer["Location"]).content.decode()
    assert "不一致" in page and planted.letter_number in page and "关闭问题" in page
    for name, number in (ZHANG, LI, WANG):
        assert name not in page and number not in page
    # Another unit's supervisor: as if it did not exist.
    stranger = signed_in(Client(), make_staff(world.national, "nat_sup", "supervisor"))
    assert stranger.get(answer["Location"]).status_code == 404
    finding = Finding.objects.get()
    url = f"/supervision/findings/{finding.pk}/close/"
    assert stranger.post(url, {"explanation": "关闭"}).status_code == 404
    assert Finding.objects.get().is_open
    assert "待关闭的问题" not in stranger.get("/supervision/spot-checks/").content.decode()
