"""Serializer fields and schema pieces every product's API uses, so that what the OpenAPI
schema says is exactly what the server accepts:

- ``TextField``: a JSON string (7 is not "7"), its length as the model allows; content is
  checked by the services (core.text: every problem named, in Chinese), and the schema states
  the same rule as a ``pattern`` derived from it.
- ``problems(...)``: documented RFC 9457 answers for the statuses an operation can give.

Patterns are computed when the schema is generated (a drf-spectacular field extension), not
when a process starts.
"""

from __future__ import annotations

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from gongxin.core import text

CONTENT_TYPE = "application/problem+json"


class StrictCharField(serializers.CharField):
    """``type: string`` means a JSON string: DRF would turn 7 or 7.5 into "7" / "7.5". A NUL is
    named as core.text names it (Django's Chinese message for it says "empty string")."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            ProhibitNullCharactersValidator(message=f"含有{text.describe(chr(0))}，请删除后重新填写")
            if isinstance(v, ProhibitNullCharactersValidator) else v
            for v in self.validators
        ]  # fmt: skip

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """``type: integer`` means a JSON integer: not "7", 7.5, 1e400 or true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextField(StrictCharField):
    """Free text checked by the service (core.text.clean): blank and refused characters are
    reported there, with the field's name, together with every other problem. Its schema says
    ``format: plain-text`` (the whole rule) with the rule's pattern over the BMP."""

    schema_format = "plain-text"

    def __init__(self, *, max_length: int, blank: bool = False, multiline: bool = False, **kw):
        kw.setdefault("help_text", "不含控制字符、文字方向控制符" + ("" if blank else "，不能为空"))
        super().__init__(max_length=max_length, allow_blank=True, trim_whitespace=False, **kw)
        self.blank, self.multiline = blank, multiline

    def to_internal_value(self, data):
        """The text as the services will have it (core.text.clean), or every problem at once."""
        value = super().to_internal_value(data)
        if len(value) > self.max_length:  # as sent, before trimming: what the schema says
            self.fail("max_length", max_length=self.max_length)
        try:
            return self.clean(value)
        except text.InvalidText as exc:
            raise serializers.ValidationError(exc.reason) from None

    def clean(self, value: str) -> str:
        return text.clean(value, max_length=self.max_length, required=not self.blank,
                          multiline=self.multiline)  # fmt: skip

    def run_validation(self, data=serializers.empty):
        # Blank goes through to_internal_value too: it is the rule's to refuse, in its words.
        if data == "" and not self.blank:
            return self.to_internal_value(data)
        return super().run_validation(data)

    def schema_pattern(self) -> str:
        return text.pattern(required=not self.blank, multiline=self.multiline)


class _TextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = TextField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {"type": "string", "format": field.schema_format, "maxLength": field.max_length,
                  "pattern": field.schema_pattern()}  # fmt: skip
        if not field.blank:
            schema["minLength"] = 1
        if field.help_text:
            schema["description"] = str(field.help_text)
        return schema


class ProblemError(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="文件或人选表中的行号；其他为 null")
    field = serializers.CharField(help_text="字段（中文名称）")
    reason = serializers.CharField(help_text="原因")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="稳定的错误代码，如 invalid、not_found、wrong_state")
    detail = serializers.CharField(help_text="中文说明")
    errors = ProblemError(many=True, required=False, help_text="提交的内容的问题（至多前 100 处）")
    errors_not_listed = serializers.IntegerField(
        required=False, help_text="未在 errors 中列出的其余问题的处数（问题多于 100 处时）"
    )


DESCRIPTIONS = {
    400: "提交的内容有误（errors 列出前 100 处问题，其余计入 errors_not_listed）",
    401: "未登录，或令牌、用户名或密码不正确",
    403: "本人不能办理此事项（如不是本件本轮抽取的复核人）",
    404: "不存在，或不在本人可见的范围内",
    409: "与当前状态冲突（如本件当前状态不能办理此事项），或重复提交",
    429: "尝试过于频繁，请按 Retry-After 所示秒数后再试",
}


def problems(*statuses: int) -> dict:
    """``responses=`` entries documenting problem details for each of ``statuses``."""
    return {
        (code, CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description=DESCRIPTIONS[code])
        for code in statuses
    }


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, except that a TextField's schema is its extension's alone: the
    generic validators would wrap a blank-allowing field in a oneOf that makes "" match twice
    (and so not at all)."""

    def _insert_field_validators(self, field, schema):
        if not isinstance(field, TextField):
            super()._insert_field_validators(field, schema)
