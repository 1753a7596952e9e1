"""API views: thin, like the pages — types parsed, services called, everything read through
``restrict``, the actions offered from the rules."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.fields import empty
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from gongxin.accounts.models import RequestingAgency
from gongxin.audit.services import record
from gongxin.core import clock
from gongxin.inquiry import queries, result_check, services, tasks
from gongxin.inquiry.api import serializers as s
from gongxin.inquiry.models import Candidate, InquiryRequest
from gongxin.inquiry.rules import allowed_actions
from gongxin.inquiry.services.retention import PURGED
from gongxin.platform.errors import Problem
from gongxin.platform.limits import candidates_max
from gongxin.platform.rest import MapPermission, problems_of, validated
from gongxin.platform.rest_fields import problems
from gongxin.registry.screening import CandidateInput

DETAIL = inline_serializer("RequestDetail", {
    "request": s.RequestSerializer(),
    "candidates": s.CandidateSerializer(many=True),
    "actions": serializers.ListField(child=serializers.CharField()),
    "people": s.DrawnSerializer(many=True),
    "letters": s.LetterSerializer(many=True),
    "candidates_note": serializers.CharField(
        help_text="人选信息已按保存期限清除时为「已按保存期限清除（日期）」，否则为空"),
    "result_warning": serializers.CharField(
        help_text="签发后的查询结果被改动时的警告（同时已向审计管理员告警），否则为空"),
    "job": s.JobSerializer(allow_null=True, help_text=(
        "后台办理（人选较多的查询、提交，以及签发）：排队或办理中的，或最近完成、未完成的一件；"
        "没有时为 null。答复 202 时即为刚转入后台的这一件，完成后再读本件可见结果")),
})  # fmt: skip
LABELS = {"agency": "发起查询单位", "letter_number": "来文文号", "received_on": "收文日期",
          "kind": "类别", "candidates": "人选", "name": "姓名", "id_number": "公民身份号码",
          "position": "拟任职位"}  # fmt: skip


class Pages(PageNumberPagination):
    page_size = 20


def parse_registration(staff, data) -> services.Registration:
    """Read a registration body field by field: every type problem is kept (with row numbers
    for candidates) and handed to the service, which adds the content problems."""
    found: list[Problem] = []
    if not isinstance(data, dict):
        found.append(Problem("请求", "请求体应为 JSON 对象"))
        data = {}
    fields = s.RegistrationSerializer().fields
    values = {}
    for name in ("agency", "letter_number", "received_on", "kind"):
        try:
            values[name] = fields[name].run_validation(data.get(name, empty))
        except ValidationError as exc:
            found += problems_of(exc.detail, LABELS[name])
    raw = data.get("candidates", [])
    if not isinstance(raw, list):
        found.append(Problem("人选", "应为人选列表"))
        raw = []
    candidates = []
    if len(raw) > candidates_max():  # the service says how many and how to split; rows unread
        candidates = [CandidateInput(0, "", "")] * len(raw)
        raw = []
    item = s.CandidateIn()
    for row, cells in enumerate(raw, start=1):
        try:
            valid = item.run_validation(cells)
        except ValidationError as exc:
            found += [Problem(LABELS.get(p.field, p.field), p.reason, row)
                      for p in problems_of(exc.detail, "人选")]  # fmt: skip
            continue
        candidates.append(CandidateInput(row, valid["name"], valid["id_number"],
                                         valid.get("position", "")))  # fmt: skip
    agency = None
    if values.get("agency") is not None:
        agency = (RequestingAgency.objects.restrict(staff, "register")
                  .filter(pk=values["agency"]).first())  # fmt: skip
        if agency is None:
            found.append(Problem("发起查询单位", "发起查询单位不存在"))
    return services.Registration(agency, values.get("letter_number", ""),
                                 values.get("received_on"), values.get("kind", ""), candidates,
                                 problems=found)  # fmt: skip


READ = problems(401, 404)
ACTION = {202: DETAIL, **problems(401, 403, 404, 409)}
ACTION_WITH_BODY = {202: DETAIL, **problems(400, 401, 403, 404, 409)}


class RequestViewSet(viewsets.GenericViewSet):
    """查询需求. Candidates only for the people on the request and supervisors."""

    permission_classes = [MapPermission]
    lookup_value_converter = "id"
    pagination_class = Pages
    serializer_class = s.RequestSerializer
    queryset = InquiryRequest.objects.none()  # for the schema: every view reads via restrict

    def _visible(self, request):
        return InquiryRequest.objects.restrict(request.staff, "view").select_related(
            "agency", "handler__user"
        )

    @extend_schema(
        parameters=[s.ListQuerySerializer],
        responses={200: s.RequestSerializer(many=True), **problems(400, 401, 404)},
    )
    def list(self, request):
        query = validated(None, bound=s.ListQuerySerializer(query_params=request.query_params))
        qs = self._visible(request)
        if q := query.get("q", "").strip():
            qs = qs.filter(queries.letter_search(q))
        if state := query.get("state"):
            qs = qs.filter(state=state)
        page = self.paginate_queryset(qs.order_by("-received_on", "-pk"))
        queries.prime_rounds(page)
        return self.get_paginated_response(s.RequestSerializer(page, many=True).data)

    @extend_schema(
        request=s.RegistrationSerializer,
        responses={201: s.RequestSerializer, **problems(400, 401, 404, 409)},
    )
    def create(self, request):
        req = services.register(request.staff, parse_registration(request.staff, request.data))
        return Response(s.RequestSerializer(req).data, status=201)

    def existing(self, req) -> dict:
        """The request a duplicate registration refers to (for the 409 answer)."""
        return s.RequestSerializer(req).data

    @extend_schema(responses={200: DETAIL, **READ})
    def retrieve(self, request, pk=None):
        req = self._visible(request).get_or_404(pk=pk)
        return Response(self._detail(request.staff, req))

    def _detail(self, staff, req) -> dict:
        data = {
            "request": s.RequestSerializer(req).data, "candidates": [],
            "actions": allowed_actions(staff, req),
            "people": s.DrawnSerializer(
                req.participants.select_related("staff__user").order_by("round", "id"), many=True
            ).data,
            "letters": s.LetterSerializer(
                req.rounds.filter(letter__isnull=False)
                .select_related("letter__superseded_by").order_by("number"), many=True
            ).data,
        }  # fmt: skip
        data["candidates_note"] = data["result_warning"] = ""
        job = tasks.current_job(req)
        data["job"] = s.JobSerializer(job).data if job else None
        candidates = Candidate.objects.restrict(staff, "view").current(req)
        if req.purged_at is not None:
            data["candidates_note"] = f"{PURGED}（{clock.local(req.purged_at):%Y-%m-%d}）"
        elif candidates.exists():
            evidence = Candidate.objects.restrict(staff, "evidence").filter(request=req).exists()
            found = {f.candidate_id: f for f in queries.findings(req)}
            shown = candidates.prefetch_related("reviews__reviewer__user").order_by("row")
            context = {"evidence": evidence, "findings": found, "staff": staff, "request": req}
            data["candidates"] = s.CandidateSerializer(shown, many=True, context=context).data
            record(staff, "request.view_candidates", req, via="api", count=len(data["candidates"]))
            data["result_warning"] = result_check.checked(staff, req, via="api")
        return data

    def _act(self, request, pk, action_name, call, body=None):
        """Find the request in scope first (out of scope is 404 whatever was sent), then read
        the body, then act: at once, or, where the page would (tasks.in_background), by
        handing it to the task worker and answering 202 with the job in the detail."""
        req = InquiryRequest.objects.restrict(request.staff, action_name).get_or_404(pk=pk)
        data = self._body(body, request) if body is not None else None
        status = 200
        if tasks.in_background(req, action_name):  # the page's rule: the worker does it
            tasks.enqueue(request.staff, req.pk, action_name,
                          confirmed=bool(data and data.get("confirm")))  # fmt: skip
            status = 202
        else:
            call(request.staff, req.pk, data)
        req = self._visible(request).get(pk=req.pk)
        return Response(self._detail(request.staff, req), status=status)

    @staticmethod
    def _body(serializer_class, request) -> dict:
        return validated(serializer_class, request.data)

    @extend_schema(request=None, responses={200: DETAIL, **ACTION})
    @action(detail=True, methods=["post"])
    def screen(self, request, pk=None):
        return self._act(request, pk, "screen",
                         lambda staff, rid, _: services.screen_request(staff, rid))  # fmt: skip

    @extend_schema(request=None, responses={200: DETAIL, **ACTION})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, pk, "submit",
                         lambda staff, rid, _: services.submit(staff, rid))  # fmt: skip

    @extend_schema(request=s.ConfirmSerializer, responses={200: DETAIL, **ACTION_WITH_BODY})
    @action(detail=True, methods=["post"], url_path="sign-off", url_name="sign-off")
    def sign_off(self, request, pk=None):
        """签发 cannot be undone: the body must say ``confirm: true`` (the page's checkbox)."""
        return self._act(request, pk, "sign_off",
                         lambda staff, rid, data: services.sign_off(staff, rid,
                                                                    confirmed=data["confirm"]),
                         body=s.ConfirmSerializer)  # fmt: skip

    @extend_schema(request=s.ReasonSerializer, responses={200: DETAIL, **ACTION_WITH_BODY})
    @action(detail=True, methods=["post"], url_path="send-back", url_name="send-back")
    def send_back(self, request, pk=None):
        """退回复核: the signer sends the round's matched candidates back for review."""
        return self._act(request, pk, "send_back",
                         lambda staff, rid, data: services.send_back(staff, rid, data["reason"]),
                         body=s.ReasonSerializer)  # fmt: skip

    @extend_schema(request=s.IssueSerializer, responses={200: DETAIL, **ACTION_WITH_BODY})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self._act(request, pk, "issue",
                         lambda staff, rid, data: services.issue(staff, rid, services.Sending(
                             data["method"], data["sent_on"] or clock.today(), data["note"])),
                         body=s.IssueSerializer)  # fmt: skip

    @extend_schema(request=s.ReasonSerializer, responses={200: DETAIL, **ACTION_WITH_BODY})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._act(request, pk, "return",
                         lambda staff, rid, data: services.return_request(staff, rid,
                                                                          data["reason"]),
                         body=s.ReasonSerializer)  # fmt: skip

    @extend_schema(request=s.ReasonSerializer, responses={200: DETAIL, **ACTION_WITH_BODY})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        return self._act(request, pk, "correct",
                         lambda staff, rid, data: services.correct(staff, rid, data["reason"]),
                         body=s.ReasonSerializer)  # fmt: skip

    @extend_schema(request=s.CandidateEditsSerializer,
                   responses={200: DETAIL, **ACTION_WITH_BODY})  # fmt: skip
    @action(detail=True, methods=["post"], url_path="edit-candidates",
            url_name="edit-candidates")  # fmt: skip
    def edit_candidates(self, request, pk=None):
        """修改人选 before screening (an edit after screening outdates it: screen again)."""
        return self._act(request, pk, "edit_candidates", _edit_candidates,
                         body=s.CandidateEditsSerializer)  # fmt: skip

    @extend_schema(request=None, responses={200: DETAIL, **ACTION})
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        """补抽: make the draw a waiting request needs (a handler, reviewers or a signer)."""
        return self._act(request, pk, "draw",
                         lambda staff, rid, _: services.supplementary_draw(staff, rid))  # fmt: skip

    @extend_schema(request=s.AppointSerializer, responses={200: DETAIL, **ACTION_WITH_BODY})
    @action(detail=True, methods=["post"])
    def appoint(self, request, pk=None):
        """指派: the supervisor names the handler by hand, with a reason."""
        return self._act(request, pk, "appoint",
                         lambda staff, rid, data: services.appoint(staff, rid, data["handler"],
                                                                   data["reason"]),
                         body=s.AppointSerializer)  # fmt: skip

    @extend_schema(request=s.ExtensionSerializer, responses={200: DETAIL, **ACTION_WITH_BODY})
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self._act(request, pk, "extend",
                         lambda staff, rid, data: services.extend(
                             staff, rid, services.ExtensionInput(**data)),
                         body=s.ExtensionSerializer)  # fmt: skip


def _edit_candidates(staff, request_id: int, data: dict) -> None:
    def row(cells, pk=0) -> CandidateInput:
        return CandidateInput(pk, cells["name"], cells["id_number"], cells.get("position", ""))

    services.edit_candidates(staff, request_id, services.CandidateEdits(
        data["reason"], edits={e["id"]: row(e) for e in data["edit"]},
        removals=set(data["remove"]), additions=[row(a) for a in data["add"]],
    ))  # fmt: skip


class CandidateViewSet(viewsets.ViewSet):
    permission_classes = [MapPermission]
    lookup_value_converter = "id"

    @extend_schema(
        request=s.ReviewSerializer,
        responses={200: s.CandidateSerializer, **ACTION_WITH_BODY},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        candidate = Candidate.objects.restrict(request.staff, "evidence").get_or_404(pk=pk)
        data = RequestViewSet._body(s.ReviewSerializer, request)
        candidate = services.review(request.staff, candidate.pk, **data)
        req = candidate.request
        found = {f.candidate_id: f for f in queries.findings(req)}
        context = {"evidence": True, "findings": found, "staff": request.staff, "request": req}
        data = s.CandidateSerializer(candidate, context=context).data
        # The answer shows the candidate: a view, besides the review itself.
        record(request.staff, "request.view_candidates", req, via="api", count=1)
        return Response(data)


class AgencyViewSet(viewsets.ViewSet):
    """The agencies the person's unit serves (ids for registration)."""

    permission_classes = [MapPermission]

    @extend_schema(responses={200: s.AgencySerializer(many=True), **READ})
    def list(self, request):
        agencies = RequestingAgency.objects.restrict(request.staff, "view").filter(active=True)
        return Response(s.AgencySerializer(agencies.order_by("pk"), many=True).data)


def register_routes(router) -> None:
    router.register("requests", RequestViewSet, basename="request")
    router.register("candidates", CandidateViewSet, basename="candidate")
    router.register("agencies", AgencyViewSet, basename="agency")
