"""Error types shared by every product: stable codes for the API, Chinese messages for staff."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with what was submitted: the field (or file column) and, for a row of a file
    or a table, its row number. ``reason`` is Chinese and never repeats personal data."""

    field: str
    reason: str
    row: int | None = None

    @property
    def anchor(self) -> str:
        """The id of the page element the error summary links to."""
        return "人选" if self.row else self.field

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "reason": self.reason}

    def __str__(self) -> str:
        where = f"第{self.row}行「{self.field}」" if self.row else f"「{self.field}」"
        return f"{where}：{self.reason}"


class WorkflowError(Exception):
    """An action was refused; nothing changed. ``code`` is stable (the API's), ``message`` is
    what staff read."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def explanation(self) -> str:
        """What a page says about it (an invalid submission: each problem)."""
        problems = getattr(self, "problems", None)
        return "；".join(str(p) for p in problems) if problems else self.message


class InvalidSubmission(WorkflowError):
    """A submission with problems: all of them are listed, and nothing was saved."""

    def __init__(self, problems: list[Problem]):
        super().__init__("invalid", f"提交的内容有 {len(problems)} 处问题，未保存")
        self.problems = problems


def invalid(field: str, reason: str) -> InvalidSubmission:
    """One problem with one field of what was sent (for actions with a single text, say)."""
    return InvalidSubmission([Problem(field, reason)])


class Conflict(WorkflowError):
    """The thing already exists (a double submit, the same letter registered twice):
    ``existing`` is it, when the person may see it."""

    def __init__(self, code: str, message: str, existing=None):
        super().__init__(code, message)
        self.existing = existing
