"""提醒: per person, the requests they must act on next that are due on the next working day,
today or overdue, and the 延期/超期说明 recorded without an agency contact; `gongxin remind`
prints them (no candidate in it) and the reminders page shows them.

Decision tested here: "due tomorrow" is due on the next working day of the platform calendar —
on a Friday a request due on Monday is listed, and on the last day before 国庆 one due on the
first working day after it."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import prefetch_related_objects
from django.test import Client

from gongxin.accounts.models import RULE_PREFETCH, Staff
from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.inquiry.models import Extension, InquiryRequest
from gongxin.inquiry.queue_views import dashboard_context
from gongxin.inquiry.services import ExtensionInput, extend
from gongxin.supervision import reminders
from tests.factories import LI, ZHANG, World, make_staff, signed_in

pytestmark = pytest.mark.django_db

SECRETS = (ZHANG[0], ZHANG[1], LI[0], LI[1], "110105********002X", "440524********0014")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), clock.ZONE)


@pytest.fixture
def week(tmp_path):
    """Three requests the handler must screen: due Thu 5, Fri 6 and Mon 9 March 2026."""
    world = World(tmp_path)
    world.sysadmin = make_staff(world.bj, "sysadmin", "sysadmin")
    world.due = {}
    for received in ("2026-03-02", "2026-03-03", "2026-03-04"):
        day = dt.date.fromisoformat(received)
        with clock.pinned(at(received)):
            req = world.register(received_on=day, today=day)
        world.due[req.deadline] = req
    assert sorted(world.due) == [dt.date(2026, 3, 5), dt.date(2026, 3, 6), dt.date(2026, 3, 9)]
    return world


def remind(*args) -> str:
    out = io.StringIO()
    call_command("remind", *args, stdout=out)
    return out.getvalue()


def of(world, person, day: str) -> reminders.Reminders:
    with clock.pinned(at(day)):
        return reminders.unit_reminders(world.bj.pk).of(person)


def numbers(items) -> list[str]:
    return [d.request.letter_number for d in items]


def test_on_a_friday_due_tomorrow_means_due_on_monday(week):
    mine = of(week, week.handler, "2026-03-06")
    assert numbers(mine.overdue) == [week.due[dt.date(2026, 3, 5)].letter_number]
    assert numbers(mine.due_today) == [week.due[dt.date(2026, 3, 6)].letter_number]
    assert numbers(mine.due_next) == [week.due[dt.date(2026, 3, 9)].letter_number]
    assert {d.step for d in mine.due} == {"查询"}
    thursday = of(week, week.handler, "2026-03-05")
    assert numbers(thursday.due_today) == [week.due[dt.date(2026, 3, 5)].letter_number]
    assert numbers(thursday.due_next) == [week.due[dt.date(2026, 3, 6)].letter_number]
    assert not thursday.overdue  # Monday's is not due yet on Thursday
    saturday = of(week, week.handler, "2026-03-07")  # a day off: Monday is next
    assert len(saturday.overdue) == 2 and len(saturday.due_next) == 1
    # Nobody else must act on a request waiting to be screened.
    assert of(week, week.reviewer_a, "2026-03-06").count == 0
    assert of(week, week.supervisor, "2026-03-06").count == 0


def test_before_national_day_the_next_working_day_is_after_the_holiday(tmp_path):
    world = World(tmp_path)
    with clock.pinned(at("2026-09-28")):
        req = world.register(received_on=dt.date(2026, 9, 28), today=dt.date(2026, 9, 28))
    assert req.deadline == dt.date(2026, 10, 8)  # 9/29, 9/30, then 10/8 after 国庆
    assert numbers(of(world, world.handler, "2026-09-30").due_next) == [req.letter_number]
    assert numbers(of(world, world.handler, "2026-10-07").due_next) == [req.letter_number]
    assert not of(world, world.handler, "2026-09-29").count  # 9/30 is next: not due yet
    text = remind("--unit", "bj", "--date", "2026-09-30")
    assert "下一工作日2026年10月8日" in text and "下一工作日到期" in text


def test_the_reminders_are_the_dashboards_todo_that_falls_due(week):
    """Who must act is the rules' answer: the same requests the 工作台 lists as the person's
    待办, those due by the next working day."""
    with clock.pinned(at("2026-03-06")):
        for person in (week.handler, week.reviewer_a, week.signer, week.supervisor):
            staff = Staff.objects.select_related("unit", "user").get(pk=person.pk)
            prefetch_related_objects([staff], *RULE_PREFETCH)
            todo = {r.pk for r in dashboard_context(staff)["todo"]
                    if r.deadline <= dt.date(2026, 3, 9)}  # fmt: skip
            due = {d.request.pk for d in reminders.unit_reminders(week.bj.pk).of(person).due}
            assert due == todo, person.full_name


def test_an_extension_without_an_agency_contact_reminds_the_handler_and_supervisor(week):
    late = week.due[dt.date(2026, 3, 5)]
    agreed = week.due[dt.date(2026, 3, 6)]
    with clock.pinned(at("2026-03-06")):
        extend(week.handler, late.pk, ExtensionInput(reason="材料待补"))  # overdue: a note
        extend(week.handler, agreed.pk, ExtensionInput(
            reason="人数较多", agency_contact="王科长", agreed_on=dt.date(2026, 3, 6),
            method="电话", new_deadline=dt.date(2026, 3, 13)))  # fmt: skip
    assert Extension.objects.get(request=late).agency_contact == ""
    for person in (week.handler, week.supervisor):
        told = of(week, person, "2026-03-06").no_contact
        assert [e.request_id for e in told] == [late.pk], person.full_name
    assert not of(week, week.reviewer_a, "2026-03-06").no_contact
    mine = of(week, week.handler, "2026-03-06")
    assert agreed.letter_number not in numbers(mine.due)  # its deadline moved to 13 March


def test_gongxin_remind_prints_per_person_without_any_candidate_and_records_one_event(week):
    with clock.pinned(at("2026-03-06")):
        extend(week.handler, week.due[dt.date(2026, 3, 5)].pk, ExtensionInput(reason="材料待补"))
    before = (InquiryRequest.objects.count(), Extension.objects.count(), Staff.objects.count())
    events = AuditEvent.objects.count()
    text = remind("--unit", "bj", "--date", "2026-03-06")
    lines = text.splitlines()
    assert lines[0] == "北京市公共信用信息中心（bj）提醒，2026年3月6日，下一工作日2026年3月9日"
    assert "handler handler（北京市公共信用信息中心）：4 项" in lines
    assert "supervisor supervisor（北京市公共信用信息中心）：1 项" in lines
    for when, deadline in (
        ("已超期", "3月5日"),
        ("今日到期", "3月6日"),
        ("下一工作日到期", "3月9日"),
    ):
        req = week.due[dt.date(2026, 3, int(deadline[2:-1]))]
        assert (f"  {when}  #{req.pk} {req.letter_number}（北京市委组织部）待查询，"
                f"办结期限2026年{deadline}") in lines  # fmt: skip
    assert "未记录发起单位联系人" in text
    assert not any(secret in text for secret in SECRETS)
    assert (InquiryRequest.objects.count(), Extension.objects.count(),
            Staff.objects.count()) == before  # fmt: skip
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.get(action="supervision.remind")
    assert event.actor == "system" and event.object_id == "bj"
    assert event.detail == {"remind_date": "2026-03-06", "units": 1, "reminded": 2,
                            "due_overdue": 1, "due_today": 1, "due_next": 1,
                            "no_contact": 2}  # fmt: skip
    assert not any(secret in str(event.detail) for secret in SECRETS)


def test_gongxin_remind_covers_every_unit_and_refuses_an_unknown_one(week):
    text = remind("--date", "2026-03-06")
    assert "国家公共信用信息中心（national）提醒" in text and "  无提醒" in text
    with pytest.raises(CommandError, match="没有代码为 zz 的单位"):
        remind("--unit", "zz")
    with pytest.raises(CommandError, match="格式不正确"):
        remind("--date", "2026-02-30")


def test_when_next_years_calendar_is_missing_the_reminders_say_so(week):
    text = remind("--unit", "bj", "--date", "2026-12-31")
    assert "无法确定下一工作日" in text and "2027" in text


# --- the page ------------------------------------------------------------------------------------


def page_of(staff, day="2026-03-06"):
    with clock.pinned(at(day)):
        client = Client()
        signed_in(client, staff.user)
        return client.get("/supervision/reminders/")


def test_the_page_shows_ones_own_and_to_a_supervisor_everyones(week):
    mine = page_of(week.handler).content.decode()
    assert "我的提醒（3）" in mine and "已超期" in mine and "下一工作日（2026年3月9日）" in mine
    assert "本单位其他人员的提醒" not in mine
    for number in (r.letter_number for r in week.due.values()):
        assert number in mine
    theirs = page_of(week.supervisor).content.decode()
    assert "我的提醒（0）" in theirs and "<h3>handler（handler）：3 项</h3>" in theirs
    assert not any(secret in mine + theirs for secret in SECRETS)
    board = None
    with clock.pinned(at("2026-03-06")):
        client = Client()
        signed_in(client, week.handler.user)
        board = client.get("/").content.decode()
    panel = board[board.index('id="panel-reminders"') :]
    assert "您有 3 项提醒" in panel and 'href="/supervision/reminders/"' in panel


@pytest.mark.parametrize(
    ("who", "status"),
    [("handler", 200), ("reviewer_a", 200), ("signer", 200), ("supervisor", 200),
     ("sysadmin", 404)],
)  # fmt: skip
def test_who_may_see_the_reminders_page(week, who, status):
    assert page_of(getattr(week, who)).status_code == status
    assert Client().get("/supervision/reminders/").status_code == 302
