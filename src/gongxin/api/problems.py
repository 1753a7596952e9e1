"""Errors as RFC 9457 problem details: a stable ``code`` and a Chinese ``detail``."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from gongxin.inquiry.errors import InvalidSubmission, WorkflowError

STATUS_OF_CODE = {
    "not_found": status.HTTP_404_NOT_FOUND,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "invalid": status.HTTP_400_BAD_REQUEST,
}
TITLES = {400: "请求有误", 401: "未登录", 403: "无权办理", 404: "不存在", 405: "方法不允许",
          409: "与当前状态冲突"}  # fmt: skip


def problem(status_code: int, code: str, detail: str, **extra) -> Response:
    body = {"type": "about:blank", "title": TITLES.get(status_code, "错误"), "status": status_code,
            "code": code, "detail": detail, **extra}  # fmt: skip
    return Response(body, status=status_code, content_type="application/problem+json")


def handler(exc, context):
    if isinstance(exc, InvalidSubmission):
        errors = [{"row": p.row, "field": p.field, "reason": p.reason} for p in exc.problems]
        return problem(400, exc.code, exc.message, errors=errors)
    if isinstance(exc, WorkflowError):
        return problem(
            STATUS_OF_CODE.get(exc.code, status.HTTP_409_CONFLICT), exc.code, exc.message
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    detail = data.get("detail") if isinstance(data, dict) else None
    code = getattr(detail, "code", None) or "invalid"
    extra = {} if detail is not None else {"errors": data}
    return problem(response.status_code, str(code), str(detail or "请求有误"), **extra)
