"""Forms for staff. Field labels and messages are Chinese; parsing of candidate rows lives here,
validation of their content in the services (one place for the rules)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings

from gongxin.accounts.models import RequestingAgency
from gongxin.inquiry.choices import RequestKind, ReviewDecision
from gongxin.inquiry.errors import FieldProblem
from gongxin.registry.files import FileFormatError
from gongxin.registry.screening import CandidateInput, read_candidates

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class RegistrationForm(forms.Form):
    agency = forms.ModelChoiceField(
        RequestingAgency.objects.filter(active=True), label="发起查询单位", required=False,
        empty_label="请选择",
    )  # fmt: skip
    letter_number = forms.CharField(label="来文文号", max_length=100, required=False,
                                    help_text="如：京组函〔2026〕15号")  # fmt: skip
    received_on = forms.DateField(label="收文日期", widget=DATE_INPUT, required=False)
    kind = forms.ChoiceField(label="类别", choices=[("", "请选择"), *RequestKind.choices],
                             required=False)  # fmt: skip
    candidates_text = forms.CharField(
        label="人选（每行一人：姓名,公民身份号码,拟任职位）", required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip
    candidates_file = forms.FileField(
        label="或上传人选表（XLSX/CSV，列：姓名、公民身份号码、拟任职位）", required=False
    )

    def candidates(self) -> tuple[list[CandidateInput], list[FieldProblem]]:
        """Rows from the upload if there is one, else from the text box; row 1 is a header
        in a file and the first line in the text box."""
        upload = self.cleaned_data.get("candidates_file")
        if upload:
            return _from_upload(upload)
        rows = []
        text = self.cleaned_data.get("candidates_text") or ""
        for number, cells in enumerate(csv.reader(io.StringIO(text.replace("，", ","))), start=1):
            if any(c.strip() for c in cells):
                cells = [*cells, "", "", ""]
                rows.append(CandidateInput(number, cells[0], cells[1], cells[2]))
        return rows, []


def _from_upload(upload) -> tuple[list[CandidateInput], list[FieldProblem]]:
    suffix = Path(upload.name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        return [], [FieldProblem("人选表", "请上传 XLSX 或 CSV 文件")]
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    # The file holds personal data: parsed from a private temporary file, never kept.
    with tempfile.NamedTemporaryFile(suffix=suffix, dir=settings.UPLOAD_DIR) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            rows, errors = read_candidates(Path(tmp.name))
        except FileFormatError as exc:
            return [], [FieldProblem("人选表", exc.reason)]
    return rows, [FieldProblem(e.column, e.reason, e.row) for e in errors]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="复核意见", choices=ReviewDecision.choices,
                                 widget=forms.RadioSelect)  # fmt: skip
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=300)


class ExtensionForm(forms.Form):
    reason = forms.CharField(label="原因（超期时为超期说明）", max_length=500)
    agency_contact = forms.CharField(label="发起单位联系人", max_length=100, required=False)
    agreed_on = forms.DateField(label="商定日期", widget=DATE_INPUT, required=False)
    method = forms.CharField(label="沟通方式", max_length=50, required=False,
                             help_text="如：电话、公函")  # fmt: skip
    new_deadline = forms.DateField(label="新期限", widget=DATE_INPUT, required=False)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    holidays = forms.CharField(label="放假日期（每行一个，如 2027-01-01）", widget=forms.Textarea)
    workdays = forms.CharField(label="调休上班日期（每行一个）", widget=forms.Textarea,
                               required=False)  # fmt: skip
