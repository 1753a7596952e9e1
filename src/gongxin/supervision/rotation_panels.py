"""工作台 panels of rotation and training (for supervisors) and of reminders (for business
staff), registered in SupervisionConfig.ready() (gongxin.platform.panels)."""

from __future__ import annotations

from gongxin.platform.panels import Panel, provider
from gongxin.platform.permissions import BUSINESS, allowed
from gongxin.platform.roles import Role
from gongxin.supervision import reminders, rotation


@provider
def rotation_panel(staff) -> list[Panel]:
    """A supervisor's counts of people past or near their tenure's end or training lapse."""
    if not allowed(staff, Role.SUPERVISOR):
        return []
    found = rotation.rotation(staff.unit_id)
    rows = rotation.count_rows(found)
    return [Panel("supervision/rotation_panel.html", {"rows": rows})]


@provider
def reminders_panel(staff) -> list[Panel]:
    """The signed-in person's reminders, counted, and a link to them."""
    if not allowed(staff, BUSINESS):
        return []
    supervisor = allowed(staff, Role.SUPERVISOR)
    found = reminders.unit_reminders(staff.unit_id, only=None if supervisor else staff)
    mine = found.of(staff)
    data = {"count": mine.count, "overdue": len(mine.overdue), "today": len(mine.due_today),
            "next": len(mine.due_next), "no_contact": len(mine.no_contact),
            "others": 0}  # fmt: skip
    if supervisor:
        data["others"] = sum(r.count for r in found.people if r.person.pk != staff.pk)
    return [Panel("supervision/reminders_panel.html", data)]
