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
GROUPS = {"supervision": "监督管理"}
