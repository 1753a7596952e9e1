"""Validation of one list-file row into a PreparedRow, with Chinese reasons per column.

Pure of the database: the importer decides what a valid row changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongxin.core import dates, idnumber, names, uscc
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
KIND_WORDS = {
    "自然人": SubjectKind.PERSON,
    "个人": SubjectKind.PERSON,
    "法人和其他组织": SubjectKind.ORGANISATION,
    "法人或其他组织": SubjectKind.ORGANISATION,
    "法人": SubjectKind.ORGANISATION,
}
ACTION_WORDS = {"列入": DeltaAction.ADD, "移出": DeltaAction.REMOVE}
TEXT_LIMIT = 200


@dataclass(slots=True)
class RowError:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        return f"第{self.row}行「{self.column}」：{self.reason}"


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


class RowValidator:
    """Turns cells into PreparedRows; holds per-file state (column positions, the file date)."""

    def __init__(
        self, headers: list[str], *, source_code: str, source_name: str, mode: str, as_of: dt.date
    ):
        self.positions = {LIST_COLUMNS[h]: i for i, h in enumerate(headers) if h in LIST_COLUMNS}
        self.header_errors = [
            RowError(1, col, "缺少必填列")
            for col in REQUIRED_COLUMNS
            if LIST_COLUMNS[col] not in self.positions
        ]
        if mode == "delta" and "action" not in self.positions:
            self.header_errors.append(RowError(1, "操作", "增量导入须有「操作」列（列入/移出）"))
        self.source_words = {source_code, source_name}
        self.mode = mode
        self.as_of = as_of

    def _get(self, cells: list, field: str) -> str:
        i = self.positions.get(field)
        if i is None or i >= len(cells):
            return ""
        value = cells[i]
        return value.strip() if isinstance(value, str) else value

    def prepare(self, number: int, cells: list) -> tuple[PreparedRow | None, list[RowError]]:
        errors: list[RowError] = []

        def fail(column: str, reason: str) -> None:
            errors.append(RowError(number, column, reason))

        source = self._get(cells, "source")
        if source and source not in self.source_words:
            fail("名单来源", f"名单来源「{source}」与本次导入的名单来源不一致或不存在")

        kind_word = str(self._get(cells, "kind") or "")
        kind = KIND_WORDS.get(kind_word)
        if kind is None:
            fail("主体类型", "应为「自然人」或「法人和其他组织」" if kind_word else "不能为空")

        try:
            name = names.normalize(str(self._get(cells, "name") or ""))
        except names.InvalidName as exc:
            fail("姓名或名称", exc.reason)
            name = ""

        ident, masked = self._ident(str(self._get(cells, "ident") or ""), kind, fail)

        texts = {}
        for field, column, required in (
            ("authority", "认定机关", True),
            ("basis_document", "认定文书号", True),
            ("case_number", "案号", False),
            ("removal_reason", "移出原因", False),
        ):
            value = str(self._get(cells, field) or "")
            if required and not value:
                fail(column, "不能为空")
            elif len(value) > TEXT_LIMIT:
                fail(column, f"过长（超过{TEXT_LIMIT}个字符）")
            texts[field] = value

        listed_on = self._date(cells, "listed_on", "列入日期", fail, required=True)
        planned_end = self._date(cells, "planned_end", "计划移出日期", fail)
        removed_on = self._date(cells, "removed_on", "移出日期", fail)
        if listed_on and listed_on > self.as_of:
            fail("列入日期", "晚于本次名单日期")
        if listed_on and removed_on and removed_on < listed_on:
            fail("移出日期", "早于列入日期")
        if removed_on and removed_on > self.as_of:
            fail("移出日期", "晚于本次名单日期")
        if listed_on and planned_end and planned_end < listed_on:
            fail("计划移出日期", "早于列入日期")

        action = DeltaAction.ADD
        if self.mode == "delta":
            word = str(self._get(cells, "action") or "")
            action = ACTION_WORDS.get(word)
            if action is None:
                fail("操作", "应为「列入」或「移出」" if word else "不能为空")

        if errors:
            return None, errors
        material = entry_material(
            kind,
            ident,
            name,
            texts["authority"],
            texts["basis_document"],
            texts["case_number"],
            listed_on,
        )
        return PreparedRow(
            row=number,
            kind=kind,
            name=name,
            ident=ident,
            masked=masked,
            authority=texts["authority"],
            basis_document=texts["basis_document"],
            case_number=texts["case_number"],
            listed_on=listed_on,
            planned_end=planned_end,
            removed_on=removed_on,
            removal_reason=texts["removal_reason"],
            action=action,
            material=material,
        ), []

    def _ident(self, raw: str, kind: str | None, fail) -> tuple[str, bool]:
        if not raw:
            fail("证件号码", "不能为空")
            return "", False
        try:
            if kind == SubjectKind.ORGANISATION:
                return uscc.normalize(raw), False
            if idnumber.is_masked(raw):
                return idnumber.normalize_masked(raw), True
            return idnumber.normalize(raw, today=self.as_of), False
        except (idnumber.InvalidIdNumber, uscc.InvalidUscc) as exc:
            fail("证件号码", exc.reason)
            return "", False

    def _date(self, cells, field, column, fail, *, required=False) -> dt.date | None:
        try:
            value = dates.coerce_date(self._get(cells, field))
        except dates.InvalidDate as exc:
            fail(column, exc.reason)
            return None
        if value is None and required:
            fail(column, "不能为空")
        return value
