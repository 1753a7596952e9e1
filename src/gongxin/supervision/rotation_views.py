"""Pages of rotation and training (定期轮换, 业务培训) and of reminders (提醒): thin, reading
gongxin.supervision.rotation and gongxin.supervision.reminders."""

from __future__ import annotations

from django.shortcuts import render

from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.platform.permissions import allowed, requires
from gongxin.platform.roles import Role
from gongxin.supervision import reminders, rotation, workbook

ROTATION_COLUMNS = ["姓名", "账号", "角色", "事项", "日期", "剩余天数", "今日是否参加抽取",
                    "不参加抽取的原因"]  # fmt: skip


def _roles(person) -> str:
    return "、".join(Role(r).label for r in Role.values if r in person.roles)


@requires("supervision_rotation")
def rotation_page(request):
    """定期轮换与业务培训: the unit's business staff past or near their tenure's end, or whose
    training lapsed or lapses soon, with whether the draw leaves them out and why."""
    concerns = rotation.rotation(request.staff.unit_id)
    for c in concerns:
        c.person.role_labels = _roles(c.person)
    return render(request, "supervision/rotation_list.html", {
        "concerns": concerns, "counts": rotation.count_rows(concerns),
        "tenure_months": request.staff.unit.tenure_months, "today": clock.today(),
    })  # fmt: skip


def _drawn(c: rotation.Concern) -> str:
    if not c.drawn_roles:
        return "不参加抽取"
    return "否" if c.blockers else "是"


@requires("supervision_rotation_export")
def rotation_export(request):
    """The same list as XLSX (staff only: no candidate is in it)."""
    concerns = rotation.rotation(request.staff.unit_id)
    rows = [[c.person.full_name, c.person.user.get_username(), _roles(c.person), c.label,
             c.day.isoformat() if c.day else "", c.days_left if c.day else "", _drawn(c),
             "；".join(f"{roles}：{reason}" for roles, reason in c.blockers)]
            for c in concerns]  # fmt: skip
    body = workbook.plain([("定期轮换与业务培训", ROTATION_COLUMNS, rows)])
    unit = ("PlatformUnit", request.staff.unit_id)
    record(request.staff, "supervision.export_rotation", ref=unit, rows=len(concerns))
    return workbook.download(body, f"rotation-{clock.today().isoformat()}.xlsx")


@requires("supervision_reminders")
def reminders_page(request):
    """提醒: the signed-in person's reminders; a supervisor also sees everyone's in the unit."""
    staff = request.staff
    supervisor = allowed(staff, Role.SUPERVISOR)
    found = reminders.unit_reminders(staff.unit_id, only=None if supervisor else staff)
    others = []
    if supervisor:
        others = [r for r in found.people if r.person.pk != staff.pk and r.count]
    return render(request, "supervision/reminders_list.html", {
        "found": found, "mine": found.of(staff), "others": others,
        "supervisor": supervisor,
    })  # fmt: skip
