"""System checks (`manage.py check`, and every command and server start that runs them)."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register

from gongxin.platform.keys import key_file_problem


@register(Tags.security, deploy=False)
def key_file_apart_from_the_database(app_configs, **kwargs):
    """The key file is not where a backup of the database would take it along."""
    problem = key_file_problem()
    if problem is None:
        return []
    return [
        Warning(problem, hint="见 docs/security.md 的 Keys and backups 一节", id="gongxin.W001")
    ]
