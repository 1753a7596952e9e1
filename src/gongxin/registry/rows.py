"""Validation of one list-file row into a PreparedRow, with Chinese reasons per column.

Pure of the database: the importer decides what a valid row changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import itemgetter

from gongxin.core import dates, idnumber, names, uscc
from gongxin.core.text import describe, first_refused
from gongxin.platform.errors import Problem
from gongxin.registry.choices import DeltaAction, SubjectKind

# Chinese header → field. Headers are compared after removing white space.
LIST_COLUMNS = {
    "主体类型": "kind",
    "姓名或名称": "name",
    "证件号码": "ident",
    "列入日期": "listed_on",
    "认定机关": "authority",
    "认定文书号": "basis_document",
    "案号": "case_number",
    "计划移出日期": "planned_end",
    "移出日期": "removed_on",
    "移出原因": "removal_reason",
    "操作": "action",
    "名单来源": "source",
}
REQUIRED_COLUMNS = ("主体类型", "姓名或名称", "证件号码", "列入日期", "认定机关", "认定文书号")
# Plain str values, not the enums: prepared rows cross process boundaries with marshal.
PERSON, ORGANISATION = SubjectKind.PERSON.value, SubjectKind.ORGANISATION.value
ADD, REMOVE = DeltaAction.ADD.value, DeltaAction.REMOVE.value
KIND_WORDS = {
    "自然人": PERSON,
    "个人": PERSON,
    "法人和其他组织": ORGANISATION,
    "法人或其他组织": ORGANISATION,
    "法人": ORGANISATION,
}
ACTION_WORDS = {"列入": ADD, "移出": REMOVE}
TEXT_LIMIT = 200


@dataclass(slots=True)
class PreparedRow:
    row: int
    kind: str
    name: str
    ident: str  # normalised ID number / USCC, or a masked pattern
    masked: bool
    authority: str
    basis_document: str
    case_number: str
    listed_on: dt.date
    planned_end: dt.date | None
    removed_on: dt.date | None
    removal_reason: str
    action: str
    material: str  # what identifies the listing; its keyed hash is the entry key


def entry_material(kind, ident, name, authority, basis_document, case_number, listed_on) -> str:
    """The fields that identify one listing: a snapshot row with the same ones is the same entry."""
    return "|".join(
        (kind, ident, name, authority, basis_document, case_number, listed_on.isoformat())
    )


# Field order of RowValidator.getter's result.
_FIELD_ORDER = (
    "kind", "name", "ident", "listed_on", "authority", "basis_document", "case_number",
    "planned_end", "removed_on", "removal_reason", "action", "source",
)  # fmt: skip


class RowValidator:
    """Turns cells into PreparedRows; holds per-file state (column positions, the file date).

    ``prepare`` is the hot path of every import (millions of rows): one C-level itemgetter
    picks all fields, and error objects are made only when something is wrong.
    """

    def __init__(
        self, headers: list[str], *, source_code: str, source_name: str, mode: str, as_of: dt.date
    ):
        self.positions = {LIST_COLUMNS[h]: i for i, h in enumerate(headers) if h in LIST_COLUMNS}
        self.header_errors = [
            Problem(col, "缺少必填列", 1)
            for col in REQUIRED_COLUMNS
            if LIST_COLUMNS[col] not in self.positions
        ]
        if mode == "delta" and "action" not in self.positions:
            self.header_errors.append(Problem("操作", "增量导入须有「操作」列（列入/移出）", 1))
        # Missing optional columns read a padding cell that is always empty.
        self.width = len(headers) + 1
        self.getter = itemgetter(*(self.positions.get(f, len(headers)) for f in _FIELD_ORDER))
        self.source_words = {source_code, source_name}
        self.delta = mode == "delta"
        self.as_of = as_of

    def prepare(self, number: int, cells: list) -> tuple[PreparedRow | None, list[Problem]]:
        if len(cells) < self.width:
            cells = [*cells, *([""] * (self.width - len(cells)))]
        (kind_word, raw_name, raw_ident, raw_listed, authority, basis, case, raw_planned,
         raw_removed, reason, action_word, source) = self.getter(cells)  # fmt: skip
        errors: list[Problem] = []
        fail = errors.append

        if source and source.strip() not in self.source_words:
            fail(Problem("名单来源", "与本次导入的名单来源不一致或不存在", number))
        kind = KIND_WORDS.get(kind_word.strip())
        if kind is None:
            reason_text = "应为「自然人」或「法人和其他组织」" if kind_word.strip() else "不能为空"
            fail(Problem("主体类型", reason_text, number))
        try:
            name = names.normalize(raw_name)
        except names.InvalidName as exc:
            fail(Problem("姓名或名称", exc.reason, number))
            name = ""
        ident, masked = self._ident(number, raw_ident, kind, fail)

        authority, basis, case, reason = (
            authority.strip(),
            basis.strip(),
            case.strip(),
            reason.strip(),
        )
        if (
            not authority
            or not basis
            or len(authority) + len(basis) + len(case) + len(reason) > TEXT_LIMIT
            or not (authority + basis + case + reason).isprintable()
        ):
            self._check_texts(number, fail, authority, basis, case, reason)

        listed_on = self._date(number, raw_listed, "列入日期", fail, required=True)
        planned_end = self._date(number, raw_planned, "计划移出日期", fail) if raw_planned else None
        removed_on = self._date(number, raw_removed, "移出日期", fail) if raw_removed else None
        if listed_on and listed_on > self.as_of:
            fail(Problem("列入日期", "晚于本次名单日期", number))
        if removed_on:
            if listed_on and removed_on < listed_on:
                fail(Problem("移出日期", "早于列入日期", number))
            if removed_on > self.as_of:
                fail(Problem("移出日期", "晚于本次名单日期", number))
        if listed_on and planned_end and planned_end < listed_on:
            fail(Problem("计划移出日期", "早于列入日期", number))

        action = ADD
        if self.delta:
            action = ACTION_WORDS.get(action_word.strip())
            if action is None:
                reason_text = "应为「列入」或「移出」" if action_word.strip() else "不能为空"
                fail(Problem("操作", reason_text, number))

        if errors:
            return None, errors
        material = entry_material(kind, ident, name, authority, basis, case, listed_on)
        return PreparedRow(
            number, kind, name, ident, masked, authority, basis, case, listed_on, planned_end,
            removed_on, reason, action, material,
        ), errors  # fmt: skip

    @staticmethod
    def _check_texts(number, fail, authority, basis, case, reason) -> None:
        for value, column, required in (
            (authority, "认定机关", True), (basis, "认定文书号", True),
            (case, "案号", False), (reason, "移出原因", False),
        ):  # fmt: skip
            if required and not value:
                fail(Problem(column, "不能为空", number))
            elif len(value) > TEXT_LIMIT:
                fail(Problem(column, f"过长（超过{TEXT_LIMIT}个字符）", number))
            elif found := first_refused(value):
                fail(Problem(column, f"含有{describe(found[1])}", number))

    def _ident(self, number, raw: str, kind: str | None, fail) -> tuple[str, bool]:
        raw = raw.strip()
        if not raw:
            fail(Problem("证件号码", "不能为空", number))
            return "", False
        try:
            if kind == ORGANISATION:
                return uscc.normalize(raw), False
            if "*" in raw or "＊" in raw:
                return idnumber.normalize_masked(raw), True
            return idnumber.normalize(raw, today=self.as_of), False
        except (idnumber.InvalidIdNumber, uscc.InvalidUscc) as exc:
            fail(Problem("证件号码", exc.reason, number))
            return "", False

    @staticmethod
    def _date(number, raw, column, fail, *, required=False) -> dt.date | None:
        try:
            value = dates.coerce_date(raw)
        except dates.InvalidDate as exc:
            fail(Problem(column, exc.reason, number))
            return None
        if value is None and required:
            fail(Problem(column, "不能为空", number))
        return value
