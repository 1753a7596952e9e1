"""All the wording of the inquiry's documents, in one place (DESIGN §3: a unit can adjust it).

Defaults below; a unit's overrides live in documents.LetterWording.texts (same keys), checked
and filled by the documents engine. Placeholders in braces are filled from the request:
{agency}, {unit}, {letter_number}, {count}, {kind}, and in the result letter {as_of} (the
screening's as-of date, 「截至2026年3月2日」 says it: a result letter's body must keep it).

A 文号 is never put in 《》 (those mark a document's title, GB/T 15834): 「你单位京组函〔2026〕
15号收悉」. The unit's contact (联系人, 联系电话) is printed below the date as the letter's 附注.
"""

from __future__ import annotations

from gongxin.documents import wording as engine

PLACEHOLDERS = frozenset({"agency", "unit", "letter_number", "count", "kind", "as_of"})
# Texts that must keep a placeholder: a unit's text without it is refused (and ignored).
REQUIRED = {"result.body": "as_of", "result.body_attachment": "as_of"}
# Plain settings kept with the wording (no placeholders), empty by default.
CONTACT_KEYS = ("contact.person", "contact.phone")

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
    "result.title": "关于拟{kind}人选社会信用记录查询结果的复函",
    "result.salutation": "{agency}：",
    "result.body": (
        "你单位{letter_number}收悉。经查询核实，截至{as_of}，{count}名人选的社会信用记录"
        "查询结果如下："
    ),
    "result.body_attachment": (
        "你单位{letter_number}收悉。经查询核实，截至{as_of}，{count}名人选的社会信用记录"
        "查询结果见附件。"
    ),
    "result.closing": "特此函复。",
    "result.attachment": "附件：人选社会信用记录查询结果（{count}人）",
    "result.attachment_title": "人选社会信用记录查询结果",
    # 退回函 (退函): a letter returned without a result, with the reason
    "return.title": "关于退回人选社会信用记录查询来文的函",
    "return.salutation": "{agency}：",
    "return.body": "你单位{letter_number}收悉。经审核，{reason}，现予退回。",
    "return.closing": "特此函告。",
    # The unit's contact, printed on its letters (附注): 联系人, 联系电话
    "contact.person": "",
    "contact.phone": "",
}

KIND_WORDS = {"recruitment": "录用", "transfer": "调任"}


def text(key: str, overrides: dict | None = None, **values) -> str:
    """The unit's text for ``key`` (or the default), with the request's values put in (a value
    not given is empty)."""
    chosen = (overrides or {}).get(key, "")
    if chosen and problem_with(chosen, key):
        chosen = ""
    allowed = PLACEHOLDERS | RETURN_PLACEHOLDERS if key.startswith("return.") else PLACEHOLDERS
    filled = {name: values.get(name, "") for name in allowed}
    return engine.fill(chosen, DEFAULTS[key], allowed, filled)


def contact_note(overrides: dict | None) -> str:
    """「联系人：王明，联系电话：010-12345678」 from the unit's settings; empty if neither is."""
    texts = overrides or {}
    person, phone = (texts.get(k, "").strip() for k in CONTACT_KEYS)
    parts = [f"联系人：{person}" if person else "", f"联系电话：{phone}" if phone else ""]
    return "，".join(p for p in parts if p)


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
    "return.title": "退回函·标题",
    "return.salutation": "退回函·主送",
    "return.body": "退回函·正文",
    "return.closing": "退回函·结束语",
    "contact.person": "公文联系人",
    "contact.phone": "公文联系电话",
}


RETURN_PLACEHOLDERS = frozenset({"reason"})


def problem_with(template: str, key: str = "") -> str | None:
    """Why a unit's text for ``key`` cannot be used (placeholders, control characters, a
    placeholder it must keep), or None."""
    if key in CONTACT_KEYS:
        return engine.problem_with(template.replace("{", "{{").replace("}", "}}"), frozenset())
    allowed = PLACEHOLDERS | RETURN_PLACEHOLDERS if key.startswith("return.") else PLACEHOLDERS
    if problem := engine.problem_with(template, allowed):
        return problem
    if (needed := REQUIRED.get(key)) and f"{{{needed}}}" not in template:
        return f"须保留占位符「{{{needed}}}」"
    return None
