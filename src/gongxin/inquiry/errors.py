"""Errors of the workflow, with stable codes (for the API) and Chinese messages (for staff)."""

from __future__ import annotations

from dataclasses import dataclass


class WorkflowError(Exception):
    """An action was refused; nothing changed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FieldProblem:
    """One problem with a submitted form or file: field (or column), row when from a file."""

    field: str
    reason: str
    row: int | None = None

    @property
    def anchor(self) -> str:
        """The id of the page element to jump to from the error summary."""
        return "人选" if self.row else self.field

    def __str__(self) -> str:
        where = f"第{self.row}行「{self.field}」" if self.row else f"「{self.field}」"
        return f"{where}：{self.reason}"


class InvalidSubmission(WorkflowError):
    """A registration with problems: all of them are listed, and nothing was saved."""

    def __init__(self, problems: list[FieldProblem]):
        super().__init__("invalid", f"提交的内容有 {len(problems)} 处问题，未保存")
        self.problems = problems
