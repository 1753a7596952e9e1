"""The Chinese labels of the trail codes supervision records (gongxin.platform.labels)."""

ACTIONS: dict[str, str] = {}
DETAILS: dict[str, str] = {}
GROUPS = {"supervision": "监督管理"}

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
