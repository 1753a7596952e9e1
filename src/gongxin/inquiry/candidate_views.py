"""修改人选: the page where the handler edits, removes and adds the round's candidates before
screening (gongxin.inquiry.services.candidates; the rule is RULES["edit_candidates"])."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.shortcuts import redirect, render

from gongxin.audit.services import record
from gongxin.core import idnumber
from gongxin.inquiry.choices import RequestState
from gongxin.inquiry.models import Candidate, InquiryRequest
from gongxin.inquiry.rules import refusal
from gongxin.inquiry.services.candidates import CandidateEdits, edit_candidates, next_row
from gongxin.inquiry.services.identity import candidate_identity
from gongxin.platform.errors import InvalidSubmission, WorkflowError
from gongxin.platform.permissions import requires
from gongxin.registry.screening import CandidateInput

ADD_SLOTS = 3  # blank rows offered for additions (more: save, then edit again)
FIELDS = {"姓名": "name", "公民身份号码": "id_number", "拟任职位": "position"}


@dataclass
class Line:
    """One row of the page's table: a current candidate, or a slot for an addition."""

    key: str  # the form fields' prefix: the candidate id, or "add-<n>"
    row: int
    name: str = ""
    masked: str = ""
    id_number: str = ""  # what was typed (a new number); never prefilled
    position: str = ""
    removed: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)  # by field code


@requires("request_edit_candidates")
def edit_candidates_page(request, pk):
    staff = request.staff
    req = InquiryRequest.objects.restrict(staff, "edit_candidates").get_or_404(pk=pk)
    if found := refusal(staff, req, "edit_candidates"):
        messages.error(request, found[1])
        return redirect("request_detail", pk=req.pk)
    current = list(Candidate.objects.restrict(staff, "view").current(req).order_by("row"))
    stored = {c.pk: (*candidate_identity(c), c.position) for c in current}
    lines = [Line(str(c.pk), c.row, stored[c.pk][0], idnumber.mask(stored[c.pk][1]),
                  position=c.position) for c in current]  # fmt: skip
    first = next_row(req)
    slots = [Line(f"add-{i}", first + i) for i in range(ADD_SLOTS)]
    reason, problems = "", []
    if request.method == "POST":
        post = request.POST
        reason = post.get("reason", "")
        asked = CandidateEdits(reason)
        for c, line in zip(current, lines, strict=True):
            line.name = post.get(f"{line.key}-name", line.name)
            line.id_number = post.get(f"{line.key}-id_number", "").strip()
            line.position = post.get(f"{line.key}-position", line.position)
            line.removed = post.get(f"{line.key}-remove") == "on"
            name, number, position = stored[c.pk]
            if line.removed:
                asked.removals.add(c.pk)
            elif (line.name, line.id_number or number, line.position) != (name, number, position):
                asked.edits[c.pk] = CandidateInput(c.row, line.name, line.id_number or number,
                                                   line.position)  # fmt: skip
        typed = [(post.get(f"add-{i}-name", ""), post.get(f"add-{i}-id_number", ""),
                  post.get(f"add-{i}-position", "")) for i in range(ADD_SLOTS)]  # fmt: skip
        typed = [t for t in typed if any(v.strip() for v in t)]  # blank slots are not rows
        asked.additions = [CandidateInput(0, *t) for t in typed]
        for slot, (name, number, position) in zip(slots, typed, strict=False):
            slot.name, slot.id_number, slot.position = name, number, position
        try:
            done = edit_candidates(staff, req.pk, asked)
        except InvalidSubmission as exc:
            problems = exc.problems
        except WorkflowError as exc:
            messages.error(request, exc.explanation)
            return redirect("request_detail", pk=req.pk)
        else:
            said = f"已保存 {len(done)} 处人选修改"
            if any(r.rescreen for r in done):
                said += "；原查询比对已作废，本件回到「已分派」，请重新查询比对后提交"
            messages.success(request, said)
            return redirect("request_detail", pk=req.pk)
    by_row = {line.row: line for line in [*lines, *slots]}
    summary = []
    for p in problems:
        line = by_row.get(p.row) if p.row else None
        code = FIELDS.get(p.field)
        if line is not None and code:
            line.errors.setdefault(code, []).append(p.reason)
            summary.append((f"{line.key}-{code}", str(p)))
        else:
            summary.append(("reason" if p.field == "修改原因" else "candidates", str(p)))
    # The page shows names and masked numbers, as the request page does: a view.
    record(staff, "request.view_candidates", req, count=len(current), via="edit")
    return render(request, "inquiry/candidates_edit.html", {
        "req": req, "lines": lines, "slots": slots, "reason": reason, "summary": summary,
        "reason_errors": [p.reason for p in problems if p.field == "修改原因"],
        "list_errors": [p.reason for p in problems if p.field == "人选" and not p.row],
        "rescreen": req.state == RequestState.SCREENED,
    })  # fmt: skip
