"""抽查抽检: a supervisor draws a random sample of the unit's requests issued in a period;
each sampled request's first-round result is checked by screening its candidates again, as of
the date of the screening the result stands on and against the list version in force then
(decision 0015), through the registry's own ``screen`` (no second matching). A request whose
issued result does not agree opens a finding, open until a supervisor closes it with an
explanation.

What is stored and recorded is row numbers, result codes and counts, never a name or number:
candidates are opened only in memory, through the inquiry's keyring helper, to be screened.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Max, Q

from gongxin.accounts.models import PlatformUnit
from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.core.matching import MatchClass
from gongxin.core.text import InvalidText, clean
from gongxin.inquiry.choices import CandidateResult
from gongxin.inquiry.models import InquiryRequest, Review, Round
from gongxin.inquiry.queries import last_screening
from gongxin.inquiry.rules import verdict
from gongxin.inquiry.services.identity import candidate_identity
from gongxin.platform.errors import InvalidSubmission, Problem, WorkflowError, invalid
from gongxin.platform.panels import Panel
from gongxin.platform.permissions import allowed
from gongxin.platform.roles import Role
from gongxin.platform.scope import scope
from gongxin.registry.models import ListImport
from gongxin.registry.screening import CandidateInput, screen
from gongxin.supervision.free_text import id_number_problem
from gongxin.supervision.models import Finding, SpotCheck, SpotCheckItem
from gongxin.supervision.periods import Period

DEFAULT_RATE = 10  # per cent of the population
EXPLANATION_MAX = 1000
RESULT_WORDS = {CandidateResult.LISTED: "列入", CandidateResult.NOT_LISTED: "未列入", "": "待定"}


# --- scope ------------------------------------------------------------------------------------


def _supervised(staff, path: str) -> Q | None:
    return Q(**{path: staff.unit_id}) if allowed(staff, Role.SUPERVISOR) else None


@scope(SpotCheck)
def spot_checks(staff, action: str) -> Q | None:
    """view, close: the unit's supervisors."""
    if action not in ("view", "close"):
        raise ValueError(f"unknown action {action!r} for spot checks")
    return _supervised(staff, "unit_id")


@scope(Finding)
def findings(staff, action: str) -> Q | None:
    if action not in ("view", "close"):
        raise ValueError(f"unknown action {action!r} for findings")
    return _supervised(staff, "item__spot_check__unit_id")


# --- the sample -------------------------------------------------------------------------------


def sample_size(population: int, rate: int) -> int:
    """ceil(population × rate %), at least one when there is anything to draw."""
    if population <= 0:
        return 0
    return min(population, max(1, math.ceil(population * rate / 100)))


def population(unit, period: Period) -> list[int]:
    """The unit's requests whose first round was issued (反馈) in ``period`` (local dates), and
    whose candidates are still held (a request purged after its retention period has nothing
    left to screen again)."""
    issued = Round.objects.filter(
        number=1,
        issued_at__gte=clock.start_of(period.start),
        issued_at__lt=clock.start_of(period.end + dt.timedelta(days=1)),
        request__unit=unit,
        request__purged_at__isnull=True,
    )
    return sorted(issued.values_list("request_id", flat=True))


def draw_sample(ids: list[int], rate: int) -> list[int]:
    """A uniformly random sample (the system's secure random source) of the size rule's size."""
    return sorted(secrets.SystemRandom().sample(ids, sample_size(len(ids), rate)))


# --- checking one request -----------------------------------------------------------------------


def version_at(moment: dt.datetime) -> int:
    """The list version in force at ``moment``: the latest switched on by then (an import is
    given its version and its finished_at in the same transaction: registry.staging)."""
    found = ListImport.objects.filter(version__isnull=False, finished_at__lte=moment)
    return found.aggregate(v=Max("version"))["v"] or 0


@dataclass(frozen=True)
class Check:
    candidates: int
    differences: tuple[dict, ...]

    @property
    def agreed(self) -> bool:
        return not self.differences


def recheck(req: InquiryRequest) -> Check:
    """Screen the candidates of ``req``'s first round again as of its screening's date, in the
    list version in force when it was screened, and compare with what was issued, candidate by
    candidate: the match found, the list entries matched and the result (listed or not; a
    matched candidate's result is the reviewers' verdict, ``rules.verdict``)."""
    screening = last_screening(req, 1)
    if screening is None:
        return Check(0, ({"row": None, "problem": "no_screening"},))
    stored = list(
        screening.findings.select_related("candidate")
        .prefetch_related("matches")
        .order_by("candidate__row")
    )
    inputs = [
        CandidateInput(f.candidate.row, *candidate_identity(f.candidate), f.candidate.position)
        for f in stored
    ]
    again = screen(inputs, screening.as_of, version=version_at(screening.screened_at))
    by_row = {r.row: r for r in again.results}
    decisions: dict[int, list[str]] = {}
    reviews = Review.objects.filter(
        candidate__in=[f.candidate_id for f in stored], round=1, set_aside_by=None
    )
    for candidate, decision in reviews.values_list("candidate", "decision"):
        decisions.setdefault(candidate, []).append(decision)
    differences = []
    for f in stored:
        row = f.candidate.row
        found = by_row.get(row)
        if found is None:  # the stored name or number no longer passes validation
            differences.append({"row": row, "problem": "invalid"})
            continue
        issued_entries = {m.entry_id for m in f.matches.all()}
        found_entries = {e.entry_id for e in found.entries}
        if found_entries:
            decided = verdict(decisions.get(f.candidate_id, []))
            expected = decided[0] if decided else ""
        else:
            expected = CandidateResult.NOT_LISTED
        if issued_entries != found_entries or f.match != found.match.value or f.result != expected:
            differences.append(
                {
                    "row": row,
                    "issued_result": f.result,
                    "expected_result": str(expected),
                    "issued_match": f.match,
                    "found_match": found.match.value,
                    "issued_entries": len(issued_entries),
                    "found_entries": len(found_entries),
                    "same_entries": len(issued_entries & found_entries),
                }
            )
    return Check(len(stored), tuple(differences))


def describe(difference: dict) -> str:
    """One difference in Chinese: the row, the results and the counts, nothing personal."""
    row = difference.get("row")
    problem = difference.get("problem")
    if problem == "no_screening":
        return "第1轮没有可核对的查询记录"
    if problem == "invalid":
        return f"第{row}号人选的姓名或公民身份号码已无法核验"
    issued = RESULT_WORDS.get(difference["issued_result"], difference["issued_result"])
    expected = RESULT_WORDS.get(difference["expected_result"], difference["expected_result"])
    text = f"第{row}号人选：反馈结果为{issued}，重新比对应为{expected}"
    issued_match, found_match = difference.get("issued_match"), difference.get("found_match")
    if issued_match != found_match:
        text += f"；匹配类别反馈时为{_match(issued_match)}，重新比对为{_match(found_match)}"
    if difference["issued_entries"] != difference["found_entries"] or (
        difference["same_entries"] != difference["found_entries"]
    ):
        text += (
            f"；反馈时匹配名单记录 {difference['issued_entries']} 条，重新比对匹配 "
            f"{difference['found_entries']} 条（其中相同 {difference['same_entries']} 条）"
        )
    return text


def _match(code: str | None) -> str:
    try:
        return MatchClass(code).label
    except ValueError:
        return "—"


# --- the services -----------------------------------------------------------------------------


def _supervisor(actor) -> None:
    if actor is None or not allowed(actor, Role.SUPERVISOR):
        raise WorkflowError("forbidden", "只有本单位的监督人员可以进行抽查")


def parse_request(start, end, rate, *, today: dt.date | None = None) -> tuple[Period, int]:
    """The period and rate of a draw, or InvalidSubmission naming every bad field."""
    today = today or clock.today()
    problems = []
    if not isinstance(start, dt.date):
        problems.append(Problem("反馈日期起", "请填写开始日期"))
    if not isinstance(end, dt.date):
        problems.append(Problem("反馈日期止", "请填写结束日期"))
    elif end > today:
        problems.append(Problem("反馈日期止", "结束日期不能晚于今天"))
    if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
        problems.append(Problem("反馈日期起", "开始日期不能晚于结束日期"))
    if not isinstance(rate, int) or isinstance(rate, bool) or not 1 <= rate <= 100:
        problems.append(Problem("抽查比例", "请填写 1 至 100 之间的整数（百分比）"))
    if problems:
        raise InvalidSubmission(problems)
    return Period(start, end), rate


def draw(actor, period: Period, rate: int = DEFAULT_RATE, *, progress=None,
         within=None) -> SpotCheck:  # fmt: skip
    """抽查: sample the actor's unit's requests issued in ``period``, check each, open a finding
    for each that does not agree; one audit event. A refusal changes nothing. Run by the
    worker (a large sample, spotcheck_views), ``progress(done, total, step)`` hears each
    request checked and ``within(spot)`` runs inside the draw's transaction (the job marked
    done with it: gongxin.platform.background)."""
    _supervisor(actor)
    period, rate = parse_request(period.start, period.end, rate)
    unit = actor.unit
    ids = population(unit, period)
    if not ids:
        raise invalid("反馈日期起", "该期间本单位没有已反馈的查询需求，无可抽查")
    chosen = draw_sample(ids, rate)
    requests = InquiryRequest.objects.in_bulk(chosen)
    # The screening (decrypting, reading the lists) is done before the transaction opens.
    checks = {}
    for n, pk in enumerate(chosen):
        if progress is not None:
            progress(n, len(chosen), "重新比对抽中的查询需求")
        checks[pk] = recheck(requests[pk])
    with transaction.atomic():
        spot = SpotCheck.objects.create(
            unit=unit,
            period_start=period.start,
            period_end=period.end,
            rate=rate,
            drawn_by=actor,
            population=len(ids),
            sample_size=len(chosen),
        )
        opened = 0
        for pk in chosen:
            check = checks[pk]
            item = SpotCheckItem.objects.create(
                spot_check=spot,
                request_id=pk,
                candidates=check.candidates,
                agreed=check.agreed,
                differences=list(check.differences),
            )
            if not check.agreed:
                Finding.objects.create(item=item)
                opened += 1
        record(
            actor,
            "supervision.spot_check",
            spot,
            period=period.label,
            rate=rate,
            population=len(ids),
            sample=len(chosen),
            findings=opened,
        )
        if within is not None:
            within(spot)
    return spot


def close_finding(actor, finding_id: int, explanation: str) -> Finding:
    """关闭问题: a supervisor of the unit closes an open finding with an explanation."""
    _supervisor(actor)
    try:
        explanation = clean(explanation, max_length=EXPLANATION_MAX, required=True, multiline=True)
    except InvalidText as exc:
        reason = (
            "请填写处理说明（核查经过、原因及纠正情况）" if exc.code == "required" else exc.reason
        )
        raise invalid("处理说明", reason) from None
    if problem := id_number_problem(explanation):  # the one rule of supervision's free text
        raise invalid("处理说明", problem)
    with transaction.atomic():
        finding = (
            Finding.objects.restrict(actor, "close")
            .select_for_update()
            .filter(pk=finding_id)
            .first()
        )
        if finding is None:
            raise WorkflowError("not_found", "抽查问题不存在")
        if finding.closed_at is not None:
            raise WorkflowError("closed", "该问题已关闭，无需再次关闭")
        finding.closed_at, finding.closed_by, finding.explanation = clock.now(), actor, explanation
        finding.save(update_fields=["closed_at", "closed_by", "explanation"])
        spot = finding.item.spot_check
        record(
            actor,
            "supervision.close_finding",
            spot,
            finding=finding.pk,
            request=finding.item.request_id,
        )
    return finding


# --- what statistics, the national page and the 工作台 read -------------------------------------


def open_findings(staff):
    """The open findings ``staff`` may see (a supervisor: the unit's), oldest first."""
    return (
        Finding.objects.restrict(staff)
        .filter(closed_at__isnull=True)
        .select_related("item__request", "item__spot_check")
        .order_by("opened_at", "id")
    )


def agreement(units, period: Period) -> tuple[int, int]:
    """(requests checked, of them agreed) for the spot-checked requests of ``units`` (unit
    objects or codes) RECEIVED (收文日期) in ``period`` — the statistics' cohort
    (figures.py) — whenever they were checked. A request checked more than once counts once,
    and as agreed only if every check agreed."""
    codes = [getattr(u, "code", u) for u in units]
    ids = PlatformUnit.objects.filter(code__in=codes).values_list("pk", flat=True)
    counts = agreement_by_unit(list(ids), period).values()
    return sum(c for c, _ in counts), sum(a for _, a in counts)


def agreement_by_unit(unit_ids: list[int], period: Period) -> dict[int, tuple[int, int]]:
    """unit id -> (checked, agreed), as ``agreement`` counts them; one query."""
    rows = (
        SpotCheckItem.objects.filter(
            spot_check__unit_id__in=unit_ids,
            request__received_on__gte=period.start,
            request__received_on__lte=period.end,
        )
        .values("request_id", unit=F("spot_check__unit_id"))
        .order_by()
        .annotate(differing=Count("id", filter=Q(agreed=False)))
    )
    found: dict[int, tuple[int, int]] = {}
    for row in rows:
        checked, agreed = found.get(row["unit"], (0, 0))
        found[row["unit"]] = (checked + 1, agreed + (0 if row["differing"] else 1))
    return found


def open_findings_by_unit() -> dict[str, int]:
    """unit code -> findings still open (units with none are absent); one query."""
    rows = (
        Finding.objects.filter(closed_at__isnull=True)
        .values_list("item__spot_check__unit__code")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def dashboard_panels(staff) -> list[Panel]:
    """A supervisor's 工作台 shows the unit's open findings, above the queues, until they are
    closed (registered in SupervisionConfig.ready)."""
    if staff is None or not allowed(staff, Role.SUPERVISOR):
        return []
    found = list(open_findings(staff))
    if not found:
        return []
    return [Panel("supervision/spotchecks_panel.html", {"findings": found}, alert=True)]
