"""The Chinese labels of the trail codes supervision records (gongxin.platform.labels)."""

ACTIONS: dict[str, str] = {}
DETAILS: dict[str, str] = {}
GROUPS = {"supervision": "监督管理"}
