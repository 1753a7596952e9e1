"""A unit's own wording of its documents (DESIGN §3), changed by its sysadmin."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from gongxin.audit.services import record
from gongxin.documents.models import LetterWording
from gongxin.inquiry import wording
from gongxin.platform.errors import InvalidSubmission, Problem, WorkflowError
from gongxin.platform.permissions import allowed
from gongxin.platform.roles import Role


def change_wording(actor, entered: Mapping[str, str]) -> LetterWording:
    """Keep the texts that differ from the defaults (blank or the default restores it).

    Every problem is reported at once and nothing is saved while there is one; later letters
    use the new wording, letters already made keep theirs.
    """
    if not allowed(actor, Role.SYSADMIN):
        raise WorkflowError("forbidden", "只有系统管理员可以调整公文措辞")
    texts, problems = {}, []
    for key, default in wording.DEFAULTS.items():
        value = entered.get(key, "").strip()
        if value and value != default:
            if reason := wording.problem_with(value, key):
                problems.append(Problem(wording.LABELS[key], reason))
            texts[key] = value
    if problems:
        raise InvalidSubmission(problems)
    with transaction.atomic():
        stored, _ = LetterWording.objects.select_for_update().get_or_create(unit=actor.unit)
        stored.texts = texts
        stored.save(update_fields=["texts"])
        record(actor, "wording.change", stored, keys=sorted(texts))
    return stored
