"""The progress of a large request's background action (gongxin.inquiry.tasks).

A page of its own, refreshed every two seconds by a meta refresh while the job runs: it shows
no candidate (nothing is opened, nothing to audit), so it can be reloaded as often as needed,
and it needs no script (the CSP allows none inline). Once the job is done it sends the person
back to the request with the outcome's message, as an action done at once does."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from gongxin.inquiry import tasks
from gongxin.inquiry.choices import JobState
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.views import DONE
from gongxin.platform.permissions import requires

REFRESH_SECONDS = 2


@requires("request_progress")
def request_progress(request, pk):
    req = InquiryRequest.objects.restrict(request.staff, "view").get_or_404(pk=pk)
    job = tasks.current_job(req)
    if job and job.state == JobState.DONE:
        # Done: back to the request, which shows the outcome, as an action done at once does.
        messages.success(request, DONE[job.action])
        return redirect("request_detail", pk=req.pk)
    return render(request, "inquiry/request_progress.html", {
        "req": req, "job": job, "progress_page": True,
        "refresh": REFRESH_SECONDS if job and job.active else None,
    })  # fmt: skip
