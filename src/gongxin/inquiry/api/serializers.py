"""Serializers of the inquiry API: what a client may read, and the shapes of what it sends
(types only: content is checked by the services, which report every problem at once)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from gongxin.core.idnumber import looks_like_id
from gongxin.documents import alphabet
from gongxin.inquiry import queries, services
from gongxin.inquiry.choices import RequestKind, RequestState, ReviewDecision, SendMethod
from gongxin.inquiry.evidence import open_matches
from gongxin.inquiry.models import Candidate, Extension, InquiryRequest, Review, Round
from gongxin.inquiry.rules import visible_reviews
from gongxin.platform.limits import candidates_max
from gongxin.platform.rest_fields import StrictCharField, StrictIntegerField, TextField


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


class JobSerializer(serializers.Serializer):
    """A request's background action (gongxin.inquiry.tasks.current_job): no personal data."""

    action = serializers.CharField(help_text="办理事项：screen、submit 或 sign_off")
    action_label = serializers.CharField(help_text="办理事项的中文名称")
    state = serializers.CharField(
        help_text="queued 排队中、running 办理中、done 已完成、failed 未完成"
    )
    processed = serializers.IntegerField()
    total = serializers.IntegerField()
    step = serializers.CharField()
    message = serializers.CharField(help_text="未完成时的原因")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class RequestSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    handler = PersonSerializer(read_only=True, allow_null=True)
    deadline_status = serializers.SerializerMethodField()
    screened_on = serializers.SerializerMethodField()
    signed_at = serializers.SerializerMethodField()
    result_digest = serializers.SerializerMethodField()
    issued_at = serializers.SerializerMethodField()
    sending = serializers.SerializerMethodField()
    correction_reason = serializers.SerializerMethodField()

    class Meta:
        model = InquiryRequest
        fields = ["id", "agency", "agency_name", "letter_number", "received_on", "kind", "state",
                  "round", "deadline", "deadline_status", "handler", "screened_on",
                  "return_reason", "signed_at", "result_digest", "issued_at", "sending",
                  "correction_reason"]  # fmt: skip
        read_only_fields = fields

    def _round(self, obj) -> Round:
        return obj.current

    def get_deadline_status(self, obj) -> str:
        return services.deadline_status(obj)

    def get_screened_on(self, obj) -> str | None:
        last = queries.last_screening(obj)
        return last.as_of.isoformat() if last else None

    def get_signed_at(self, obj) -> str | None:
        at = self._round(obj).signed_at
        return serializers.DateTimeField().to_representation(at) if at else None

    def get_result_digest(self, obj) -> str:
        return self._round(obj).result_digest

    def get_issued_at(self, obj) -> str | None:
        at = self._round(obj).issued_at
        return serializers.DateTimeField().to_representation(at) if at else None

    @extend_schema_field(inline_serializer("Sending", {
        "method": serializers.CharField(), "sent_on": serializers.DateField(),
        "note": serializers.CharField()}, allow_null=True))  # fmt: skip
    def get_sending(self, obj) -> dict | None:
        """反馈: how and when the round's letter was sent, once recorded."""
        rnd = self._round(obj)
        if not rnd.sent_by:
            return None
        return {"method": rnd.sent_by, "sent_on": rnd.sent_on.isoformat(), "note": rnd.send_note}

    def get_correction_reason(self, obj) -> str:
        return self._round(obj).reason


class MatchSerializer(serializers.Serializer):
    """One matched list entry beside the candidate: the entry's name and masked number, the
    match class and its explanation (gongxin.inquiry.evidence)."""

    match = serializers.CharField()
    match_label = serializers.CharField(source="label")
    explanation = serializers.CharField()
    entry_name = serializers.CharField(source="listed.name")
    entry_id_number_masked = serializers.CharField(source="listed.masked")
    source_name = serializers.CharField()
    authority = serializers.CharField()
    basis_document = serializers.CharField()
    listed_on = serializers.DateField()
    removed_on = serializers.DateField(allow_null=True)


class ReviewOutSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.user.username")
    counts = serializers.BooleanField(read_only=True, help_text="是否计入结果（退回复核后为否）")

    class Meta:
        model = Review
        fields = ["round", "reviewer", "decision", "reason", "still_listed", "created_at",
                  "counts"]  # fmt: skip


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
        fields = ["id", "request", "row", "name", "id_number_masked", "position", "match",
                  "result", "result_reason", "matches", "reviews"]  # fmt: skip

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

    @extend_schema_field(MatchSerializer(many=True))
    def get_matches(self, obj):
        finding = self._finding(obj)
        if finding is None:
            return []
        matches = open_matches(finding.matches.select_related("entry").order_by("pk"))
        return MatchSerializer(matches, many=True).data

    @extend_schema_field(ReviewOutSerializer(many=True))
    def get_reviews(self, obj):
        """The reviews the caller may see (independent review: rules.visible_reviews)."""
        req = self.context["request"]
        finding = self._finding(obj)
        decided = bool(finding and finding.result)
        by_round: dict[int, list] = {}
        for r in obj.reviews.all():
            by_round.setdefault(r.round, []).append(r)
        shown = [r for number, reviews in sorted(by_round.items())
                 for r in visible_reviews(self.context["staff"], req, number, reviews,
                                          decided)]  # fmt: skip
        return ReviewOutSerializer(shown, many=True).data

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not self.context.get("evidence"):
            for key in ("match", "result_reason", "matches", "position", "reviews"):
                data.pop(key)
        return data


class NameField(TextField):
    """姓名: normalised by the service (NFKC, middle dots, no white space)."""

    schema_format = "person-name"


@extend_schema_field({
    "type": "string", "format": "gb11643", "maxLength": 40,
    "pattern": "^([0-9]{17}[0-9Xx]|[0-9]{15})$",
    "description": "公民身份号码（GB 11643：18位含校验码，或15位旧号码）",
})  # fmt: skip
class IdNumberField(StrictCharField):
    """Checked by the service (check character, birth date), with the row, like every row."""

    def __init__(self, **kwargs):
        super().__init__(max_length=40, trim_whitespace=False, **kwargs)


class LetterNumberField(TextField):
    """来文文号: printed on the letter, so only what the letter's fonts print (all in the BMP:
    the pattern is the whole rule)."""

    schema_format = "letter-text"

    def clean(self, value: str) -> str:
        return alphabet.letter_text(value, max_length=self.max_length)

    def schema_pattern(self) -> str:
        return alphabet.pattern()


class CandidateIn(serializers.Serializer):
    name = NameField(max_length=100, help_text="姓名：不能为空，不含控制字符")
    id_number = IdNumberField()
    position = TextField(max_length=_max(Candidate, "position"), blank=True, required=False,
                         default="")  # fmt: skip


class RegistrationSerializer(serializers.Serializer):
    agency = StrictIntegerField(
        min_value=1, max_value=2**63 - 1, help_text="发起查询单位 id（见 GET /api/v1/agencies/）"
    )
    letter_number = LetterNumberField(
        max_length=_max(InquiryRequest, "letter_number"),
        help_text=f"来文文号，{alphabet.DESCRIPTION}，如：京组函〔2026〕15号",
    )
    received_on = serializers.DateField(help_text="收文日期：一年以内，不能晚于今天")
    kind = serializers.ChoiceField(
        choices=RequestKind.choices, error_messages={"invalid_choice": "请选择录用或调任"}
    )
    # A ListField: drf-spectacular states min_length/max_length as minItems/maxItems here.
    candidates = serializers.ListField(child=CandidateIn(), min_length=1,
                                       max_length=candidates_max())  # fmt: skip


class ListQuerySerializer(serializers.Serializer):
    """Query of the request list. A parameter given twice is refused, not silently the last."""

    q = TextField(max_length=100, blank=True, required=False, label="查询",
                  help_text="来文文号或发起查询单位")  # fmt: skip
    state = serializers.ChoiceField(choices=RequestState.choices, required=False,
                                    allow_blank=True, label="状态")  # fmt: skip
    page = StrictIntegerField(min_value=1, max_value=2**31, required=False, label="页码")

    def validate_q(self, value):
        if looks_like_id(value):
            raise serializers.ValidationError(
                "q 只查来文文号或发起查询单位，不接受公民身份号码（网址会被记录）；"
                "按人选查找请在网页「找人」中进行"
            )
        return value

    def __init__(self, *args, query_params=None, **kwargs):
        self.repeated = []
        if query_params is not None:
            self.repeated = [k for k in ("q", "state", "page") if len(query_params.getlist(k)) > 1]
            data = {k: query_params.get(k) for k in ("q", "state") if k in query_params}
            if "page" in query_params:
                raw = query_params.get("page")
                data["page"] = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 \
                    else raw  # fmt: skip
            kwargs["data"] = data
        super().__init__(*args, **kwargs)

    def validate(self, attrs):
        if self.repeated:
            raise serializers.ValidationError({k: ["只能给出一次"] for k in self.repeated})
        return attrs


class CandidateEditIn(CandidateIn):
    id = StrictIntegerField(min_value=1, help_text="本轮人选的 id（见查询需求详情的 candidates）")


class CandidateEditsSerializer(serializers.Serializer):
    """修改人选: the full new values of each edited candidate, the ids removed, the rows added,
    and the reason. Checked as registration checks rows; nothing is saved if any is wrong."""

    reason = TextField(max_length=300, label="修改原因")
    edit = serializers.ListField(child=CandidateEditIn(), required=False, default=list)
    remove = serializers.ListField(child=StrictIntegerField(min_value=1), required=False,
                                   default=list)  # fmt: skip
    add = serializers.ListField(child=CandidateIn(), required=False, default=list,
                                max_length=candidates_max())  # fmt: skip


class ReasonSerializer(serializers.Serializer):
    reason = TextField(max_length=300, label="原因")


@extend_schema_field(
    {
        "type": "boolean",
        "enum": [True],
        "description": "签发不能撤回：须为 true（我已阅读复函草稿，确认签发）",
    }
)
class ConfirmField(serializers.BooleanField):
    """A strict boolean the schema says must be true; false reaches the service, which refuses."""


class ConfirmSerializer(serializers.Serializer):
    confirm = ConfirmField(label="确认签发", help_text="须为 true：我已阅读复函草稿，确认签发")


class AppointSerializer(serializers.Serializer):
    handler = serializers.IntegerField(label="经办人", help_text="指派为经办人的人员 id")
    reason = TextField(max_length=300, label="指派理由")


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=ReviewDecision.choices,
        label="复核意见",
        error_messages={"invalid_choice": "请选择确认列入或排除"},
    )
    reason = TextField(max_length=_max(Review, "reason"), multiline=True, label="理由")


class ExtensionSerializer(serializers.Serializer):
    """Before the deadline an extension needs the agency contact, the date and method of the
    agreement and a later deadline (409 otherwise: it depends on the request's deadline);
    after it, only a reason (an overdue explanation)."""

    reason = TextField(max_length=_max(Extension, "reason"), multiline=True, label="原因")
    agency_contact = TextField(max_length=_max(Extension, "agency_contact"), blank=True,
                               required=False, default="", label="发起单位联系人")  # fmt: skip
    agreed_on = serializers.DateField(required=False, allow_null=True, default=None,
                                      label="商定日期")  # fmt: skip
    method = TextField(max_length=_max(Extension, "method"), blank=True, required=False,
                       default="", label="沟通方式")  # fmt: skip
    new_deadline = serializers.DateField(required=False, allow_null=True, default=None,
                                         label="新期限")  # fmt: skip


class IssueSerializer(serializers.Serializer):
    """反馈: how and when the signed letter was sent (the date defaults to today; checked by
    the service: not in the future, not before signing)."""

    method = serializers.ChoiceField(choices=SendMethod.choices, label="发送方式",
                                     error_messages={"invalid_choice": "请选择发送方式",
                                                     "required": "请选择发送方式"})  # fmt: skip
    sent_on = serializers.DateField(required=False, allow_null=True, default=None,
                                    label="发送日期")  # fmt: skip
    note = TextField(max_length=_max(Round, "send_note"), blank=True, required=False,
                     default="", label="经办说明")  # fmt: skip


class AgencySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.CharField()
