from django import template

from gongxin.core.dates import zh_date as _zh_date

register = template.Library()


@register.filter
def zh_date(value):
    """2026年11月27日: GB/T 9704 style, no zero padding."""
    return _zh_date(value) if value else "—"
