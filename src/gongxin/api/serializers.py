from rest_framework import serializers

from gongxin.accounts.models import RequestingAgency
from gongxin.inquiry import services
from gongxin.inquiry.choices import RequestKind, ReviewDecision
from gongxin.inquiry.models import Candidate, InquiryRequest


class RequestSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    handler_name = serializers.CharField(source="handler.full_name", read_only=True, default=None)
    deadline_status = serializers.SerializerMethodField()

    class Meta:
        model = InquiryRequest
        fields = ["id", "agency", "agency_name", "letter_number", "received_on", "kind", "state",
                  "deadline", "deadline_status", "handler_name", "screened_on", "return_reason",
                  "signed_at", "result_digest", "issued_at"]  # fmt: skip
        read_only_fields = fields

    def get_deadline_status(self, obj) -> str:
        return services.deadline_status(obj)


class CandidateInSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    id_number = serializers.CharField(allow_blank=True)
    position = serializers.CharField(required=False, allow_blank=True, default="")


class RegistrationSerializer(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(
        queryset=RequestingAgency.objects.filter(active=True)
    )
    letter_number = serializers.CharField()
    received_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    candidates = CandidateInSerializer(many=True)


class MatchSerializer(serializers.Serializer):
    match = serializers.CharField()
    source_name = serializers.CharField()
    authority = serializers.CharField()
    basis_document = serializers.CharField()
    listed_on = serializers.DateField()
    removed_on = serializers.DateField(allow_null=True)


class CandidateSerializer(serializers.ModelSerializer):
    """What the letter will say (name, masked number, result); evidence only for the people on
    the request (context['evidence'])."""

    name = serializers.SerializerMethodField()
    id_number_masked = serializers.SerializerMethodField()
    matches = serializers.SerializerMethodField()

    class Meta:
        model = Candidate
        fields = ["id", "row", "name", "id_number_masked", "position", "match", "result",
                  "result_reason", "matches"]  # fmt: skip

    def get_name(self, obj) -> str:
        return services.candidate_identity(obj)[0]

    def get_id_number_masked(self, obj) -> str:
        return services.masked_id(obj)

    def get_matches(self, obj) -> list[dict]:
        if not self.context.get("evidence"):
            return []
        return MatchSerializer(obj.matches.all(), many=True).data

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not self.context.get("evidence"):
            for key in ("match", "result_reason", "matches", "position"):
                data.pop(key)
        return data


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    reason = serializers.CharField()


class ExtensionSerializer(serializers.Serializer):
    reason = serializers.CharField()
    agency_contact = serializers.CharField(required=False, allow_blank=True, default="")
    agreed_on = serializers.DateField(required=False, allow_null=True, default=None)
    method = serializers.CharField(required=False, allow_blank=True, default="")
    new_deadline = serializers.DateField(required=False, allow_null=True, default=None)
