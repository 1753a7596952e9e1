"""What the trail's codes say in Chinese: audit actions, object types and detail keys.

The trail stores English codes (``request.sign_off``, ``InquiryRequest``); people read Chinese.
Each app names the codes it records in its own ``labels`` module and registers them here at
start-up (as it connects to the trail hook), so the platform never imports a product and a
code has one label wherever it is shown (the auditor's page, its export, a request's history).
tests/test_audit_labels.py fails when a recorded action or object type has no label.
An object type no app labels reads as its model's verbose name.
"""

from __future__ import annotations

ACTIONS: dict[str, str] = {}
OBJECTS: dict[str, str] = {}
DETAILS: dict[str, str] = {}
# The first part of an action code: the group the auditor's filter shows it under.
GROUPS: dict[str, str] = {}
OUTCOMES = {"ok": "成功", "failed": "失败", "refused": "拒绝"}


def register(*, actions=None, objects=None, details=None, groups=None) -> None:
    """Add an app's labels. A code labelled twice differently is a mistake caught at start-up."""
    for table, new in ((ACTIONS, actions), (OBJECTS, objects), (DETAILS, details),
                       (GROUPS, groups)):  # fmt: skip
        for code, label in (new or {}).items():
            if table.get(code, label) != label:
                raise ValueError(f"{code!r} is labelled both {table[code]!r} and {label!r}")
            table[code] = label


def register_module(module) -> None:
    """Register an app's ``labels`` module: its ACTIONS, OBJECTS, DETAILS and GROUPS."""
    register(**{name.lower(): getattr(module, name, None)
                for name in ("ACTIONS", "OBJECTS", "DETAILS", "GROUPS")})  # fmt: skip


def action(code: str) -> str:
    return ACTIONS.get(code, code)


def object_type(code: str) -> str:
    """An app's label for the type, else the verbose name of the Gongxin model of that name
    (the model names itself once, in its Meta)."""
    return OBJECTS.get(code) or _model_names().get(code, code)


def _model_names() -> dict[str, str]:
    from django.apps import apps

    return {m.__name__: str(m._meta.verbose_name) for m in apps.get_models()
            if m.__module__.startswith("gongxin.")}  # fmt: skip


def detail(key: str) -> str:
    return DETAILS.get(key, key)


def outcome(code: str) -> str:
    return OUTCOMES.get(code, code)


def grouped_actions() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(prefix, group label, [(code, label)…]) for every labelled action, in code order."""
    groups: dict[str, list] = {}
    for code in sorted(ACTIONS):
        groups.setdefault(code.split(".")[0], []).append((code, ACTIONS[code]))
    return [(p, GROUPS.get(p, p), items) for p, items in groups.items()]


# The platform's own: the working-day calendar, the data keys and background jobs.
register(
    actions={"calendar.enter": "录入工作日历", "keys.rotate": "轮换数据密钥",
             "keys.remove": "删除旧数据密钥", "tasks.retry": "重试后台任务",
             "tasks.cancel": "取消后台任务"},
    objects={"Key": "数据密钥", "RequestJob": "后台办理", "BackgroundJob": "后台任务"},
    groups={"calendar": "工作日历", "keys": "数据密钥", "tasks": "后台任务"},
)  # fmt: skip
