"""The platform's own pages (the holiday calendar) and the error pages, in Chinese, in the
frame; under /api/ errors are problem details."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from gongxin.core.dates import InvalidDate, parse_date
from gongxin.platform.calendar import enter_year, years_around
from gongxin.platform.errors import Problem, WorkflowError
from gongxin.platform.forms import CalendarYearForm
from gongxin.platform.limits import split_advice
from gongxin.platform.models import CalendarYear
from gongxin.platform.permissions import requires
from gongxin.platform.rules import keeps_calendar
from gongxin.platform.uploads import UploadTooLarge, megabytes, upload_max


@requires("calendar")
def calendar(request):
    """Every sysadmin sees which years are configured; the national center's enters them
    (rules.keeps_calendar); another's post is refused and changes nothing."""
    refused = keeps_calendar(request.staff)
    form = CalendarYearForm(request.POST or None)
    problems = []
    if request.method == "POST" and refused:
        problems = [Problem("年份", refused)]
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            holidays = _dates(data["holidays"])
            workdays = _dates(data["workdays"])
            enter_year(request.staff, data["year"], holidays, workdays)
        except (InvalidDate, WorkflowError) as exc:
            problems = [Problem("日期", getattr(exc, "reason", None) or exc.message)]
        else:
            messages.success(request, f"{data['year']} 年节假日安排已保存")
            return redirect("calendar")
    years = CalendarYear.objects.prefetch_related("days")
    context = {"form": form, "problems": problems, "years": years, "coverage": years_around(),
               "refused": refused}  # fmt: skip
    return render(request, "platform/calendar.html", context)


def _dates(text: str):
    """The dates of a text box, one a line; a bad line is named (dates are not personal)."""
    days = []
    for line in filter(None, (raw.strip() for raw in (text or "").splitlines())):
        try:
            days.append(parse_date(line))
        except InvalidDate as exc:
            raise InvalidDate(f"{exc.reason}：{line[:40]}") from None
    return days


ERRORS = {
    400: ("请求有误", "提交的内容无法处理，请检查后重试。"),
    403: ("无权访问", "您没有权限进行此项操作。"),
    404: ("页面不存在", "您要找的页面不存在，或您无权查看。"),
    500: ("系统错误", "系统处理时出错，已记录。请稍后重试；如仍不能办理，请联系系统管理员。"),
    503: (
        "暂停服务",
        "系统的密钥文件与数据库不一致，为防止查询结果出错已暂停办理，刚才的操作没有"
        "保存。请联系系统管理员（原因已记入服务日志）。",
    ),
}


CODES = {400: "invalid", 403: "forbidden", 404: "not_found", 503: "key_mismatch"}


def _error(request, status: int, *, with_frame: bool = True, said: tuple[str, str] | None = None,
           code: str = "", back: tuple[str, str] | None = None):  # fmt: skip
    title, message = said or ERRORS[status]
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": title, "status": status,
                "code": code or CODES.get(status, "error"),
                "detail": message}  # fmt: skip
        return JsonResponse(body, status=status, content_type="application/problem+json",
                            json_dumps_params={"ensure_ascii": False})  # fmt: skip
    context = {"status": status, "title": title, "message": message,
               "csp_nonce": getattr(request, "csp_nonce", ""),
               "back": back}  # fmt: skip
    html = render_to_string("gongxin/error.html", context, request if with_frame else None)
    return HttpResponse(html, status=status)


def error_page(request, status: int, title: str, message: str, *, code: str = "",
               back: tuple[str, str] | None = None):  # fmt: skip
    """An error of another app's, said in Chinese in the frame (or as a problem under /api/);
    ``back`` is (url, text) of the way on, by default the dashboard."""
    return _error(request, status, said=(title, message), code=code, back=back)


def bad_request(request, exception=None):
    if isinstance(exception, UploadTooLarge):
        return _error(request, 400, said=(
            "上传的文件过大",
            f"上传的文件超过 {megabytes(upload_max())} MB 的上限，没有保存。"
            f"{split_advice()}。",
        ))  # fmt: skip
    if isinstance(exception, RequestDataTooBig):  # a paste of thousands of rows, say
        limit = megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return _error(
            request,
            400,
            said=(
                "提交的内容过大",
                f"提交的内容超过 {limit} MB，没有保存。"
                "人选较多时请上传 Excel 或 CSV 文件，或分几份登记。",
            ),
        )
    return _error(request, 400)


def permission_denied(request, exception=None):
    return _error(request, 403)


def csrf_failure(request, reason=""):
    """A form sent from a page opened before the sign-in changed (or long ago). Signed out
    meanwhile, from a page of this site: the sign-in page, keeping what was typed
    (gongxin.platform.resume). Otherwise say so in the frame, in Chinese, instead of Django's
    bare page."""
    from django.urls import reverse

    from gongxin.platform import resume

    user = getattr(request, "user", None)
    if (
        not request.path.startswith("/api/")
        and request.path != reverse("login")
        and not (user is not None and user.is_authenticated)
        and resume.same_site(request)
    ):
        return resume.to_sign_in(request)
    return _error(
        request,
        403,
        said=(
            "页面已过期",
            "打开这个页面之后登录状态有变化（或页面打开太久），为安全起见"
            "刚才的提交没有保存。请返回上一页，刷新后重新填写并提交。",
        ),
    )


def page_not_found(request, exception=None):
    return _error(request, 404)


def service_unavailable(request):
    # No frame: the menu would read the database with the same keys.
    return _error(request, 503, with_frame=False)


def server_error(request):
    # No request context: the frame's menu reads the database, which may be what failed.
    return _error(request, 500, with_frame=False)
