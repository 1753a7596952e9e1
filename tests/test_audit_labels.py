"""Every code the trail records has a Chinese label (gongxin.platform.labels), derived from the
code itself: a new ``record(...)`` call with an unlabelled action or object type fails here."""

from __future__ import annotations

import ast
import pathlib
import re

from django.apps import apps

from gongxin.platform import labels

SRC = pathlib.Path(__file__).resolve().parent.parent / "src" / "gongxin"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _trees():
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _strings(node) -> set[str] | None:
    """The strings a constant, ``a if c else b`` or a dict's values can be (None: not literal)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        a, b = _strings(node.body), _strings(node.orelse)
        return a | b if a is not None and b is not None else None
    if isinstance(node, ast.Dict):
        parts = [_strings(v) for v in node.values]
        return set().union(*parts) if all(p is not None for p in parts) else None
    return None


def _passed(literal, passed_on, param, depth=3) -> set[str] | None:
    """The literals a function's parameter receives by keyword, followed through callers that
    pass their own parameter on (``refused(..., action=action)``)."""
    found = set(literal.get(param, ()))
    for caller in passed_on.get(param, ()) if depth else ():
        found |= _passed(literal, passed_on, caller, depth - 1) or set()
    return found or None


def _recorded_actions() -> tuple[set[str], list[str]]:
    """Each action a ``record(`` call can write, and the calls whose action could not be read.

    Besides literals: a module constant (or a dict of them, subscripted), a local assigned
    from literals, a parameter (every literal passed for it by keyword to its function, or as the
    third argument of the inquiry's ``act``/``refused``), and ``f"request.{action}"``."""
    trees = list(_trees())
    by_keyword: dict[tuple[str, str], set[str]] = {}  # (function, parameter): literals passed
    passed_on: dict[tuple[str, str], set[tuple[str, str]]] = {}  # f(x=x): x is g's parameter
    steps: set[str] = set()  # the inquiry actions act()/refused() record as request.<step>
    for _, tree in trees:
        for func in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            for node in ast.walk(func):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                for kw in node.keywords:
                    if kw.arg and (found := _strings(kw.value)):
                        by_keyword.setdefault((name, kw.arg), set()).update(found)
                    elif kw.arg and isinstance(kw.value, ast.Name):
                        passed_on.setdefault((name, kw.arg), set()).add((func.name, kw.value.id))
        for node in ast.walk(tree):
            name = getattr(getattr(node, "func", None), "id", "")
            if isinstance(node, ast.Call) and name in ("act", "refused") and len(node.args) >= 3:
                steps |= _strings(node.args[2]) or set()
    constants: dict[str, set[str]] = {}  # module constants, found by name wherever imported
    for _, tree in trees:
        for n in tree.body:
            if isinstance(n, ast.Assign) and (v := _strings(n.value)) is not None:
                constants.update({t.id: v for t in n.targets if isinstance(t, ast.Name)})
    actions, unread = set(), []
    for path, tree in trees:
        parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "record"):
                continue
            if len(node.args) < 2:
                continue
            func = node
            while func in parents and not isinstance(func, ast.FunctionDef):
                func = parents[func]
            local, params = {}, set()
            if isinstance(func, ast.FunctionDef):
                local = {t.id: v for n in ast.walk(func) if isinstance(n, ast.Assign)
                         for t in n.targets if isinstance(t, ast.Name)
                         if (v := _strings(n.value)) is not None}  # fmt: skip
                params = {a.arg for a in func.args.args + func.args.kwonlyargs}
            arg = node.args[1]
            found = _strings(arg)
            if found is None and isinstance(arg, ast.Name):
                found = local.get(arg.id) or constants.get(arg.id)
                if found is None and arg.id in params:
                    found = _passed(by_keyword, passed_on, (func.name, arg.id))
            if found is None and isinstance(arg, ast.Subscript):
                found = constants.get(getattr(arg.value, "id", ""))
            if found is None and isinstance(arg, ast.JoinedStr):
                head = arg.values[0]
                if isinstance(head, ast.Constant) and head.value == "request.":
                    found = {f"request.{s}" for s in steps}
            if found:
                actions |= found
            else:
                unread.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return actions, sorted(set(unread))


def test_every_recorded_action_has_a_chinese_label():
    actions, unread = _recorded_actions()
    assert not unread, f"record() calls whose action this test cannot read: {unread}"
    assert len(actions) > 40  # the scan found the trail's actions, not nothing
    assert {"request.sign_off", "request.draw_reviewer", "staff.deactivate", "auth.sign_in",
            "audit.purge", "result.tampered"} <= actions  # indirect ones too  # fmt: skip
    missing = sorted(a for a in actions if a not in labels.ACTIONS)
    assert not missing, f"actions recorded without a label in an app's labels.py: {missing}"
    assert all(CJK.search(labels.action(a)) for a in actions)


def test_every_object_type_the_trail_names_has_a_chinese_label():
    refs = set()
    for _, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "ref":
                first = node.value.elts[0] if isinstance(node.value, ast.Tuple) else None
                if isinstance(first, ast.Constant) and first.value:
                    refs.add(first.value)
    models = {m.__name__ for m in apps.get_models() if m.__module__.startswith("gongxin.")}
    assert {"InquiryRequest", "User", "Workstation"} <= refs | models
    unlabelled = sorted(t for t in refs | models if not CJK.search(labels.object_type(t)))
    assert not unlabelled, f"object types without a Chinese label: {unlabelled}"
    assert labels.object_type("User") == "账号"


def test_every_detail_key_recorded_by_keyword_has_a_label():
    """Detail keys literally passed to record() read in Chinese (unknown ones show as they are)."""
    keys = set()
    for _, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "record":
                keys |= {kw.arg for kw in node.keywords if kw.arg not in (None, "ref", "outcome")}
    assert "winner" in keys
    missing = sorted(k for k in keys if k not in labels.DETAILS)
    assert not missing, f"detail keys without a label in gongxin/audit/labels.py: {missing}"
