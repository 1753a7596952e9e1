"""专机: registered workstations. The security administrator registers one and gets a one-time
enrolment code (登记码); typed at /workstation/enrol/ in that workstation's browser, it leaves a
long-lived cookie holding a random device credential. Sign-in asks ``at(request)`` which
active workstation a request comes from, and nothing else does.

Only digests of codes and credentials are stored: a copy of the database registers no browser.
Each change is recorded once; refusals raise WorkflowError and change nothing.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from gongxin.accounts.models import ApiToken, Workstation
from gongxin.core import clock
from gongxin.platform.errors import WorkflowError, invalid
from gongxin.platform.permissions import allowed
from gongxin.platform.roles import Role
from gongxin.platform.trail import at_workstation, record

COOKIE = "gongxin_workstation"
COOKIE_AGE = 5 * 365 * 24 * 3600  # a workstation keeps its credential until it is deactivated
# Enrolment codes: 16 characters of an alphabet without look-alikes (0/O, 1/I/L), 80 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 4
RANGES_MAX = 20


@dataclass(frozen=True)
class Found:
    """The workstation a request comes from, or why none is accepted (Chinese, for the person)."""

    workstation: Workstation | None
    reason: str = ""


NOT_REGISTERED = (
    "本机不是登记的专用终端（专机），不能登录。请联系本单位安全管理员登记本机：登记后在本机浏览器"
    "打开“登记专用终端”页面（/workstation/enrol/）输入登记码。"
)
DEACTIVATED = "本机登记的专用终端已停用，不能登录。如需继续使用，请联系本单位安全管理员。"
OUT_OF_RANGE = (
    "本机当前的网络地址不在该专用终端登记的地址范围内，不能登录。请在登记的网络中使用本机。"
)
OTHER_UNIT = "本机是其他单位的专用终端，不能用于登录本账号。请在本单位登记的专用终端上登录。"


def at(request) -> Found:
    """The active workstation whose credential the request carries, if the request's address is
    in its ranges. Cached on the request."""
    found = getattr(request, "_gongxin_workstation", None)
    if found is None:
        found = _find(request)
        request._gongxin_workstation = found
    return found


def _find(request) -> Found:
    credential = request.COOKIES.get(COOKIE, "")
    if not credential:
        return Found(None, NOT_REGISTERED)
    ws = (Workstation.objects.select_related("unit")
          .filter(credential_digest=Workstation.digest_of(credential)).first())  # fmt: skip
    if ws is None:
        return Found(None, NOT_REGISTERED)
    if not ws.active:
        return Found(None, DEACTIVATED)
    if not address_in(request.META.get("REMOTE_ADDR", ""), ws.address_ranges):
        return Found(None, OUT_OF_RANGE)
    return Found(ws)


def address_in(address: str, ranges: list[str]) -> bool:
    """Whether ``address`` is in one of ``ranges`` (no ranges: anywhere)."""
    if not ranges:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(r) for r in ranges)


def parse_ranges(text: str) -> list[str]:
    """Address ranges typed one a line (or separated by commas or spaces), as CIDR: 10.1.0.0/16,
    a single address (10.1.2.3 means 10.1.2.3/32), IPv6 likewise. Raises InvalidSubmission
    naming each bad entry."""
    text = unicodedata.normalize("NFKC", text or "")
    entries = [e for e in text.replace(",", " ").replace("，", " ").split() if e]
    ranges, problems = [], []
    for entry in entries:
        try:
            network = ipaddress.ip_network(entry, strict=True)
        except ValueError:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                problems.append(f"“{entry[:50]}”不是网络地址或地址段")
            else:
                problems.append(f"“{entry}”的主机位不为零，地址段应写作"
                                f"{ipaddress.ip_network(entry, strict=False)}")  # fmt: skip
            continue
        if str(network) not in ranges:
            ranges.append(str(network))
    if len(ranges) > RANGES_MAX:
        problems.append(f"最多登记 {RANGES_MAX} 个地址段")
    if problems:
        raise invalid("地址范围", "；".join(problems))
    return ranges


def new_code() -> str:
    chars = [secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * 4)]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, len(chars), 4))


def normalised_code(typed: str) -> str:
    """What was typed, as the code was issued: full-width characters and lower case accepted,
    spaces and hyphens ignored."""
    plain = unicodedata.normalize("NFKC", typed or "").upper()
    plain = "".join(ch for ch in plain if ch.isalnum())
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def _issue_code(ws: Workstation) -> str:
    code = new_code()
    ws.code_digest = Workstation.digest_of(code)
    ws.code_expires_at = clock.now() + dt.timedelta(hours=settings.GONGXIN_WORKSTATION_CODE_HOURS)
    return code


# --- the security administrator's actions -----------------------------------------------------


def _may_manage(actor) -> None:
    """A security administrator, or an operator at the server (a name: the command line, the
    demo), who has the database anyway."""
    if not isinstance(actor, str) and not allowed(actor, Role.SECADMIN):
        raise WorkflowError("forbidden", "只有安全管理员可以管理专用终端")


def register(actor, unit, name: str, ranges_text: str = "") -> tuple[Workstation, str]:
    """Register a workstation of ``unit`` (the administrator's own; ``actor`` may also be an
    operator's name, from the command line). Returns it and its one-time enrolment code, which
    exists nowhere else."""
    _may_manage(actor)
    if not isinstance(actor, str) and unit.pk != actor.unit_id:
        raise WorkflowError("not_found", "只能登记本单位的专用终端")
    name = " ".join((name or "").split())
    if not name:
        raise invalid("名称", "请填写名称，如“经办一号机”")
    ranges = parse_ranges(ranges_text)
    if Workstation.objects.filter(unit=unit, name=name, active=True).exists():
        raise invalid("名称", "本单位已有同名的在用专用终端")
    with transaction.atomic():
        ws = Workstation(unit=unit, name=name[:100], address_ranges=ranges,
                         registered_by=_name_of(actor))  # fmt: skip
        code = _issue_code(ws)
        ws.save()
        record(actor, "workstation.register", ws, name=ws.name, ranges=ranges)
    return ws, code


def reissue_code(actor, pk: int) -> tuple[Workstation, str]:
    """A new one-time enrolment code (the browser was reset, or the machine replaced). The
    browser enrolled so far keeps working until a browser enrols with the new code."""
    with transaction.atomic():
        ws = _managed(actor, pk)
        if not ws.active:
            raise WorkflowError("inactive", "该专用终端已停用，不能再登记浏览器")
        code = _issue_code(ws)
        ws.save(update_fields=["code_digest", "code_expires_at"])
        record(actor, "workstation.code", ws)
    return ws, code


def deactivate(actor, pk: int, reason: str) -> Workstation:
    """Stop accepting the workstation: sign-in there is refused, sessions on it end at their
    next request (the gate), and API tokens issued there end now."""
    with transaction.atomic():
        ws = _managed(actor, pk)
        if not ws.active:
            raise WorkflowError("unchanged", "该专用终端已停用")
        ws.active = False
        ws.deactivated_at = clock.now()
        ws.deactivated_by = _name_of(actor)
        ws.deactivate_reason = reason
        ws.code_digest, ws.code_expires_at = "", None
        ws.save()
        tokens, _ = ApiToken.objects.filter(workstation=ws).delete()
        record(actor, "workstation.deactivate", ws, reason=reason, tokens_ended=tokens)
    return ws


def _managed(actor, pk: int) -> Workstation:
    _may_manage(actor)
    qs = Workstation.objects.all() if isinstance(actor, str) else Workstation.objects.restrict(
        actor, "manage")  # fmt: skip
    try:
        return qs.select_for_update().get(pk=pk)
    except (Workstation.DoesNotExist, ValueError, TypeError):
        raise WorkflowError("not_found", "本单位没有该专用终端") from None


def _name_of(actor) -> str:
    return actor if isinstance(actor, str) else actor.user.get_username()


# --- the workstation's browser ----------------------------------------------------------------


def enrol(code: str, address: str) -> tuple[Workstation, str]:
    """The browser that typed a valid code becomes the workstation: returns it and the new
    device credential for the cookie. The code is then used up. A wrong or expired code raises
    WorkflowError (and is recorded, with the address)."""
    typed = normalised_code(code)
    with transaction.atomic():
        ws = (Workstation.objects.select_for_update().select_related("unit")
              .filter(code_digest=Workstation.digest_of(typed), active=True).first()
              if typed else None)  # fmt: skip
        if ws is None or ws.code_expires_at is None or ws.code_expires_at <= clock.now():
            refusal = "expired" if ws is not None else "code"
            with at_workstation("", ws.unit.code if ws else ""):  # the unit whose code it was
                record("web", "workstation.enrol", ref=("Workstation", ws.pk if ws else ""),
                       outcome="refused", code=refusal, address=address)  # fmt: skip
        else:
            refusal = ""
            credential = secrets.token_urlsafe(32)
            ws.credential_digest = Workstation.digest_of(credential)
            ws.enrolled_at = clock.now()
            ws.code_digest, ws.code_expires_at = "", None
            ws.save()
            with at_workstation(ws.label, ws.unit.code):
                record("web", "workstation.enrol", ws, unit=ws.unit.code, address=address)
    if refusal == "expired":
        raise WorkflowError("expired", "登记码已过期，请安全管理员重新生成登记码")
    if refusal:
        raise WorkflowError("code", "登记码不正确或已使用，请核对后重新输入")
    return ws, credential


def enrol_url(code: str | None = None) -> str:
    """Where a workstation's browser types its code (GONGXIN_PUBLIC_URL), the code filled in
    when given (for a newcomer's demo; a real code is better typed than sent as a link)."""
    url = settings.PUBLIC_URL + reverse("workstation_enrol")
    return f"{url}?code={code}" if code else url


def set_cookie(response, credential: str) -> None:
    response.set_cookie(COOKIE, credential, max_age=COOKIE_AGE, httponly=True,
                        samesite="Strict", secure=settings.SESSION_COOKIE_SECURE)  # fmt: skip
