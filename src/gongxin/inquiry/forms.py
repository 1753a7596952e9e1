"""Forms for staff. Field labels and messages are Chinese. Forms only read what was typed or
uploaded; the content is checked by the services (one place for the rules), and a form's own
reading problems (a date that is not a date) are reported together with the services'."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.conf import settings

from gongxin.accounts.models import RequestingAgency
from gongxin.inquiry.choices import RequestKind, ReviewDecision, SendMethod
from gongxin.platform.errors import Problem
from gongxin.platform.forms import DATE_INPUT
from gongxin.platform.uploads import upload_size
from gongxin.registry.candidate_table import CandidateInput, read_pasted
from gongxin.registry.files import FileFormatError
from gongxin.registry.screening import read_candidates


class RegistrationForm(forms.Form):
    agency = forms.ModelChoiceField(
        RequestingAgency.objects.none(), label="发起查询单位", required=False, empty_label="请选择",
    )  # fmt: skip
    letter_number = forms.CharField(
        label="来文文号", required=False, strip=False, help_text="如：京组函〔2026〕15号",
        widget=forms.TextInput(attrs={"maxlength": 100}),
    )  # fmt: skip
    received_on = forms.DateField(label="收文日期", widget=DATE_INPUT, required=False,
                                  error_messages={"invalid": "日期格式不正确"})  # fmt: skip
    kind = forms.ChoiceField(label="类别", choices=[("", "请选择"), *RequestKind.choices],
                             required=False)  # fmt: skip
    candidates_text = forms.CharField(
        label="人选（每行一人：姓名,公民身份号码,拟任职位）", required=False, strip=False,
        help_text="可直接从 Excel 复制粘贴（含表头行、序号列亦可）。",
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip
    candidates_file = forms.FileField(
        label="或上传人选表（XLSX/CSV，列：姓名、公民身份号码、拟任职位）",
        required=False,
        validators=[upload_size],
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = RequestingAgency.objects.restrict(staff, "register")

    def candidates(self) -> tuple[list[CandidateInput], list[Problem]]:
        """Rows from the upload if there is one, else from the text box (numbered by line)."""
        upload = self.cleaned_data.get("candidates_file")
        typed = self.cleaned_data.get("candidates_text") or ""
        if upload and typed.strip():
            return [], [Problem("人选", "请只填写人选或只上传人选表，不要同时使用（两者不会合并）")]
        if upload:
            return _from_upload(upload)
        return parse_pasted(typed)


def parse_pasted(text: str) -> tuple[list[CandidateInput], list[Problem]]:
    """Typed or pasted rows (gongxin.registry.candidate_table: the one reading of a table)."""
    return read_pasted(text)


def _from_upload(upload) -> tuple[list[CandidateInput], list[Problem]]:
    suffix = Path(upload.name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        return [], [Problem("人选表", "请上传 XLSX 或 CSV 文件")]
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    # The file holds personal data: parsed from a private temporary file, never kept.
    with tempfile.NamedTemporaryFile(suffix=suffix, dir=settings.UPLOAD_DIR) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            return read_candidates(Path(tmp.name))
        except FileFormatError as exc:
            return [], [Problem("人选表", exc.reason)]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="复核意见", choices=ReviewDecision.choices,
                                 widget=forms.RadioSelect)  # fmt: skip
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionForm(forms.Form):
    reason = forms.CharField(label="原因（超期时为超期说明）", strip=False)
    agency_contact = forms.CharField(label="发起单位联系人", required=False, strip=False)
    agreed_on = forms.DateField(label="商定日期", widget=DATE_INPUT, required=False,
                                error_messages={"invalid": "日期格式不正确"})  # fmt: skip
    method = forms.CharField(label="沟通方式", required=False, strip=False,
                             help_text="如：电话、公函")  # fmt: skip
    new_deadline = forms.DateField(label="新期限", widget=DATE_INPUT, required=False,
                                   error_messages={"invalid": "日期格式不正确"})  # fmt: skip


class IssueForm(forms.Form):
    """反馈: how and when the signed letter was sent (checked by services.issue)."""

    method = forms.ChoiceField(label="发送方式", choices=SendMethod.choices, required=False,
                               widget=forms.RadioSelect)  # fmt: skip
    sent_on = forms.DateField(label="发送日期", widget=DATE_INPUT, required=False,
                              error_messages={"invalid": "日期格式不正确"})  # fmt: skip
    note = forms.CharField(label="经办说明（选填）", required=False, strip=False,
                           widget=forms.TextInput(attrs={"maxlength": 300}))  # fmt: skip
