"""Pages for staff. Thin: forms in, services called, everything read through
``Model.objects.restrict(staff, action)`` (out of scope is 404), buttons from the rules."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters

from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.crypto import DecryptionError
from gongxin.core.idnumber import looks_like_id
from gongxin.inquiry import (
    forms,
    history,
    paging,
    people,
    queries,
    queue_views,
    queues,
    result_check,
    return_views,
    send_views,
    services,
    tasks,
    wording,
)
from gongxin.inquiry.choices import OPEN_STATES, RequestState
from gongxin.inquiry.evidence import open_matches, review_state
from gongxin.inquiry.letters import as_of, result_rows, unit_texts
from gongxin.inquiry.models import Candidate, CandidateMatch, InquiryRequest
from gongxin.inquiry.rules import MAY_ACT, RULES, allowed_actions, appointable
from gongxin.inquiry.services.candidates import revisions_of
from gongxin.inquiry.services.retention import PURGED
from gongxin.inquiry.supervision import waiting_for
from gongxin.platform.errors import Conflict, InvalidSubmission, Problem, WorkflowError
from gongxin.platform.forms import problems_of
from gongxin.platform.frame import menu_for
from gongxin.platform.permissions import requires
from gongxin.platform.resume import restore
from gongxin.platform.roles import Role
from gongxin.platform.rules import business

PAGE_SIZE = 20
SEARCH_MAX = 100


def _visible(staff):
    return InquiryRequest.objects.restrict(staff, "view").select_related("agency", "handler")


@requires("dashboard")
def dashboard(request):
    staff = request.staff
    if not business.admits(staff):
        # An administrator (三权分立) has no requests: the 工作台 says what their role does,
        # and what setup their role must fix.
        work = [e for e in menu_for(staff) if e["url"] != reverse("dashboard")]
        return render(request, "inquiry/dashboard_admin.html", {
            "work": work, "warnings": queue_views.setup_warnings(staff)})  # fmt: skip
    return render(request, "inquiry/dashboard.html", queue_views.dashboard_context(staff))


def filtered(staff, params):
    """The requests the list's filters select (search, state, overdue), in the order asked
    (default: by urgency, gongxin.inquiry.queues); and the filters as read."""
    qs = _visible(staff)
    q = params.get("q", "").strip()[:SEARCH_MAX]
    if looks_like_id(q):  # never searched, never echoed: request_list sends it to 找人
        q = ""
    state = params.get("state", "")
    if q:
        qs = qs.filter(queries.letter_search(q))
    if state in RequestState.values:
        qs = qs.filter(state=state)
    if params.get("overdue"):
        qs = qs.filter(state__in=OPEN_STATES, deadline__lt=clock.today())
    sort = params.get("sort", "")
    if sort in ("deadline", "-received_on"):
        qs = qs.order_by(sort, "-pk")
    else:
        sort, qs = "urgency", queues.by_urgency(qs)
    return qs, {"q": q, "state": state, "sort": sort}


ID_IN_LETTER_SEARCH = (
    "来文文号检索框不查找人选，以免公民身份号码出现在网址中。请在本页输入姓名或公民身份号码查找。"
)


@requires("request_list")
def request_list(request):
    if looks_like_id(request.GET.get("q", "")):
        # An ID number typed into the 文号 box: it reached this URL once (the form's pattern
        # stops browsers); take it out of the address at once and say where people are found.
        messages.info(request, ID_IN_LETTER_SEARCH)
        return redirect("request_search")
    qs, filters = filtered(request.staff, request.GET)
    page = Paginator(queues.prefetched(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queues.annotate(page.object_list)
    return render(request, "inquiry/request_list.html", {
        "page": page, "states": RequestState.choices, "query": request.GET.urlencode(),
        **filters,
    })  # fmt: skip


@requires("request_new")
@sensitive_post_parameters("candidates_text")  # names and ID numbers: never in an error report
def request_new(request):
    staff = request.staff
    initial = {"received_on": clock.today()}
    if request.method == "GET" and (resumed := restore(request)):  # typed before signing in again
        initial.update(resumed.initial(forms.RegistrationForm.base_fields))
    form = forms.RegistrationForm(request.POST or None, request.FILES or None, staff=staff,
                                  initial=initial)  # fmt: skip
    problems: list[Problem] = []
    if request.method == "POST":
        form.is_valid()
        read = problems_of(form)
        candidates, file_problems = form.candidates() if "candidates_file" not in form.errors \
            else ([], [])  # fmt: skip
        data = form.cleaned_data
        reg = services.Registration(
            data.get("agency"), data.get("letter_number") or "", data.get("received_on"),
            data.get("kind") or "", candidates, problems=read + file_problems,
        )  # fmt: skip
        try:
            req = services.register(staff, reg)
        except InvalidSubmission as exc:
            problems = exc.problems
        except Conflict as exc:
            if exc.existing is not None:
                messages.info(request, _already(staff, exc.existing))
                return redirect("request_detail", pk=exc.existing.pk)
            problems = [Problem("来文文号", exc.message)]
        except WorkflowError as exc:
            problems = [Problem("登记", exc.message)]
        else:
            messages.success(request, _registered_message(request.staff, req))
            for found in people.elsewhere(req):  # a warning, never a refusal
                messages.warning(request, found.warning)
            return redirect("request_detail", pk=req.pk)
    return render(
        request,
        "inquiry/request_new.html",
        {"form": form, "problems": problems, "fields": _beside(form, problems)},
    )


def _beside(form, problems: list[Problem]) -> list[tuple]:
    """Each field with its anchor and what is said beside it: its own problems, and for the
    candidates how many rows have problems (the summary lists them, up to its limit)."""
    rows = sum(1 for p in problems if p.row)
    shown = []
    for field in form:
        anchor = "人选" if field.name == "candidates_text" else str(field.label)
        said = [p.reason for p in problems if p.anchor == anchor and not p.row]
        if anchor == "人选" and rows:
            said.append(f"人选有 {rows} 处问题，见页首列表")
        shown.append((field, anchor, said))
    return shown


RESUBMIT = dt.timedelta(minutes=5)


def _already(staff, existing) -> str:
    """What a clerk reads when the letter is registered already: their own second click (or
    a resubmitted page) is not news; someone else's registration is."""
    if existing.registered_by_id == staff.pk and clock.now() - existing.registered_at < RESUBMIT:
        return "您刚才已登记这份来文（重复提交未再次登记），已为您打开"
    return "这份来文已经登记过，已为您打开"


def _registered_message(staff, req) -> str:
    if req.state == RequestState.RETURNED:
        said = f"已登记并退回：{req.return_reason}"
    elif req.handler_id:
        said = f"已登记，随机抽取的经办人为 {req.handler.full_name}"
    else:
        said = "已登记，暂无可抽取的经办人，待监督员补抽"
    if req.follows is not None:  # the link is on both requests' pages
        said += f"。这份来文此前曾登记并退回（{req.follows.return_reason}），已关联"
    return said


def _rounds(staff, req, candidates, evidence: bool, page: int = 1) -> list[dict]:
    """Each round with its draws, screenings and, per candidate, its finding, matches and
    reviews: earlier rounds exactly as they were. Matches first, then by row, one page of
    ``paging.ROWS`` at a time (?page=N): only the candidates shown are opened."""
    matches = CandidateMatch.objects.restrict(staff, "view") if evidence else None
    rounds = []
    for rnd in req.rounds.select_related("letter", "opened_by", "signed_by"):
        rows = []
        screening = queries.last_screening(req, rnd.number)
        found = screening is not None
        if found:
            pages = paging.findings(screening.findings.filter(candidate__in=candidates), page)
        elif rnd.number == req.round:  # not screened yet: the candidates by row
            pages = paging.Pages(candidates.filter(until_round=None), page)
        else:
            pages = paging.Pages([], page)
        paging.opened(pages.candidates)
        by_finding: dict[int, list] = {}
        if evidence and found:  # one query per round, not one per candidate
            shown = matches.filter(finding__in=[f.pk for f in pages.shown])
            for m in open_matches(shown.select_related("entry").order_by("pk")):
                by_finding.setdefault(m.finding_id, []).append(m)
        for f in pages.shown if found else ():
            c = f.candidate
            reviews = [r for r in c.reviews.all() if r.round == rnd.number]
            rows.append({
                "candidate": c, "finding": f, "matches": by_finding.get(f.pk, []),
                **(review_state(staff, req, rnd.number, reviews, f) if evidence else {}),
            })  # fmt: skip
        drawn = list(req.participants.filter(round=rnd.number).select_related("staff"))
        if rnd.number == req.round and req.state in OPEN_STATES:
            for p in drawn:  # who can no longer act (a 补抽 replaces them)
                p.unable = MAY_ACT[p.role](p.staff, req)
        rounds.append({
            "round": rnd, "rows": rows, "current": rnd.number == req.round, "pages": pages,
            "screenings": req.screenings.filter(round=rnd.number).select_related("screened_by"),
            "participants": drawn,
            "send_backs": req.send_backs.filter(round=rnd.number).select_related("sent_by"),
        })  # fmt: skip
    return rounds


@requires("request_detail")
def request_detail(request, pk):
    staff = request.staff
    req = _visible(staff).get_or_404(pk=pk)
    visible = Candidate.objects.restrict(staff, "view").filter(request=req)
    on_it = visible.exists()  # the people on it and the supervisors
    shown = on_it and not req.purged_at
    # Every row, for the earlier rounds' findings; the round in progress lists its own.
    every = visible.order_by("row") if shown else visible.none()
    evidence = Candidate.objects.restrict(staff, "evidence").filter(request=req).exists()
    page = paging.number(request)
    rounds = _rounds(staff, req, every, evidence, page) if shown else []
    tampered = ""
    if shown:
        opened = {c.pk for r in rounds for c in r["pages"].candidates}
        record(staff, "request.view_candidates", req, count=len(opened), page=page)
        tampered = result_check.checked(staff, req, via="page")
    actions = allowed_actions(staff, req)
    resumed = restore(request)  # a reason typed before signing in again
    extension = resumed.for_action(reverse("request_extend", args=[req.pk])) if resumed else {}
    return render(request, "inquiry/request_detail.html", {
        "req": req, "show_candidates": shown, "evidence": evidence,
        "tampered": tampered, "purged": PURGED if req.purged_at else "",
        "letters": req.rounds.filter(letter__isnull=False).select_related("letter")
        if req.purged_at else [],
        "history": history.of(req, staff) if on_it else None,
        "revisions": revisions_of(staff, req) if shown else [],
        "rounds": rounds, "job": tasks.current_job(req),
        "current": next((r for r in rounds if r["current"]), None),
        "actions": actions, "status": queues.status_label(req),
        # The way on first, the ways back (退回, 退回复核) after it: not beside the main button.
        "steps": sorted((a for a in actions if RULES[a].advances), key=lambda a: a in WAYS_BACK),
        "waiting": waiting_for(req), "next": queues.next_step(req),
        "appoint_choices": appointable(req) if "appoint" in actions else [],
        "elsewhere": people.elsewhere(req) if shown and req.state in OPEN_STATES else [],
        "deadline_status": services.deadline_status(req),
        "extensions": req.extensions.select_related("recorded_by"),
        "review_form": forms.ReviewForm(), "resumed": resumed,
        "issue_form": send_views.issue_form() if "issue" in actions else None,
        "papers": return_views.papers(staff, req),
        "extension_form": forms.ExtensionForm(initial={k: extension.get(k) for k in extension}),
    })  # fmt: skip


def _extend(staff, pk, post):
    form = forms.ExtensionForm(post)
    if not form.is_valid():
        raise InvalidSubmission(problems_of(form))
    data = form.cleaned_data
    return services.extend(staff, pk, services.ExtensionInput(
        data["reason"], data.get("agency_contact") or "", data.get("agreed_on"),
        data.get("method") or "", data.get("new_deadline"),
    ))  # fmt: skip


WAYS_BACK = frozenset({"return", "send_back"})
ACTION_SERVICES = {
    "screen": lambda staff, pk, post: services.screen_request(staff, pk),
    "submit": lambda staff, pk, post: services.submit(staff, pk),
    "sign_off": lambda staff, pk, post: services.sign_off(
        staff, pk, confirmed=post.get("confirm") == "yes"
    ),
    "send_back": lambda staff, pk, post: services.send_back(staff, pk, post.get("reason", "")),
    "return": lambda staff, pk, post: services.return_request(staff, pk, post.get("reason", "")),
    "extend": _extend,
    "correct": lambda staff, pk, post: services.correct(staff, pk, post.get("reason", "")),
    "draw": lambda staff, pk, post: services.supplementary_draw(staff, pk),
    "appoint": lambda staff, pk, post: services.appoint(
        staff, pk, post.get("handler", ""), post.get("reason", "")
    ),
}
DONE = {"screen": "已完成查询比对", "submit": "已提交", "sign_off": "已签发，结果已固定",
        "return": "已退回", "extend": "已记录",
        "send_back": "已退回复核：本轮有匹配的人选将重新复核",
        "correct": "已开始更正：重新查询、复核、签发后，新复函将取代原复函",
        "appoint": lambda person: f"已指派{person.full_name}为经办人",
        "draw": lambda drawn: "已补抽：" + "、".join(
            f"{Role(role).label}{person.full_name}" for role, person in drawn)}  # fmt: skip


def action_view(action: str):
    """The page route of one workflow action (its permission is the rule's, see permissions)."""

    @requires(f"request_{action}")
    def take(request, pk):
        req = InquiryRequest.objects.restrict(request.staff, action).get_or_404(pk=pk)
        if request.method != "POST":  # a bookmark, or the sign-in page sending the clerk back
            messages.info(request, "请在本页点击按钮办理")
            return redirect("request_detail", pk=req.pk)
        if action == "issue":  # a form of its own: problems beside its fields
            return send_views.take_issue(request, req)
        if tasks.in_background(req, action):  # a large request: the worker does it
            try:
                tasks.enqueue(request.staff, req.pk, action,
                              confirmed=request.POST.get("confirm") == "yes")  # fmt: skip
            except WorkflowError as exc:
                messages.error(request, exc.explanation)
                return redirect("request_detail", pk=req.pk)
            messages.info(request, f"{RULES[action].label}已转入后台办理")
            return redirect("request_progress", pk=req.pk)
        try:
            result = ACTION_SERVICES[action](request.staff, req.pk, request.POST)
        except WorkflowError as exc:
            messages.error(request, exc.explanation)
        else:
            done = DONE[action]
            messages.success(request, done(result) if callable(done) else done)
        return redirect("request_detail", pk=req.pk)

    take.__name__ = f"request_{action}"
    return take


@requires("candidate_review")
def candidate_review(request, pk):
    staff = request.staff
    candidate = Candidate.objects.restrict(staff, "evidence").get_or_404(pk=pk)
    back = f"{reverse('request_detail', args=[candidate.request_id])}#candidate-{candidate.row}"
    if request.method != "POST":
        messages.info(request, "请在本页填写复核意见")
        return redirect(back)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择复核意见并填写理由")
    else:
        try:
            services.review(staff, candidate.pk, form.cleaned_data["decision"],
                            form.cleaned_data["reason"])  # fmt: skip
        except WorkflowError as exc:
            messages.error(request, exc.explanation)
        else:
            messages.success(request, f"已记录对第{candidate.row}号人选的复核意见")
    return redirect(back)  # back where the reviewer was, not at the top of a long list


@requires("request_result")
def request_result(request, pk):
    """The result as the letter of a round states it: name, masked ID number, result."""
    staff = request.staff
    req = _visible(staff).get_or_404(pk=pk)
    number = _round_number(request, req)
    rnd = req.rounds.filter(number=number, signed_at__isnull=False).select_related("letter").first()
    if rnd is None or not Candidate.objects.restrict(staff, "view").filter(request=req).exists():
        raise Http404
    context = {"req": req, "round": rnd, "rows": [], "purged": PURGED if req.purged_at else "",
               "as_of": as_of(req, number) or rnd.letter.dated,
               "contact": wording.contact_note(unit_texts(req.unit))}  # fmt: skip
    if req.purged_at is None:
        tampered = result_check.checked(staff, req, via="page", number=number)
        try:
            context["rows"] = result_rows(req, number)
        except DecryptionError:  # said by the warning
            pass
        record(staff, "request.view_result", req, round=number)
        context["tampered"] = tampered
    return render(request, "inquiry/request_result.html", context)


def _round_number(request, req) -> int:
    """The round asked for (?round=N), default the latest; anything else is 404."""
    raw = request.GET.get("round", "")
    if not raw:
        return req.round
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= req.round:
        raise Http404
    return int(raw)
