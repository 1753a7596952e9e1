"""找人: the requests a person appears in, by name or resident ID number (decision 0014).

The term is posted, never put in a URL (an ID number in a query string would reach the
browser's history, proxies and access logs), and the answer is rendered in the response to
the post. The trail records that a person search happened, how it was read and how many
requests it found — never the term."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters

from gongxin.audit.services import record
from gongxin.core import idnumber, names
from gongxin.inquiry import people, queues
from gongxin.platform.errors import Problem
from gongxin.platform.forms import problems_of
from gongxin.platform.permissions import requires

TERM_MAX = 100
FOUND_MAX = 200  # more than a page can usefully list: the clerk narrows the term


class PersonSearchForm(forms.Form):
    term = forms.CharField(
        label="人选姓名或公民身份号码", max_length=TERM_MAX, strip=True,
        error_messages={"required": "请填写姓名或公民身份号码",
                        "max_length": f"不超过{TERM_MAX}个字符"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip


@requires("request_search")
@sensitive_post_parameters("term")  # an error report never shows what was searched for
def request_search(request):
    staff = request.staff
    form = PersonSearchForm(request.POST or None)
    context = {"form": form, "problems": [], "searched": False}
    if request.method == "POST":
        if not form.is_valid():
            context["problems"] = problems_of(form)
        else:
            term = form.cleaned_data["term"]
            try:
                kind, found = people.search(staff, term)
            except (names.InvalidName, idnumber.InvalidIdNumber) as exc:
                context["problems"] = [Problem("人选姓名或公民身份号码", exc.reason)]
            else:
                with transaction.atomic():
                    record(staff, "request.search_person", kind=kind, count=len(found))
                context.update(
                    searched=True, found=queues.annotate(found[:FOUND_MAX]), count=len(found),
                    by_id=kind == people.ID_NUMBER,
                    shown=idnumber.mask(idnumber.normalize(term))
                    if kind == people.ID_NUMBER else names.normalize(term),
                )  # fmt: skip
                form = context["form"] = PersonSearchForm()  # the term is not kept in the form
    return render(request, "inquiry/request_search.html", context)
