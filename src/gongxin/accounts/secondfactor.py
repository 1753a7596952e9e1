"""The TOTP second factor (django-otp's TOTPDevice): enrolment at the first sign-in, the code at
every sign-in after it, and the security administrator's reset.

A code is checked against the person's confirmed devices inside a transaction that locks them
(django_otp.verify_token), so the same code cannot pass twice, even from two requests at once:
the device keeps the time step of the last code it accepted (``last_t``) and accepts only later
ones. Wrong codes count toward the sign-in lockout (gongxin.accounts.signin).
"""

from __future__ import annotations

import base64
import io
import unicodedata

import django_otp
import qrcode
import qrcode.image.svg
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "动态验证码"


def confirmed_devices(user) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def normalised(code: str) -> str:
    """Six digits as typed: full-width digits (input methods) and spaces are accepted."""
    plain = unicodedata.normalize("NFKC", code or "")
    return "".join(ch for ch in plain if not ch.isspace())


def well_formed(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def verify(user, code: str) -> TOTPDevice | None:
    """The confirmed device of ``user`` that accepts ``code`` now (and never again), or None."""
    code = normalised(code)
    if not well_formed(code):
        return None
    for device in confirmed_devices(user):
        accepted = django_otp.verify_token(user, device.persistent_id, code)
        if accepted is not None:
            return accepted
    return None


def reused(user, code: str) -> bool:
    """Whether ``code`` is the one a confirmed device of ``user`` last accepted: the person
    typed it again before the authenticator showed the next one (refused all the same)."""
    code = normalised(code)
    if not well_formed(code):
        return False
    for device in confirmed_devices(user):
        if device.last_t < 0:
            continue
        last = TOTP(device.bin_key, device.step, device.t0, device.digits)
        last.time = device.t0 + device.last_t * device.step
        if last.token() == int(code):
            return True
    return False


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled: the same one until it is confirmed, so that a
    reloaded page shows the secret already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def confirm(user, code: str) -> TOTPDevice | None:
    """Confirm the pending device with a code it generated; the person's other unconfirmed
    devices go. None if the code is wrong."""
    code = normalised(code)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None or not well_formed(code):
        return None
    accepted = django_otp.verify_token(user, device.persistent_id, code)
    if accepted is None:
        return None
    accepted.confirmed = True
    accepted.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return accepted


def secret_of(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it by hand: base32, in groups of four."""
    plain = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` address as a QR code, an SVG data URI (the page's policy allows
    ``img-src data:``; nothing leaves the server)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage,
                        box_size=8, border=2)  # fmt: skip
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def remove_all(user) -> int:
    """Delete every device of ``user`` (the second-factor reset); returns how many."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted
