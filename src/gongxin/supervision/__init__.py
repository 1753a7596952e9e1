"""Supervision (监督管理): the unit's statistics, spot checks, risk controls, rotation, the
consultation log, national oversight of the provinces, periodic reports and reminders.

It reads what the inquiry product recorded and never changes a request: it sits above the
inquiry in the layers (pyproject.toml) and below the API.
"""
