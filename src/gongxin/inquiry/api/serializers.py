"""Serializers of the inquiry API: what a client may read, and the shapes of what it sends
(types only: content is checked by the services, which report every problem at once)."""

from __future__ import annotations

from rest_framework import serializers

from gongxin.inquiry import services
from gongxin.inquiry.choices import RequestKind, ReviewDecision
from gongxin.inquiry.models import Candidate, Extension, InquiryRequest, Review, Round


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class PersonSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="full_name")


class DrawnSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    role = serializers.CharField()
    username = serializers.CharField(source="staff.user.username")
    name = serializers.CharField(source="staff.full_name")


class LetterSerializer(serializers.Serializer):
    round = serializers.IntegerField(source="number")
    document_number = serializers.CharField(source="letter.document_number")
    verification_code = serializers.CharField(source="letter.verification_code")
    dated = serializers.DateField(source="letter.dated")
    superseded_by = serializers.SerializerMethodField()

    def get_superseded_by(self, obj) -> str | None:
        newer = getattr(obj.letter, "superseded_by", None)
        return newer.document_number if newer else None


class RequestSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    handler = PersonSerializer(read_only=True, allow_null=True)
    deadline_status = serializers.SerializerMethodField()
    screened_on = serializers.SerializerMethodField()
    signed_at = serializers.SerializerMethodField()
    result_digest = serializers.SerializerMethodField()
    issued_at = serializers.SerializerMethodField()
    correction_reason = serializers.SerializerMethodField()

    class Meta:
        model = InquiryRequest
        fields = ["id", "agency", "agency_name", "letter_number", "received_on", "kind", "state",
                  "round", "deadline", "deadline_status", "handler", "screened_on",
                  "return_reason", "signed_at", "result_digest", "issued_at",
                  "correction_reason"]  # fmt: skip
        read_only_fields = fields

    def _round(self, obj) -> Round:
        return obj.current

    def get_deadline_status(self, obj) -> str:
        return services.deadline_status(obj)

    def get_screened_on(self, obj) -> str | None:
        last = obj.screenings.filter(round=obj.round).order_by("-id").first()
        return last.as_of.isoformat() if last else None

    def get_signed_at(self, obj) -> str | None:
        at = self._round(obj).signed_at
        return serializers.DateTimeField().to_representation(at) if at else None

    def get_result_digest(self, obj) -> str:
        return self._round(obj).result_digest

    def get_issued_at(self, obj) -> str | None:
        at = self._round(obj).issued_at
        return serializers.DateTimeField().to_representation(at) if at else None

    def get_correction_reason(self, obj) -> str:
        return self._round(obj).reason


class MatchSerializer(serializers.Serializer):
    match = serializers.CharField()
    source_name = serializers.CharField()
    authority = serializers.CharField()
    basis_document = serializers.CharField()
    listed_on = serializers.DateField()
    removed_on = serializers.DateField(allow_null=True)


class ReviewOutSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.user.username")

    class Meta:
        model = Review
        fields = ["round", "reviewer", "decision", "reason", "still_listed", "created_at"]


class CandidateSerializer(serializers.ModelSerializer):
    """What the letter will say (name, masked number, result) for everyone who may see the
    candidates; match class, reason, position, evidence and reviews only for the people on the
    request (context['evidence'])."""

    name = serializers.SerializerMethodField()
    id_number_masked = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    match = serializers.SerializerMethodField()
    result_reason = serializers.SerializerMethodField()
    matches = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField()

    class Meta:
        model = Candidate
        fields = ["id", "row", "name", "id_number_masked", "position", "match", "result",
                  "result_reason", "matches", "reviews"]  # fmt: skip

    def _finding(self, obj):
        return self.context.get("findings", {}).get(obj.pk)

    def get_name(self, obj) -> str:
        return services.candidate_identity(obj)[0]

    def get_id_number_masked(self, obj) -> str:
        return services.masked_id(obj)

    def get_result(self, obj) -> str:
        finding = self._finding(obj)
        return finding.result if finding else ""

    def get_match(self, obj) -> str:
        finding = self._finding(obj)
        return finding.match if finding else ""

    def get_result_reason(self, obj) -> str:
        finding = self._finding(obj)
        return finding.result_reason if finding else ""

    def get_matches(self, obj) -> list[MatchSerializer]:
        finding = self._finding(obj)
        if finding is None:
            return []
        return MatchSerializer(finding.matches.all(), many=True).data

    def get_reviews(self, obj) -> list[ReviewOutSerializer]:
        return ReviewOutSerializer(obj.reviews.all(), many=True).data

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not self.context.get("evidence"):
            for key in ("match", "result_reason", "matches", "position", "reviews"):
                data.pop(key)
        return data


class CandidateIn(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100)
    id_number = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=40)
    position = serializers.CharField(required=False, allow_blank=True, default="",
                                     trim_whitespace=False,
                                     max_length=_max(Candidate, "position"))  # fmt: skip


class RegistrationSerializer(serializers.Serializer):
    agency = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    letter_number = serializers.CharField(max_length=_max(InquiryRequest, "letter_number"),
                                          trim_whitespace=False)  # fmt: skip
    received_on = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=RequestKind.choices, error_messages={"invalid_choice": "请选择录用或调任"}
    )
    candidates = CandidateIn(many=True, min_length=1, max_length=10_000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, trim_whitespace=False)


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=ReviewDecision.choices, error_messages={"invalid_choice": "请选择确认列入或排除"}
    )
    reason = serializers.CharField(max_length=_max(Review, "reason"), trim_whitespace=False)


class ExtensionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=_max(Extension, "reason"), trim_whitespace=False)
    agency_contact = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=_max(Extension, "agency_contact")
    )
    agreed_on = serializers.DateField(required=False, allow_null=True, default=None)
    method = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=_max(Extension, "method"))  # fmt: skip
    new_deadline = serializers.DateField(required=False, allow_null=True, default=None)


class AgencySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.CharField()
