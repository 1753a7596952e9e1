"""What every product's REST API stands on: the permission class that asks the permission map,
RFC 9457 problem details for every error (one ``errors: [{row, field, reason}]`` format), and
the schema pieces that document them."""

from __future__ import annotations

from rest_framework import exceptions, parsers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from gongxin.platform.errors import Conflict, InvalidSubmission, Problem, WorkflowError
from gongxin.platform.limits import not_listed, shown
from gongxin.platform.permissions import PUBLIC, allowed, url_permissions
from gongxin.platform.scope import staff_of

CONTENT_TYPE = "application/problem+json"
STATUS_OF_CODE = {
    "not_found": status.HTTP_404_NOT_FOUND,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "invalid": status.HTTP_400_BAD_REQUEST,
}
TITLES = {400: "请求有误", 401: "未登录", 403: "无权办理", 404: "不存在", 405: "方法不允许",
          406: "无法提供该格式", 409: "与当前状态冲突", 415: "不支持的内容类型",
          429: "请求过于频繁"}  # fmt: skip


def problem(status_code: int, code: str, detail: str, **extra) -> Response:
    body = {"type": "about:blank", "title": TITLES.get(status_code, "错误"), "status": status_code,
            "code": code, "detail": detail, **extra}  # fmt: skip
    return Response(_printable(body), status=status_code, content_type=CONTENT_TYPE)


def _printable(value):
    """Nothing a client sent can make the answer unencodable: a lone surrogate that a library
    echoed into a message becomes U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return value


def problems_of(detail, label: str = "请求", row: int | None = None) -> list[Problem]:
    """A DRF ValidationError's nested detail as a flat list of Problems."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            name = label if key == "non_field_errors" else str(key)
            found += problems_of(value, name, row)
        return found
    if isinstance(detail, list):
        found = []
        for item in detail:
            found += problems_of(item, label, row)
        return found
    return [Problem(label, str(detail), row)]


def as_errors(problems: list[Problem]) -> dict:
    """``errors``: the first GONGXIN_PROBLEMS_SHOWN problems; ``errors_not_listed``: the rest,
    counted (a file of 5,000 bad rows must not become a 10,000-item answer)."""
    first, rest = shown(problems)
    said = {"errors": [p.as_dict() for p in first]}
    if rest:
        said["errors_not_listed"] = rest
    return said


def _detail(message: str, problems: list[Problem]) -> str:
    rest = shown(problems)[1]
    return f"{message}（{not_listed(rest)}）" if rest else message


def handler(exc, context):
    if isinstance(exc, InvalidSubmission):
        return problem(400, exc.code, _detail(exc.message, exc.problems),
                       **as_errors(exc.problems))  # fmt: skip
    if isinstance(exc, Conflict):
        extra = {}
        serialize = getattr(context.get("view"), "existing", None)
        if exc.existing is not None and serialize is not None:
            extra = {"existing": serialize(exc.existing)}
        return problem(409, exc.code, exc.message, **extra)
    if isinstance(exc, WorkflowError):
        return problem(
            STATUS_OF_CODE.get(exc.code, status.HTTP_409_CONFLICT), exc.code, exc.message
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):  # never repeat what the client sent
        return problem(
            415, "unsupported_media_type", "请求体应为 JSON（Content-Type: application/json）"
        )
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 60) + 1
        result = problem(429, "throttled", f"尝试过于频繁，请 {wait} 秒后再试")
        result["Retry-After"] = str(wait)
        return result
    if isinstance(exc, exceptions.ValidationError):
        found = problems_of(exc.detail)
        return problem(400, "invalid", _detail(f"提交的内容有 {len(found)} 处问题", found),
                       **as_errors(found))  # fmt: skip
    # Imported here: DRF's views module imports this module (the default permission class).
    from rest_framework.views import exception_handler

    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    detail = data.get("detail") if isinstance(data, dict) else None
    code = getattr(detail, "code", None) or "invalid"
    result = problem(response.status_code, str(code), str(detail or "请求有误"))
    for header in ("WWW-Authenticate", "Allow", "Retry-After"):
        if header in response:
            result[header] = response[header]
    return result


class MapPermission(BasePermission):
    """The route's entry in the permission map decides, as for the pages: anonymous → 401;
    signed in but not allowed → 404, never a hint that something exists."""

    def has_permission(self, request, view):
        permission = url_permissions()[request.resolver_match.view_name]
        request.staff = staff_of(request.user)
        if permission == PUBLIC:
            return True
        if not request.user.is_authenticated:
            return False
        if not allowed(request.staff, permission):
            raise NotFound
        return True


class JSONParser(parsers.JSONParser):
    """DRF's parser, saying in Chinese what is wrong with a body that is not JSON (where, not
    what: the message never quotes the body); a body nested deeper than Python can parse is a
    400 like any other (DRF lets the RecursionError through)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON 嵌套层数过多") from None
        except exceptions.ParseError as exc:
            cause = exc.__cause__ or exc.__context__  # json's error knows where
            line, column = getattr(cause, "lineno", None), getattr(cause, "colno", None)
            where = f"（第 {line} 行第 {column} 列）" if line else ""
            raise exceptions.ParseError(f"请求体不是有效的 JSON{where}") from None


def validated(serializer_class, data=None, *, bound=None) -> dict:
    """The body (or, ``bound``, a query) read by a serializer, or InvalidSubmission naming each
    field by its label (in Chinese, as everywhere else)."""
    if bound is None and not isinstance(data, dict):
        raise InvalidSubmission([Problem("请求", "请求体应为 JSON 对象")])
    serializer = bound if bound is not None else serializer_class(data=data)
    if serializer.is_valid():
        return serializer.validated_data
    found = []
    for name, detail in serializer.errors.items():
        field = serializer.fields.get(name)
        label = str(field.label) if field is not None and field.label else "请求"
        found += problems_of(detail, label)
    raise InvalidSubmission(found)
