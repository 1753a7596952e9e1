"""The Chinese labels of the trail codes the documents engine records (gongxin.platform.labels)."""

ACTIONS = {
    "letters.export": "导出公文",
    "result.tampered": "结果被改动告警",
}
GROUPS = {"letters": "公文", "result": "结果核验"}
