from django import template

from gongxin.core.dates import zh_date as _zh_date
from gongxin.platform.limits import not_listed, shown

register = template.Library()


@register.filter
def zh_date(value):
    """2026年11月27日: GB/T 9704 style, no zero padding."""
    return _zh_date(value) if value else "—"


@register.simple_tag
def listed(problems) -> dict:
    """The problems a page lists (GONGXIN_PROBLEMS_SHOWN) and how many it only counts."""
    first, rest = shown(list(problems))
    return {"first": first, "rest": rest, "said": not_listed(rest)}


@register.filter
def for_field(problems, anchor) -> list:
    """The problems of one field (by the anchor the error summary links to), shown beside it."""
    return [p for p in problems or () if getattr(p, "anchor", None) == anchor]
