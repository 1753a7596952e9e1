"""API views: thin, like the pages — serializers in, services called, scope from one module."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from gongxin.api import serializers as s
from gongxin.api.permissions import MapPermission
from gongxin.audit.services import record
from gongxin.inquiry import services
from gongxin.inquiry.choices import RequestState
from gongxin.inquiry.models import Candidate
from gongxin.inquiry.scope import can_see_candidates, request_or_404, requests_for
from gongxin.registry.screening import CandidateInput

DETAIL = inline_serializer("RequestDetail", {
    "request": s.RequestSerializer(), "candidates": s.CandidateSerializer(many=True),
    "actions": serializers.ListField(child=serializers.CharField()),
})  # fmt: skip


class Pages(PageNumberPagination):
    page_size = 20


class RequestViewSet(viewsets.ViewSet):
    """查询需求. Candidates only for the people on the request and supervisors."""

    permission_classes = [MapPermission]
    lookup_value_converter = "int"

    @extend_schema(responses=s.RequestSerializer(many=True), parameters=[
        OpenApiParameter("q", str, description="来文文号或发起查询单位"),
        OpenApiParameter("state", str, enum=RequestState.values)])  # fmt: skip
    def list(self, request):
        qs = requests_for(request.staff)
        if q := request.query_params.get("q", "").strip():
            qs = qs.filter(Q(letter_number__icontains=q) | Q(agency__name__icontains=q))
        if (state := request.query_params.get("state")) in RequestState.values:
            qs = qs.filter(state=state)
        pager = Pages()
        page = pager.paginate_queryset(qs.order_by("-received_on", "-pk"), request)
        return pager.get_paginated_response(s.RequestSerializer(page, many=True).data)

    @extend_schema(request=s.RegistrationSerializer, responses={201: s.RequestSerializer})
    def create(self, request):
        data = s.RegistrationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        candidates = [CandidateInput(i + 1, c["name"], c["id_number"], c.get("position", ""))
                      for i, c in enumerate(v["candidates"])]  # fmt: skip
        reg = services.Registration(v["agency"], v["letter_number"], v["received_on"], v["kind"],
                                    candidates)  # fmt: skip
        req = services.register(request.staff, reg)
        return Response(s.RequestSerializer(req).data, status=201)

    @extend_schema(responses=DETAIL)
    def retrieve(self, request, pk=None):
        req = request_or_404(request.staff, pk)
        return Response(self._detail(request.staff, req))

    def _detail(self, staff, req) -> dict:
        data = {"request": s.RequestSerializer(req).data, "candidates": [],
                "actions": services.allowed_actions(staff, req)}  # fmt: skip
        if can_see_candidates(staff, req):
            evidence = services.is_on_request(staff, req)
            data["candidates"] = s.CandidateSerializer(
                req.candidates.prefetch_related("matches"), many=True,
                context={"evidence": evidence}).data  # fmt: skip
            record(staff, "request.view_candidates", req, via="api", count=len(data["candidates"]))
        return data

    def _act(self, request, pk, call):
        req = request_or_404(request.staff, pk)
        call(request.staff, req.pk)
        req.refresh_from_db()
        return Response(self._detail(request.staff, req))

    @extend_schema(request=None, responses=DETAIL)
    @action(detail=True, methods=["post"])
    def screen(self, request, pk=None):
        return self._act(request, pk, services.screen_request)

    @extend_schema(request=None, responses=DETAIL)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, pk, services.submit)

    @extend_schema(request=None, responses=DETAIL)
    @action(detail=True, methods=["post"], url_path="sign-off", url_name="sign-off")
    def sign_off(self, request, pk=None):
        return self._act(request, pk, services.sign_off)

    @extend_schema(request=None, responses=DETAIL)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self._act(request, pk, services.issue)

    @extend_schema(request=s.ReturnSerializer, responses=DETAIL)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        data = s.ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"]
        return self._act(
            request, pk, lambda staff, rid: services.return_request(staff, rid, reason)
        )

    @extend_schema(request=s.ReturnSerializer, responses=DETAIL)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        data = s.ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"]
        return self._act(request, pk, lambda staff, rid: services.correct(staff, rid, reason))

    @extend_schema(request=s.ExtensionSerializer, responses=DETAIL)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        data = s.ExtensionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ext = services.ExtensionInput(**data.validated_data)
        return self._act(request, pk, lambda staff, rid: services.extend(staff, rid, ext))


class CandidateViewSet(viewsets.ViewSet):
    permission_classes = [MapPermission]
    lookup_value_converter = "int"

    @extend_schema(request=s.ReviewSerializer, responses=s.CandidateSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        try:
            candidate = Candidate.objects.get(pk=pk)
        except Candidate.DoesNotExist:
            raise Http404 from None
        request_or_404(request.staff, candidate.request_id)
        data = s.ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = services.review(request.staff, candidate.pk, **data.validated_data)
        return Response(s.CandidateSerializer(candidate, context={"evidence": True}).data)
