"""人员档案 on the staff pages: training records, post tenure and recusals, shown on the person's
page and changed by POST-only actions there (gongxin.accounts.records does the work). A
named person's ID number is posted in the form body only, kept out of error reports
(sensitive_post_parameters), and shown masked. What the pages show of the records is
gongxin.accounts.records (``records_context``, ``list_flags``)."""

from __future__ import annotations

from django.views.decorators.debug import sensitive_post_parameters

from gongxin.accounts import forms, records
from gongxin.accounts.staff_views import _action


def _as_typed(name: str):
    """``keep`` for a form of the person's page: its name and everything typed in it."""
    return lambda post: (name, post)


def _recusal_typed(post):
    """The recusal form a refusal came from, as typed, but for a named person's name and ID
    number, which are never echoed (gongxin.accounts.records): those are typed again."""
    typed = post.copy()
    for secret in ("name", "id_number"):
        typed.pop(secret, None)
    return ("recusal_person" if post.get("kind") == "person" else "recusal_agency"), typed


staff_training = _action(
    "staff_training", forms.TrainingForm,
    lambda actor, pk, d: records.record_training(actor, pk, d["course"], d["trained_on"],
                                                 d["valid_until"]),
    "已登记业务培训记录", keep=_as_typed("training"),
)  # fmt: skip
staff_training_withdraw = _action(
    "staff_training_withdraw", forms.RecordReasonForm,
    lambda actor, pk, d: records.withdraw_training(actor, pk, d["record"], d["reason"]),
    "业务培训记录已作废",
)  # fmt: skip
staff_tenure = _action(
    "staff_tenure", forms.TenureForm,
    lambda actor, pk, d: records.change_post_since(actor, pk, d["post_since"], d["reason"]),
    "已修改本岗位任职起始日期", keep=_as_typed("tenure"),
)  # fmt: skip


def _add_recusal(actor, pk, d):
    new = records.NewRecusal(
        kind=d["kind"], reason=d["reason"], starts_on=d["starts_on"], ends_on=d["ends_on"],
        agency_id=d["agency"], name=d["name"], id_number=d["id_number"],
    )  # fmt: skip
    return records.add_recusal(actor, pk, new)


staff_recusal = sensitive_post_parameters("name", "id_number")(
    _action("staff_recusal", forms.RecusalForm, _add_recusal, "已登记回避", keep=_recusal_typed)
)
staff_recusal_end = _action(
    "staff_recusal_end", forms.RecordReasonForm,
    lambda actor, pk, d: records.end_recusal(actor, pk, d["record"], d["reason"]),
    "已解除回避",
)  # fmt: skip
