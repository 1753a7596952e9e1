"""All the wording of the inquiry's documents, in one place (DESIGN §3: a unit can adjust it).

Defaults below; a unit's overrides live in documents.LetterWording.texts (same keys), checked
and filled by the documents engine. Placeholders in braces are filled from the request:
{agency}, {unit}, {letter_number}, {count}, {kind}.
"""

from __future__ import annotations

from gongxin.documents import wording as engine

PLACEHOLDERS = frozenset({"agency", "unit", "letter_number", "count", "kind"})

DEFAULTS: dict[str, str] = {
    # 查询需求函 (the agency's request, national template 附件1 is not public: ours to design)
    "request.title": "关于查询公务员{kind}人选社会信用记录的函",
    "request.salutation": "{unit}：",
    "request.body": (
        "根据《公务员法》及《公务员录用规定》《公务员调任规定》有关要求，现将我单位拟{kind}人选"
        "名单（见附件）送你单位，请协助查询以上人选是否被依法列为失信联合惩戒对象，"
        "并于3个工作日内反馈查询结果。"
    ),
    "request.contact": "联系人：          联系电话：",
    "request.attachment": "附件：拟{kind}人选名单（{count}人）",
    "request.closing": "（发起查询单位印章）",
    # 查询结果复函
    "result.title": "关于{agency}公务员{kind}人选社会信用记录查询结果的复函",
    "result.salutation": "{agency}：",
    "result.body": (
        "你单位《{letter_number}》收悉。经通过公务员录用、调任人选社会信用记录查询系统查询核实，"
        "现将{count}名人选的查询结果函复如下："
    ),
    "result.body_attachment": (
        "你单位《{letter_number}》收悉。经通过公务员录用、调任人选社会信用记录查询系统查询核实，"
        "{count}名人选的查询结果见附件。"
    ),
    "result.closing": "特此函复。",
    "result.attachment": "附件：人选社会信用记录查询结果（{count}人）",
    "result.attachment_title": "人选社会信用记录查询结果",
}

KIND_WORDS = {"recruitment": "录用", "transfer": "调任"}


def text(key: str, overrides: dict | None = None, **values) -> str:
    """The unit's text for ``key`` (or the default), with the request's values put in."""
    return engine.fill((overrides or {}).get(key, ""), DEFAULTS[key], PLACEHOLDERS, values)


LABELS: dict[str, str] = {
    "request.title": "查询需求函·标题",
    "request.salutation": "查询需求函·主送",
    "request.body": "查询需求函·正文",
    "request.contact": "查询需求函·联系方式",
    "request.attachment": "查询需求函·附件说明",
    "request.closing": "查询需求函·落款",
    "result.title": "复函·标题",
    "result.salutation": "复函·主送",
    "result.body": "复函·正文（人选列于正文）",
    "result.body_attachment": "复函·正文（人选列于附件）",
    "result.closing": "复函·结束语",
    "result.attachment": "复函·附件说明",
    "result.attachment_title": "复函·附件标题",
}


def problem_with(template: str) -> str | None:
    """Why a unit's text cannot be used (placeholders, control characters), or None."""
    return engine.problem_with(template, PLACEHOLDERS)
