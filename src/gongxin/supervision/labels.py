"""The Chinese labels of the trail codes supervision records (gongxin.platform.labels)."""

ACTIONS: dict[str, str] = {
    "supervision.statistics_export": "导出服务统计",
    "supervision.national_export": "导出全国监督统计",
}
DETAILS: dict[str, str] = {
    "period_start": "统计起始日期",
    "period_end": "统计截止日期",
    "units": "单位数",
}
GROUPS = {"supervision": "监督管理"}
