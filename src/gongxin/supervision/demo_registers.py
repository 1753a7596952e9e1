"""Demo records of the risk register, the emergency plans and the consultation log, for the
Beijing demo unit (``gongxin demo load``): a few risk points, one of them past its review date;
a plan with a drill; a dozen calls, two still to follow up. Made through the services (so the
trail has them); a second run finds them and changes nothing."""

from __future__ import annotations

import datetime as dt

from gongxin.accounts.models import RequestingAgency, Staff
from gongxin.supervision import consultations, registers
from gongxin.supervision.register_models import Consultation, EmergencyPlan, RiskPoint

UNIT = "bj"

RISKS = [  # (title, description, owner, measure, months, next review: days from today)
    ("名单库版本滞后", "失信名单未按时更新，查询结果依据过期名单。", "handler1",
     "每个工作日上午核对各名单来源的最新版本，滞后超过1日的报告监督员。", 1, -12),
    ("专机外借或外联", "查询专机被挪作他用或接入互联网，造成数据泄露。", "supervisor",
     "专机登记在册、贴标管理；每月检查网络连接和使用记录。", 3, 20),
    ("复核流于形式", "复核人未逐一核对比对依据即确认结果。", "reviewer1",
     "每月抽查复核记录，复核意见须写明核对的依据。", 6, 75),
]  # fmt: skip
PLAN = ("查询系统故障应急预案", "system", "supervisor",
        "系统不可用时：1. 报告信息中心运维值班；2. 电话告知当日到期的发起查询单位；"
        "3. 恢复后优先办理到期件。", 6)  # fmt: skip
TOPICS = ["progress", "scope", "result", "progress", "other", "scope"]
CALLERS = ["王科长", "刘女士", "陈处长", "张先生", "李科员", "赵女士"]
QUESTIONS = {
    "progress": ("来文办理到哪一步", "已进入复核，预计三个工作日内反馈"),
    "scope": ("事业单位人员调任是否需要查询", "按来文要求的范围办理，调任人选同样查询"),
    "result": ("复函中“被列为失信联合惩戒对象”的含义", "指在查询时点被列入相关名单，附比对依据"),
    "other": ("能否发送电子版复函", "复函以纸质盖章件为准，可同时提供PDF"),
}


def load(today: dt.date) -> str:
    people = {s.user.username.removeprefix(f"{UNIT}-"): s
              for s in Staff.objects.filter(unit__code=UNIT).select_related("user")}  # fmt: skip
    supervisor = people.get("supervisor")
    if supervisor is None:
        return ""
    made = []
    if not RiskPoint.objects.filter(unit_id=supervisor.unit_id).exists():
        for title, description, owner, measure, months, days in RISKS:
            registers.create_risk(supervisor, registers.RiskInput(
                title, description, people[owner], measure, months,
                today + dt.timedelta(days=days)))  # fmt: skip
        made.append(f"风险点 {len(RISKS)} 个（1 个复核逾期）")
    if not EmergencyPlan.objects.filter(unit_id=supervisor.unit_id).exists():
        title, scenario, owner, measures, months = PLAN
        plan = registers.create_plan(supervisor, registers.PlanInput(
            title, scenario, people[owner], measures, months, today))  # fmt: skip
        registers.record_drill(supervisor, plan.pk, registers.DrillInput(
            today - dt.timedelta(days=30),
            (people["handler1"], people["handler2"], people["reviewer1"], supervisor),
            "模拟系统中断40分钟，按预案告知2家发起查询单位，恢复后当日办结到期件。",
            "值班电话表未及时更新。", "每季度更新值班电话表。",
        ))  # fmt: skip
        made.append("应急预案 1 个（含演练 1 次）")
    if not Consultation.objects.filter(unit_id=supervisor.unit_id).exists():
        agencies = list(RequestingAgency.objects.filter(unit_id=supervisor.unit_id))
        for n in range(12):
            topic = TOPICS[n % len(TOPICS)]
            question, answer = QUESTIONS[topic]
            agency = agencies[n % len(agencies)] if agencies and n % 4 else None
            consultations.record_call(people[("handler1", "handler2", "supervisor")[n % 3]],
                                      consultations.CallInput(
                agency, "" if agency else "某区人力资源和社会保障局", CALLERS[n % len(CALLERS)],
                today - dt.timedelta(days=5 * n), dt.time(9 + n % 8, 15 * (n % 4)), topic,
                question, answer, follow_up=n in (0, 3),
            ))  # fmt: skip
        made.append("电话咨询 12 次（2 次待跟进）")
    return "监督管理演示：" + "、".join(made) if made else ""
