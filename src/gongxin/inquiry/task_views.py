"""The progress of a large request's background action (gongxin.inquiry.tasks).

A page of its own, refreshed every two seconds by a meta refresh while the job runs: it shows
no candidate (nothing is opened, nothing to audit), so it can be reloaded as often as needed,
and it needs no script (the CSP allows none inline)."""

from __future__ import annotations

from django.shortcuts import render

from gongxin.inquiry import tasks
from gongxin.inquiry.models import InquiryRequest
from gongxin.platform.permissions import requires

REFRESH_SECONDS = 2


@requires("request_progress")
def request_progress(request, pk):
    req = InquiryRequest.objects.restrict(request.staff, "view").get_or_404(pk=pk)
    job = tasks.current_job(req)
    return render(request, "inquiry/request_progress.html", {
        "req": req, "job": job, "progress_page": True,
        "refresh": REFRESH_SECONDS if job and job.active else None,
    })  # fmt: skip
