"""The Chinese labels of the trail codes the registry records (gongxin.platform.labels)."""

ACTIONS = {"lists.import": "导入名单"}
GROUPS = {"lists": "名单库"}
