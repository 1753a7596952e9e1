"""Helpers for staff forms: one error report (Problem) for form fields and service checks."""

from __future__ import annotations

from django import forms

from gongxin.platform.errors import Problem

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def problems_of(form: forms.Form) -> list[Problem]:
    """A bound form's field errors as Problems named by the field's label."""
    found = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else "表单"
        found += [Problem(str(label), str(message)) for message in errors]
    return found


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    holidays = forms.CharField(label="放假日期（每行一个，如 2027-01-01）", widget=forms.Textarea)
    workdays = forms.CharField(label="调休上班日期（每行一个）", widget=forms.Textarea,
                               required=False)  # fmt: skip
