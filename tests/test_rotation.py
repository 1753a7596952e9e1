"""定期轮换 and 业务培训: the unit's tenure on a rotating post (a setting of the unit, audited),
its edges, and the supervisor's list of who is past or near it or whose training lapses —
which says whether the person is drawn with the draw's own rule and reasons."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from gongxin.accounts.eligibility import pool
from gongxin.accounts.models import PlatformUnit, Staff, TrainingRecord, add_months
from gongxin.accounts.unit_settings import set_tenure_months
from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.platform.errors import InvalidSubmission
from gongxin.platform.roles import Role
from gongxin.platform.rules import draw_blockers, drawable, within_tenure
from gongxin.supervision import rotation
from tests.factories import World, make_staff, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tmp_path):
    world = World(tmp_path)
    world.sysadmin = make_staff(world.bj, "sysadmin", "sysadmin")
    world.secadmin = make_staff(world.bj, "secadmin", "secadmin")
    return world


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), clock.ZONE)


def as_person(staff) -> Client:
    client = Client()
    signed_in(client, staff.user)
    return client


def fresh(staff) -> Staff:
    from gongxin.accounts.models import RULE_PREFETCH

    return Staff.objects.prefetch_related(*RULE_PREFETCH).get(pk=staff.pk)


def drawn_handlers(unit) -> set[int]:
    """Whom a draw for 经办人 may pick today (the draw's own pool and rule)."""
    return {s.pk for s in pool(unit, Role.HANDLER, drawable(Role.HANDLER), None)}


def page(staff) -> str:
    """The rotation page as ``staff`` sees it now (signed in anew: the pinned day may differ)."""
    answer = as_person(staff).get("/supervision/rotation/")
    assert answer.status_code == 200
    return answer.content.decode()


def row_of(html: str, name: str) -> str:
    start = html.index(f"<td>{name}</td>")
    return html[start : html.index("</tr>", start)]


# --- the tenure's end ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "months", "ends"),
    [
        (dt.date(2024, 3, 15), 24, dt.date(2026, 3, 15)),
        (dt.date(2024, 2, 29), 24, dt.date(2026, 2, 28)),  # no 29 February in 2026
        (dt.date(2023, 8, 31), 6, dt.date(2024, 2, 29)),
        (dt.date(2025, 12, 31), 1, dt.date(2026, 1, 31)),
        (dt.date(2025, 11, 30), 3, dt.date(2026, 2, 28)),
        (dt.date(2016, 1, 1), 120, dt.date(2026, 1, 1)),
    ],
)
def test_a_tenure_ends_the_same_day_of_the_month_or_the_months_last(since, months, ends):
    assert add_months(since, months) == ends


def test_the_default_tenure_is_24_months_to_the_day(world):
    assert PlatformUnit.objects.get(pk=world.bj.pk).tenure_months == 24
    Staff.objects.filter(pk=world.handler.pk).update(post_since=dt.date(2024, 3, 15))
    with clock.pinned(at("2026-03-14")):  # the last day within the tenure
        handler = fresh(world.handler)
        assert handler.tenure_ends() == dt.date(2026, 3, 15)
        assert within_tenure(handler) is None
        assert world.handler.pk in drawn_handlers(world.bj)
        row = row_of(page(world.supervisor), "handler")
        assert "30 天内任职期满" in row and "2026年3月15日" in row and "还有 1 天" in row
        assert "是（经办人）" in row
    with clock.pinned(at("2026-03-15")):  # exactly 24 months: past it
        handler = fresh(world.handler)
        reason = within_tenure(handler)
        assert reason == "已超过本岗位任职期限（定期轮换）"
        assert world.handler.pk not in drawn_handlers(world.bj)
        row = row_of(page(world.supervisor), "handler")
        assert "已超过任职期限" in row and "<strong>否</strong>" in row
        assert f"经办人：{reason}" in row  # the draw's own reason, word for word


def test_a_unit_with_12_months_rotates_after_a_year_and_others_keep_theirs(world):
    other = make_staff(world.national, "national_handler", "handler",
                       post_since=dt.date(2025, 3, 1))  # fmt: skip
    Staff.objects.filter(pk=world.handler.pk).update(post_since=dt.date(2025, 3, 1))
    with clock.pinned(at("2026-03-02")):
        assert world.handler.pk in drawn_handlers(world.bj)
        set_tenure_months(fresh(world.sysadmin), 12)
        assert world.handler.pk not in drawn_handlers(world.bj)
        assert fresh(world.handler).tenure_ends() == dt.date(2026, 3, 1)
        assert other.pk in drawn_handlers(world.national)  # still 24 months there
        assert "已超过任职期限" in row_of(page(world.supervisor), "handler")


def test_the_tenure_limit_is_set_by_the_units_sysadmin_audited_and_refused_beside_the_field(
    world,
):
    client = as_person(world.sysadmin)
    shown = client.get("/unit/settings/").content.decode()
    assert "经办岗位任职期限（月）" in shown and 'value="24"' in shown
    answer = client.post("/unit/settings/", {"tenure_months": "12"})
    assert answer.status_code == 302
    assert "已修改经办岗位任职期限" in client.get(answer["Location"]).content.decode()
    assert PlatformUnit.objects.get(pk=world.bj.pk).tenure_months == 12
    (event,) = AuditEvent.objects.filter(action="unit.tenure")
    assert event.detail == {"old": 24, "new": 12}
    assert event.actor == "sysadmin" and event.unit_code == "bj"
    for typed, said in (("0", "应为 1 至 120 个月"), ("121", "应为 1 至 120 个月"),
                        ("一年", "请填写整数月数"), ("", "请填写整数月数")):  # fmt: skip
        refused = client.post("/unit/settings/", {"tenure_months": typed})
        html = refused.content.decode()
        assert refused.status_code == 200 and said in html
        assert 'href="#经办岗位任职期限（月）"' in html  # the summary links to the field
        field = html.index('id="经办岗位任职期限（月）"')
        assert html.index(said, html.index("<form")) < field  # beside it, above the input
    same = client.post("/unit/settings/", {"tenure_months": "12"}).content.decode()
    assert "与原来相同" in same
    assert PlatformUnit.objects.get(pk=world.bj.pk).tenure_months == 12
    assert AuditEvent.objects.filter(action="unit.tenure").count() == 1
    assert PlatformUnit.objects.get(pk=world.national.pk).tenure_months == 24
    for other in (world.supervisor, world.secadmin, world.handler):
        assert as_person(other).post("/unit/settings/", {"tenure_months": "6"}).status_code == 404
    with pytest.raises(InvalidSubmission):
        set_tenure_months(fresh(world.sysadmin), 200)


# --- training ------------------------------------------------------------------------------------


def lapse_on(staff, valid_until: dt.date):
    TrainingRecord.objects.filter(staff=staff).update(valid_until=valid_until)


def test_training_lapse_edges_agree_with_the_draw(world):
    lapse_on(world.handler, dt.date(2026, 3, 20))
    lapse_on(world.reviewer_a, dt.date(2026, 3, 20))
    client = world.supervisor
    with clock.pinned(at("2026-02-17")):  # 31 days ahead: not yet mentioned
        assert "<td>handler</td>" not in page(client)
    with clock.pinned(at("2026-02-18")):  # 30 days ahead
        row = row_of(page(client), "handler")
        assert "30 天内业务培训过期" in row and "有效期至2026年3月20日" in row
    with clock.pinned(at("2026-03-20")):  # the last valid day: still drawn
        assert world.handler.pk in drawn_handlers(world.bj)
        assert "是（经办人）" in row_of(page(client), "handler")
    with clock.pinned(at("2026-03-21")):
        assert world.handler.pk not in drawn_handlers(world.bj)
        html = page(client)
        reason = "业务培训已过期（有效期至2026年3月20日），须重新培训合格"
        assert draw_blockers(fresh(world.handler)) == [("经办人", reason)]
        assert "业务培训已过期或未培训" in row_of(html, "handler")
        assert f"经办人：{reason}" in row_of(html, "handler")
        assert f"复核人：{reason}" in row_of(html, "reviewer_a")
        assert "<td>reviewer_b</td>" not in html  # trained to 2029


def test_untrained_and_withdrawn_training_show_with_the_draws_reason(world):
    TrainingRecord.objects.filter(staff=world.signer).update(withdrawn_at=clock.now())
    with clock.pinned(at("2026-03-02")):
        row = row_of(page(world.supervisor), "signer")
    assert "未取得培训合格记录" in row and "签发人：未取得业务培训合格记录" in row


def test_every_row_says_drawn_exactly_when_the_draw_would_pick_the_person(world):
    """Tenure past, tenure near, training lapsed, training near, for several handlers: the
    page's 「是/否」 is the draw's pool, person by person."""
    people = {
        "past": make_staff(world.bj, "h_past", "handler", post_since=dt.date(2024, 1, 10)),
        "near": make_staff(world.bj, "h_near", "handler", post_since=dt.date(2024, 4, 1)),
        "lapsed": make_staff(world.bj, "h_lapsed", "handler"),
        "soon": make_staff(world.bj, "h_soon", "handler"),
    }
    lapse_on(people["lapsed"], dt.date(2026, 3, 1))
    lapse_on(people["soon"], dt.date(2026, 3, 25))
    with clock.pinned(at("2026-03-02")):
        found = rotation.rotation(world.bj.pk)
        drawn = drawn_handlers(world.bj)
        html = page(world.supervisor)
        assert {c.person.full_name for c in found} == {"h_past", "h_near", "h_lapsed", "h_soon"}
        for c in found:
            assert c.drawn == (c.person.pk in drawn), c.person.full_name
            assert ("<strong>否</strong>" in row_of(html, c.person.full_name)) == (not c.drawn)
        counts = rotation.counts(found)
    assert counts == {"tenure_past": 1, "tenure_30": 1, "tenure_60": 0,
                      "training_lapsed": 1, "training_soon": 1}  # fmt: skip


# --- the page, its export, its panel and who may see them ---------------------------------------


def test_the_export_has_the_pages_rows_and_is_recorded(world):
    Staff.objects.filter(pk=world.handler.pk).update(post_since=dt.date(2024, 1, 10))
    with clock.pinned(at("2026-03-02")):
        answer = as_person(world.supervisor).get("/supervision/rotation.xlsx")
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:4] == ["姓名", "账号", "角色", "事项"]
    assert rows[1][:5] == ["handler", "handler", "经办人", "已超过任职期限", "2026-01-10"]
    assert rows[1][6] == "否" and "已超过本岗位任职期限" in rows[1][7]
    (event,) = AuditEvent.objects.filter(action="supervision.export_rotation")
    assert event.detail == {"rows": 1}


def test_the_supervisors_dashboard_counts_them_and_links_the_page(world):
    Staff.objects.filter(pk=world.handler.pk).update(post_since=dt.date(2024, 1, 10))
    with clock.pinned(at("2026-03-02")):
        board = as_person(world.supervisor).get("/").content.decode()
        handler_board = as_person(world.handler).get("/").content.decode()
    panel = board[board.index('id="panel-rotation"') :]
    assert "已超过任职期限：1 人" in panel and 'href="/supervision/rotation/"' in panel
    assert "panel-rotation" not in handler_board
    assert "<title>工作台 · " in board  # panels are not rendered into the title


@pytest.mark.parametrize(
    ("who", "status"),
    [("supervisor", 200), ("handler", 404), ("reviewer_a", 404), ("signer", 404),
     ("sysadmin", 404), ("secadmin", 404)],
)  # fmt: skip
def test_only_the_supervisor_sees_the_rotation_page(world, who, status):
    client = as_person(getattr(world, who))
    assert client.get("/supervision/rotation/").status_code == status
    assert client.get("/supervision/rotation.xlsx").status_code == status


def test_a_supervisor_sees_only_their_own_units_people(world):
    national_supervisor = make_staff(world.national, "nat_sup", "supervisor")
    Staff.objects.filter(pk=world.handler.pk).update(post_since=dt.date(2024, 1, 10))
    with clock.pinned(at("2026-03-02")):
        html = page(national_supervisor)
    assert "<td>handler</td>" not in html
    assert Client().get("/supervision/rotation/").status_code == 302  # to sign in
