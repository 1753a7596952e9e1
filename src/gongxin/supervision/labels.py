"""The Chinese labels of the trail codes supervision records (gongxin.platform.labels)."""

ACTIONS: dict[str, str] = {
    "supervision.report_download": "下载通报草稿",
    "supervision.report_issue": "签发通报",
}
DETAILS: dict[str, str] = {"report_kind": "通报类别", "period": "统计期间", "format": "格式",
                           "document_number": "发文字号"}  # fmt: skip
GROUPS = {"supervision": "监督管理"}
