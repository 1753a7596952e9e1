"""Wording a unit adjusts (DESIGN §3): templates with named placeholders, checked and filled.

A placeholder is a bare name in braces, ``{agency}``; attribute or index access
(``{agency.foo}``, ``{count[0]}``), positional ``{}``/``{0}``, conversions and format specs
(``{count:>5000000}``) are refused — a unit's text can only insert the values the product
offers, as they are. A stored text that no longer passes is ignored in favour of the default.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from gongxin.core.text import InvalidText, clean

MAX_LENGTH = 1000
_FORMATTER = string.Formatter()


def problem_with(template: str, allowed: frozenset[str] | set[str]) -> str | None:
    """Why ``template`` cannot be used (in Chinese), or None."""
    try:
        clean(template, max_length=MAX_LENGTH, required=True)
        parts = list(_FORMATTER.parse(template))
    except InvalidText as exc:
        return exc.reason
    except ValueError:
        return "花括号不成对（要显示花括号本身，请写两个：{{ 或 }}）"
    names = "、".join(f"{{{n}}}" for n in sorted(allowed))
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in allowed:
            return f"占位符「{{{field}}}」无效；可用：{names}"
        if spec or conversion:
            return f"占位符「{{{field}}}」不能带格式或转换，请只写 {{{field}}}"
    return None


def fill(template: str, default: str, allowed: frozenset[str], values: Mapping[str, object]) -> str:
    """``template`` with the values put in; ``default`` when the template is not usable."""
    chosen = template if template and problem_with(template, allowed) is None else default
    return chosen.format_map({name: values[name] for name in allowed})
