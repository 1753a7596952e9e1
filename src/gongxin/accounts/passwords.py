"""The password's age: changed at least every GONGXIN_PASSWORD_DAYS days, and at the next sign-in
after the security administrator reset it. ``change_reason`` is the one rule; the sign-in gate,
the API token and the change page all ask it."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings

from gongxin.core import clock

# Temporary passwords: four groups of four from letters and digits without look-alikes, each
# group holding an upper-case letter, a lower-case letter and a digit (three kinds, 16 letters
# and digits plus hyphens: the password rules hold by construction).
UPPER = "ABCDEFGHJKMNPQRSTUVWXYZ"
LOWER = "abcdefghjkmnpqrstuvwxyz"
DIGITS = "23456789"


def change_reason(staff) -> str | None:
    """Why ``staff`` must change their password before anything else, or None."""
    if staff is None:
        return None
    if staff.must_change_password:
        return "您的密码是安全管理员设置的（开设账号或重置密码），请先设置只有您本人知道的新密码。"
    days = settings.GONGXIN_PASSWORD_DAYS
    if clock.now() - staff.password_changed_at >= dt.timedelta(days=days):
        return f"您的密码已使用超过 {days} 天，请先修改密码。"
    return None


def changed(staff) -> None:
    """The person set a password of their own just now."""
    staff.password_changed_at = clock.now()
    staff.must_change_password = False
    staff.save(update_fields=["password_changed_at", "must_change_password"])


def temporary() -> str:
    groups = []
    for _ in range(4):
        chars = [secrets.choice(UPPER), secrets.choice(LOWER), secrets.choice(DIGITS),
                 secrets.choice(UPPER + LOWER + DIGITS)]  # fmt: skip
        secrets.SystemRandom().shuffle(chars)
        groups.append("".join(chars))
    return "-".join(groups)
