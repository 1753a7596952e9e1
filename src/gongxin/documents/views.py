"""Public pages of the engine: an agency (or anyone holding a letter) confirms it is genuine."""

from __future__ import annotations

from django.shortcuts import redirect, render

from gongxin.documents.verification import letter_by_code, normal_code, public_facts
from gongxin.platform.permissions import requires


@requires("verify")
def verify(request):
    """A form for the verification code printed on a letter."""
    typed = request.GET.get("code", "").strip()
    if not typed:
        return render(request, "documents/verify.html", {})
    normal = normal_code(typed)
    if normal is None:
        context = {"code": typed[:40], "malformed": True}
        return render(request, "documents/verify.html", context, status=404)
    return redirect("verify_code", code=normal)


@requires("verify_code")
def verify_code(request, code):
    """Confirms a letter from its verification code, with no personal data."""
    letter = letter_by_code(code)
    context = {"code": code[:40], "facts": public_facts(letter) if letter else None,
               "malformed": normal_code(code) is None}  # fmt: skip
    return render(request, "documents/verify.html", context, status=200 if letter else 404)
