"""The forms of the risk register, the emergency plans and the consultation log. Labels are
the ones the services name in their problems, so a refusal lands beside its field."""

from __future__ import annotations

from django import forms

from gongxin.accounts.models import RequestingAgency, Staff
from gongxin.core import clock
from gongxin.platform.forms import DATE_INPUT
from gongxin.supervision.free_text import id_number_problem
from gongxin.supervision.register_models import Interval, Scenario, Topic

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


class StaffChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


def unit_staff(staff):
    """The people of the person's unit in service, to choose an owner, reviewer or participant."""
    return Staff.objects.filter(unit_id=staff.unit_id, active=True).order_by("full_name")


def _interval(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int, choices=Interval.choices)


class RiskForm(forms.Form):
    title = forms.CharField(label="风险点", max_length=100)
    description = forms.CharField(label="风险描述", widget=TEXTAREA)
    owner = StaffChoice(label="责任人", queryset=Staff.objects.none())
    measure = forms.CharField(label="防范措施", widget=TEXTAREA)
    review_months = _interval("复核周期")
    next_review_on = forms.DateField(label="下次复核日期", widget=DATE_INPUT)

    def __init__(self, staff, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = unit_staff(staff)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="复核日期", widget=DATE_INPUT)
    reviewer = StaffChoice(label="复核人", queryset=Staff.objects.none())
    outcome = forms.CharField(label="复核情况", widget=TEXTAREA)
    next_review_on = forms.DateField(label="下次复核日期", widget=DATE_INPUT, required=False,
                                     help_text="不填则按复核周期自动计算")  # fmt: skip

    def __init__(self, staff, *args, **kwargs):
        kwargs.setdefault("initial", {"reviewed_on": clock.today(), "reviewer": staff.pk})
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = unit_staff(staff)


class RevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200)

    def __init__(self, staff, *args, **kwargs):
        super().__init__(*args, **kwargs)


class PlanForm(forms.Form):
    title = forms.CharField(label="预案名称", max_length=100)
    scenario = forms.ChoiceField(label="适用情形", choices=Scenario.choices)
    owner = StaffChoice(label="责任人", queryset=Staff.objects.none())
    measures = forms.CharField(label="应对措施", widget=TEXTAREA)
    drill_months = _interval("演练周期")
    next_drill_on = forms.DateField(label="下次演练日期", widget=DATE_INPUT)

    def __init__(self, staff, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = unit_staff(staff)


class DrillForm(forms.Form):
    held_on = forms.DateField(label="演练日期", widget=DATE_INPUT)
    participants = StaffChoices(label="参加人员", queryset=Staff.objects.none(),
                                widget=forms.CheckboxSelectMultiple)  # fmt: skip
    outcome = forms.CharField(label="演练情况", widget=TEXTAREA)
    problems = forms.CharField(label="发现的问题", widget=TEXTAREA, required=False)
    improvements = forms.CharField(label="改进措施", widget=TEXTAREA, required=False)
    next_drill_on = forms.DateField(label="下次演练日期", widget=DATE_INPUT, required=False,
                                    help_text="不填则按演练周期自动计算")  # fmt: skip

    def __init__(self, staff, *args, **kwargs):
        kwargs.setdefault("initial", {"held_on": clock.today()})
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = unit_staff(staff)


class ConsultationForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="来电单位", queryset=RequestingAgency.objects.none(), required=False,
        empty_label="（其他单位，在下面填写）",
    )  # fmt: skip
    agency_name = forms.CharField(label="其他来电单位", max_length=100, required=False,
                                  help_text="来电单位不在上面的列表中时填写")  # fmt: skip
    caller = forms.CharField(label="来电人", max_length=50)
    called_on = forms.DateField(label="来电日期", widget=DATE_INPUT)
    called_time = forms.TimeField(
        label="来电时间",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    topic = forms.ChoiceField(label="咨询事项", choices=Topic.choices)
    question = forms.CharField(
        label="咨询内容", widget=TEXTAREA,
        help_text="不要填写人选的公民身份号码；涉及具体人选的，写来文文号",
    )  # fmt: skip
    answer = forms.CharField(label="答复内容", widget=TEXTAREA)
    follow_up = forms.BooleanField(label="需跟进", required=False)

    def __init__(self, staff, *args, **kwargs):
        kwargs.setdefault("initial", {"called_on": clock.today()})
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = RequestingAgency.objects.filter(
            unit_id=staff.unit_id, active=True
        )

    def clean(self):
        data = super().clean()
        for name in ("agency_name", "caller", "question", "answer"):
            if (problem := id_number_problem(data.get(name) or "")) and name not in self.errors:
                _not_echoed(self, name)
                self.add_error(name, problem)
        return data


def _not_echoed(form: forms.Form, name: str) -> None:
    """A refused text holding an ID number is not shown back in the form: typed again."""
    form.data = form.data.copy()
    form.data[name] = ""


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label="跟进日期", widget=DATE_INPUT)
    note = forms.CharField(label="跟进情况", widget=TEXTAREA)

    def __init__(self, staff, *args, **kwargs):
        kwargs.setdefault("initial", {"done_on": clock.today()})
        super().__init__(*args, **kwargs)

    def clean_note(self):
        note = self.cleaned_data["note"]
        if problem := id_number_problem(note):
            _not_echoed(self, "note")
            raise forms.ValidationError(problem)
        return note
