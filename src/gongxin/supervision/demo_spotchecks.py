"""Demo 抽查抽检 for `gongxin demo load`: two spot checks of Beijing's requests issued today, the
first with its finding closed, the second with one still open (on bj-supervisor's 工作台).

The demo issues no wrong result, so one is made here, the way spot checks exist to catch it:
a request taken through the whole workflow (synthetic people, nobody matched), whose issued
result for one candidate is then changed behind the product's back to 列入. Its request page
shows the signed-result warning too: both controls catch the same change. Safe to run twice:
once Beijing has a spot check, nothing is added.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongxin.accounts.models import RequestingAgency, Staff
from gongxin.core.synthetic import Generator
from gongxin.inquiry import services
from gongxin.inquiry.choices import CandidateResult
from gongxin.inquiry.models import Finding as ScreeningFinding
from gongxin.inquiry.models import InquiryRequest
from gongxin.inquiry.queries import last_screening
from gongxin.registry.screening import CandidateInput
from gongxin.supervision import spotchecks
from gongxin.supervision.figures import Period
from gongxin.supervision.models import SpotCheck

LETTER = "演示组函〔{year}〕抽查1号"
CLOSED_BECAUSE = (
    "演示：经核查，该件最后一名人选的查询结果在签发后被改动（数据库中由“未列入”改为“列入”），"
    "与复函不符。已报告安全管理员，复函以签发时的结果为准，并启动更正。"
)


def load_spot_checks(today: dt.date) -> str:
    supervisor = Staff.objects.filter(user__username="bj-supervisor").first()
    if supervisor is None or SpotCheck.objects.filter(unit=supervisor.unit).exists():
        return ""
    with transaction.atomic():
        _planted(today)
        period = Period(today, today)
        first = spotchecks.draw(supervisor, period, 100)
        for item in first.items.filter(agreed=False):
            spotchecks.close_finding(supervisor, item.finding.pk, CLOSED_BECAUSE)
        second = spotchecks.draw(supervisor, period, 100)
    opened = second.items.filter(agreed=False).count()
    return f"演示抽查抽检：2 次（第一次的问题已关闭，第二次 {opened} 个问题待关闭）"


def _planted(today: dt.date) -> InquiryRequest:
    """An issued request of Beijing's whose stored result was altered after signing."""
    letter = LETTER.format(year=today.year)
    existing = InquiryRequest.objects.filter(letter_number=letter).first()
    if existing is not None:
        return existing
    gen = Generator(seed=1010)
    handler = Staff.objects.get(user__username="bj-handler1")
    people = [CandidateInput(i + 2, gen.name(), gen.id_number(), "一级科员") for i in range(3)]
    agency = RequestingAgency.objects.get(name="北京市委组织部")
    reg = services.Registration(agency, letter, today, "recruitment", people)
    req = services.register(handler, reg, today=today)
    services.screen_request(req.handler, req.pk, today=today)
    services.submit(req.handler, req.pk)
    signer = req.participants.get(role="signer").staff
    services.sign_off(signer, req.pk, confirmed=True)
    services.issue(req.handler, req.pk, services.Sending("confidential", today))
    wrong = last_screening(req, 1).findings.order_by("candidate__row").last()
    ScreeningFinding.objects.filter(pk=wrong.pk).update(result=CandidateResult.LISTED)
    return req
