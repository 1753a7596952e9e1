"""The Chinese labels of the trail codes the inquiry product records (gongxin.platform.labels).
A request's 办理记录 (gongxin.inquiry.history) reads the same labels."""

ACTIONS = {
    "request.register": "登记来文",
    "request.assign": "随机抽取经办人",
    "request.return": "退回",
    "request.screen": "查询比对",
    "request.submit": "提交",
    "request.draw_reviewer": "随机抽取复核人",
    "request.review": "复核",
    "request.reviewed": "复核完成",
    "request.assign_signer": "随机抽取签发人",
    "request.draw": "补抽",
    "request.appoint": "指派经办人",
    "request.export_register": "导出台账",
    "request.sign_off": "签发",
    "request.send_back": "退回复核",
    "request.view_draft": "查看复函草稿",
    "request.issue": "反馈",
    "request.extend": "延期或超期说明",
    "request.correct": "更正",
    "request.edit_candidates": "修改人选",
    "request.purge": "按保存期限清除人选信息",
    "request.view_candidates": "查看人选名单",
    "request.view_result": "查看查询结果",
    "request.search_person": "按人选查找查询需求",
    "letter.download": "下载复函",
    "letter.return_letter": "生成退回函",
    "request.view_sheet": "查看办理单",
    "wording.change": "修改公文措辞",
}
# Detail keys the inquiry alone records.
DETAILS = {"send_back": "退回复核记录", "reviews": "复核意见数"}
GROUPS = {"request": "查询需求办理", "letter": "复函", "wording": "公文措辞"}
