"""The workflow of one inquiry request (DESIGN §1), one module per step. Every state change
happens here, through ``actions.act``: one transaction, the request locked, the rule asked
(gongxin.inquiry.rules), the audit event written."""

from gongxin.inquiry.rules import allowed_actions
from gongxin.inquiry.services.appointment import appoint
from gongxin.inquiry.services.candidates import CandidateEdits, edit_candidates
from gongxin.inquiry.services.correction import correct
from gongxin.inquiry.services.draws import supplementary_draw
from gongxin.inquiry.services.extension import ExtensionInput, deadline_status, extend
from gongxin.inquiry.services.identity import candidate_identity, masked_id
from gongxin.inquiry.services.registration import Registration, register, return_request
from gongxin.inquiry.services.review import review
from gongxin.inquiry.services.screening import screen_request, submit
from gongxin.inquiry.services.send_back import send_back
from gongxin.inquiry.services.signing import Sending, issue, result_digest, sign_off
from gongxin.inquiry.services.wording import change_wording

__all__ = [
    "CandidateEdits",
    "ExtensionInput",
    "Registration",
    "Sending",
    "allowed_actions",
    "appoint",
    "candidate_identity",
    "change_wording",
    "correct",
    "deadline_status",
    "edit_candidates",
    "extend",
    "issue",
    "masked_id",
    "register",
    "result_digest",
    "return_request",
    "review",
    "screen_request",
    "send_back",
    "sign_off",
    "submit",
    "supplementary_draw",
]
