"""What a person may see (知悉经手范围). Every queryset that reaches a page or the API comes
from here; anything outside it answers 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from gongxin.accounts.choices import BUSINESS_ROLES, Role
from gongxin.accounts.models import Staff
from gongxin.inquiry.choices import ParticipantRole
from gongxin.inquiry.choices import RequestState as S
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.services import is_on_request


def staff_of(user) -> Staff | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except Staff.DoesNotExist:
        return None


def requests_for(staff: Staff) -> QuerySet[InquiryRequest]:
    """Requests of the person's own unit, for people with a business role; none otherwise."""
    if staff is None or not (staff.roles & BUSINESS_ROLES):
        return InquiryRequest.objects.none()
    return InquiryRequest.objects.filter(unit=staff.unit).select_related("agency", "handler")


def request_or_404(staff: Staff, pk: int) -> InquiryRequest:
    try:
        return requests_for(staff).get(pk=pk)
    except InquiryRequest.DoesNotExist:
        raise Http404 from None


def can_see_candidates(staff: Staff, req: InquiryRequest) -> bool:
    """The people on the request, and the unit's supervisors."""
    if staff is None or staff.unit_id != req.unit_id:
        return False
    return staff.has_role(Role.SUPERVISOR) or is_on_request(staff, req)


def todo_for(staff: Staff) -> QuerySet[InquiryRequest]:
    """Requests waiting for this person's action."""
    mine = Q(handler=staff, state__in=[S.ASSIGNED, S.SCREENED, S.SIGNED])
    mine |= Q(participants__staff=staff, participants__role=ParticipantRole.REVIEWER,
              state=S.IN_REVIEW)  # fmt: skip
    mine |= Q(participants__staff=staff, participants__role=ParticipantRole.SIGNER,
              state=S.AWAITING_SIGNOFF)  # fmt: skip
    return requests_for(staff).filter(mine).distinct()
