"""The Chinese labels of the trail codes supervision records (gongxin.platform.labels)."""

ACTIONS: dict[str, str] = {}
DETAILS: dict[str, str] = {}

DETAILS |= {
    "remind_date": "提醒日期",
    "units": "单位数",
    "reminded": "有提醒的人数",
    "due_overdue": "已超期（项）",
    "due_today": "今日到期（项）",
    "due_next": "下一工作日到期（项）",
    "no_contact": "延期未记录联系人（项）",
}
ACTIONS |= {
    "supervision.remind": "生成待办提醒",
    "supervision.export_rotation": "导出定期轮换与业务培训名单",
}

# 通报 (gongxin.supervision.report_services)
ACTIONS |= {
    "supervision.report_download": "下载通报草稿",
    "supervision.report_issue": "签发通报",
}
DETAILS |= {"report_kind": "通报类别", "period": "统计期间", "format": "格式",
                           "document_number": "发文字号"}  # fmt: skip

# 服务统计, 全国监督 (gongxin.supervision.statistics_views)
ACTIONS |= {
    "supervision.statistics_export": "导出服务统计",
    "supervision.national_export": "导出全国监督统计",
}
DETAILS |= {
    "period_start": "统计起始日期",
    "period_end": "统计截止日期",
    "units": "单位数",
}
GROUPS = {"supervision": "监督管理"}

# 风险防范措施台账, 紧急应对预案, 电话咨询 (gongxin.supervision.registers, .consultations)
ACTIONS |= {
    "supervision.risk_create": "登记风险点",
    "supervision.risk_edit": "修改风险点",
    "supervision.risk_review": "复核风险点",
    "supervision.risk_revoke": "撤销风险点",
    "supervision.risk_export": "导出风险防范措施台账",
    "supervision.plan_create": "登记应急预案",
    "supervision.plan_edit": "修改应急预案",
    "supervision.plan_drill": "登记应急演练",
    "supervision.plan_export": "导出应急预案及演练记录",
    "supervision.consultation_record": "登记电话咨询",
    "supervision.consultation_follow_up": "登记电话咨询跟进情况",
    "supervision.consultation_export": "导出电话咨询记录",
}
DETAILS |= {
    "owner": "责任人",
    "next_review_on": "下次复核日期",
    "reviewed_on": "复核日期",
    "reviewer": "复核人",
    "next_drill_on": "下次演练日期",
    "held_on": "演练日期",
    "participants": "参加人数",
    "called_on": "来电日期",
    "topic": "咨询事项",
    "follow_up": "需跟进",
    "followed_up_on": "跟进日期",
    "period_start": "起始日期",
    "period_end": "截止日期",
    "open_only": "仅待跟进",
}

# 抽查抽检 (gongxin.supervision.spotchecks)
ACTIONS |= {"supervision.spot_check": "抽查抽检", "supervision.close_finding": "关闭抽查问题"}
DETAILS |= {
    "period": "期间",
    "rate": "抽查比例（%）",
    "population": "可抽查件数",
    "sample": "抽查件数",
    "findings": "发现问题数",
    "finding": "抽查问题",
    "request": "查询需求",
}
