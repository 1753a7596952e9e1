"""反馈 on a page: the handler records how and when the signed letter went out. A problem is
shown beside its field (and in the summary at the top); nothing is changed until all is right."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from gongxin.core import clock
from gongxin.inquiry import forms, services
from gongxin.inquiry.services.signing import SEND_FIELDS
from gongxin.platform.errors import InvalidSubmission, Problem, WorkflowError


def issue_form(data=None) -> forms.IssueForm:
    return forms.IssueForm(data, initial={"sent_on": clock.today()}, prefix="send")


def sending_of(form: forms.IssueForm) -> services.Sending:
    """What was entered, with the form's own reading problems (a date that is not a date)."""
    form.is_valid()
    data = form.cleaned_data
    # Named as the service names them (the labels may say more: 「经办说明（选填）」).
    problems = tuple(Problem(SEND_FIELDS[name], str(message))
                     for name, errors in form.errors.items() for message in errors)  # fmt: skip
    return services.Sending(data.get("method") or "", data.get("sent_on"), data.get("note") or "",
                            problems)  # fmt: skip


def take_issue(request, req):
    """The POST of the issue action (gongxin.inquiry.views.action_view)."""
    form = issue_form(request.POST)
    try:
        services.issue(request.staff, req.pk, sending_of(form))
    except InvalidSubmission as exc:
        beside = {name: [p.reason for p in exc.problems if p.field == label]
                  for name, label in SEND_FIELDS.items()}  # fmt: skip
        return render(request, "inquiry/issue_form.html", {
            "req": req, "form": form, "problems": exc.problems, "beside": beside,
        }, status=400)  # fmt: skip
    except WorkflowError as exc:
        messages.error(request, exc.explanation)
    else:
        messages.success(request, "已反馈，发送方式和日期已记录")
    return redirect("request_detail", pk=req.pk)
