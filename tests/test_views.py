"""Pages as staff use them, through Django's test client: scope, errors, the whole flow."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from gongxin.audit.models import AuditEvent
from gongxin.core import clock
from gongxin.inquiry.models import InquiryRequest
from gongxin.platform.models import CalendarYear
from tests.factories import LI, ZHANG, signed_in

pytestmark = pytest.mark.django_db


def login(client, staff):
    signed_in(client, staff.user)
    return client


def test_anonymous_is_sent_to_login(client):
    response = client.get("/requests/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert "登录" in client.get("/login/").content.decode()


def test_register_by_form_with_typed_candidates(client, world):
    login(client, world.handler)
    response = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕88号",
        "received_on": clock.today().isoformat(), "kind": "recruitment",
        "candidates_text": f"张三,{ZHANG[1]},科员\n李四，{LI[1]}，一级科员",
    }, follow=True)  # fmt: skip
    page = response.content.decode()
    assert "已登记，随机抽取的经办人为 handler" in page
    assert "110105********002X" in page and ZHANG[1] not in page
    req = InquiryRequest.objects.get()
    assert req.candidates.count() == 2


def test_register_errors_are_summarised_and_nothing_is_saved(client, world):
    login(client, world.handler)
    response = client.post("/requests/new/", {
        "agency": "", "letter_number": "", "received_on": "", "kind": "",
        "candidates_text": f"张三,{ZHANG[1]}\n李四,440524188001010015",
    })  # fmt: skip
    page = response.content.decode()
    assert "提交的内容有 5 处问题，未保存" in page
    assert '<a href="#发起查询单位">「发起查询单位」：请选择发起查询单位</a>' in page
    assert '<a href="#人选">第2行「公民身份号码」：校验码不正确</a>' in page
    assert "440524188001010015" not in page.split("error-summary")[1].split("</div>")[0]
    assert InquiryRequest.objects.count() == 0


def test_register_from_an_xlsx_upload(client, world):
    login(client, world.handler)
    book = Workbook()
    book.active.append(["姓名", "公民身份号码", "拟录用职位"])
    book.active.append(["张三", ZHANG[1], "科员"])
    data = io.BytesIO()
    book.save(data)
    data.name = "人选.xlsx"
    data.seek(0)
    response = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕89号",
        "received_on": clock.today().isoformat(), "kind": "transfer",
        "candidates_file": data,
    }, follow=True)  # fmt: skip
    assert response.status_code == 200
    assert InquiryRequest.objects.get().candidates.get().position == "科员"


def test_a_refused_candidate_upload_keeps_nothing_of_its_cells(client, world):
    """Bad cells of an uploaded candidate table (a name in the number column, a number with
    a wrong check character) are reported by row and column; nothing of them is stored, and
    the temporary copy of the file is gone."""
    from django.conf import settings

    from tests.factories import stored_bytes

    name, number = "欧阳明月", "110105199003070011"
    book = Workbook()
    book.active.append(["姓名", "公民身份号码", "拟录用职位"])
    book.active.append([name, number, "科员"])
    book.active.append(["110105199003070019", name, "科员"])
    data = io.BytesIO()
    book.save(data)
    data.name = "人选.xlsx"
    data.seek(0)
    login(client, world.handler)
    page = client.post("/requests/new/", {
        "agency": world.agency.pk, "letter_number": "京组函〔2026〕90号",
        "received_on": clock.today().isoformat(), "kind": "transfer", "candidates_file": data,
    }).content.decode()  # fmt: skip
    assert "第2行「公民身份号码」：校验码不正确" in page
    assert InquiryRequest.objects.count() == 0
    everything = stored_bytes()
    for secret in (name, number, "110105199003070019"):
        assert secret.encode() not in everything
    assert list(settings.UPLOAD_DIR.iterdir()) == []


def test_candidates_only_for_people_on_the_request_and_views_are_audited(client, world):
    req = world.register()
    url = reverse("request_detail", args=[req.pk])
    page = login(client, world.reviewer_a).get(url).content.decode()
    assert "人选信息仅本件的经办人、复核人、签发人和监督员可见" in page
    assert "张三" not in page
    page = login(client, world.supervisor).get(url).content.decode()
    assert "张三" in page and "110105********002X" in page
    page = login(client, world.handler).get(url).content.decode()
    assert "张三" in page
    views = AuditEvent.objects.filter(action="request.view_candidates", object_id=str(req.pk))
    assert sorted(views.values_list("actor", flat=True)) == ["handler", "supervisor"]


def test_other_units_requests_are_404(client, world):
    req = world.register()
    login(client, world.outsider)
    for url in (f"/requests/{req.pk}/", f"/requests/{req.pk}/result/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/requests/{req.pk}/screen/").status_code == 404
    assert "京组函" not in client.get("/requests/").content.decode()
    req.refresh_from_db()
    assert req.state == "assigned"


def test_whole_flow_through_the_pages(client, world):
    req = world.register(people=[ZHANG], received_on=clock.today(), today=clock.today())
    login(client, world.handler)
    client.post(f"/requests/{req.pk}/screen/")
    page = client.post(f"/requests/{req.pk}/submit/", follow=True).content.decode()
    assert "已提交" in page
    zhang = req.candidates.get()
    for reviewer in (world.reviewer_a, world.reviewer_b):
        login(client, reviewer)
        page = client.get(f"/requests/{req.pk}/").content.decode()
        assert "失信被执行人" in page and "北京市朝阳区人民法院" in page
        client.post(f"/candidates/{zhang.pk}/review/", {"decision": "confirm", "reason": "一致"})
    login(client, world.signer)
    page = client.post(f"/requests/{req.pk}/sign_off/", {"confirm": "yes"},
                       follow=True).content.decode()  # fmt: skip
    assert "已签发，结果已固定" in page
    result = client.get(f"/requests/{req.pk}/result/").content.decode()
    assert "被依法列为失信联合惩戒对象" in result and "110105********002X" in result
    assert "北京市朝阳区人民法院" not in result  # nothing but the result
    login(client, world.handler)
    client.post(
        f"/requests/{req.pk}/issue/",
        {"send-method": "confidential", "send-sent_on": clock.today().isoformat()},
    )
    req.refresh_from_db()
    assert req.state == "issued"


def test_refused_action_shows_the_reason(client, world):
    req = world.register()
    login(client, world.signer)
    page = client.post(f"/requests/{req.pk}/sign_off/", follow=True).content.decode()
    assert "本件当前状态为「已分派」，不能签发" in page


def test_dashboard_lists_due_today_and_overdue(client, world):
    today = clock.today()
    InquiryRequest.objects.all().delete()
    due = world.register(received_on=today, today=today)
    InquiryRequest.objects.filter(pk=due.pk).update(deadline=today)
    late = world.register(received_on=today, today=today)
    InquiryRequest.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=1))
    page = login(client, world.handler).get("/").content.decode()
    assert "今日到期（1）" in page and "已超期（1）" in page and "我的待办（2）" in page


def test_sysadmin_enters_a_year_and_others_cannot(client, world):
    from tests.factories import make_staff

    assert login(client, world.handler).get("/calendar/").status_code == 404
    form = {"year": 2027, "holidays": "2027-01-01\n2027年2月6日", "workdays": "2027-01-02"}
    # A province's administrator sees the years but does not change the country's calendar.
    login(client, make_staff(world.bj, "bj-sysadmin", "sysadmin"))
    seen = client.get("/calendar/").content.decode()
    assert "由国家公共信用信息中心的系统管理员维护" in seen and 'name="holidays"' not in seen
    refused = client.post("/calendar/", form).content.decode()
    assert "由国家公共信用信息中心的系统管理员维护" in refused
    assert not CalendarYear.objects.filter(year=2027).exists()
    admin = make_staff(world.national, "sysadmin", "sysadmin")
    login(client, admin)
    page = client.post("/calendar/", form, follow=True).content.decode()
    assert "2027 年节假日安排已保存" in page
    bad = client.post("/calendar/", {"year": 2027, "holidays": "2027-02-30"}).content.decode()
    assert "日期不存在" in bad


def test_a_page_a_clerk_reaches_by_a_link_or_after_signing_in_again_is_not_a_dead_end(world):
    """The sign-in page sends a clerk back to the action they pressed (a GET): they land on
    the request, not on an empty 405; a form from a page opened before signing in again gets
    a Chinese page in the frame, not Django's."""
    from django.test import Client

    req = world.register(people=[ZHANG])
    client = login(Client(), world.handler)
    back = client.get(f"/requests/{req.pk}/screen/", follow=True)
    assert back.redirect_chain == [(f"/requests/{req.pk}/", 302)]
    assert "请在本页点击按钮办理" in back.content.decode()
    assert InquiryRequest.objects.get(pk=req.pk).state == "assigned"  # nothing was done
    strict = login(Client(enforce_csrf_checks=True), world.handler)
    stale = strict.post(f"/requests/{req.pk}/screen/")
    page = stale.content.decode()
    assert stale.status_code == 403 and "页面已过期" in page and "工作台" in page  # in the frame


def test_a_reviewer_returns_to_the_candidate_just_reviewed(client, world):
    req = world.register(people=[LI, ZHANG])
    login(client, world.handler)
    client.post(f"/requests/{req.pk}/screen/")
    client.post(f"/requests/{req.pk}/submit/")
    page = client.get(f"/requests/{req.pk}/").content.decode()
    assert "人选（2）" in page  # the heading counts the rows it shows
    zhang = req.candidates.get(row=2)
    login(client, world.reviewer_a)
    answer = client.post(
        f"/candidates/{zhang.pk}/review/", {"decision": "confirm", "reason": "一致"}
    )
    assert answer["Location"] == f"/requests/{req.pk}/#candidate-2"


def test_the_request_page_says_who_can_no_longer_act_and_whom_a_draw_brought(client, world):
    from gongxin.accounts.models import Staff
    from tests.factories import make_staff

    req = world.register(people=[LI])
    login(client, world.handler)
    client.post(f"/requests/{req.pk}/screen/")
    client.post(f"/requests/{req.pk}/submit/")  # no match: the signer is drawn
    Staff.objects.filter(pk=world.signer.pk).update(active=False)
    make_staff(world.bj, "signer2", "signer")
    page = client.get(f"/requests/{req.pk}/").content.decode()
    assert 'signer <span class="tag overdue">已不能办理：账号已停用，不能办理</span>' in page
    assert "待补抽签发人 1 名（原签发人signer：账号已停用，不能办理）" in page
    dashboard = client.get("/").content.decode()  # on the handler's list, with what it waits for
    assert "待补抽签发人 1 名" in dashboard.split("我的待办")[1]
    done = client.post(f"/requests/{req.pk}/draw/", follow=True).content.decode()
    assert "已补抽：签发人signer2" in done
