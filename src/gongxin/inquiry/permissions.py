"""The inquiry's routes in the permission map (gongxin.platform.permissions), and its menu.

Each workflow action's routes (page and API) need the role its rule names
(gongxin.inquiry.rules.RULES): the map is derived from the rules, never written beside them.
"""

from gongxin.inquiry.rules import RULES
from gongxin.platform.permissions import BUSINESS, STAFF
from gongxin.platform.roles import Role

API_ACTIONS = {action: action.replace("_", "-") for action in RULES if action != "review"}

ROUTES = {
    "dashboard": STAFF,
    "request_list": BUSINESS,
    "request_new": Role.HANDLER,
    "request_register": BUSINESS,  # 台账: the unit's requests, masked
    "request_search": BUSINESS,  # answers only with requests whose candidates one may see
    "request_detail": BUSINESS,
    "request_result": BUSINESS,
    "request_progress": BUSINESS,
    "request_letter": BUSINESS,
    "request_draft": BUSINESS,  # the drawn signer and the supervisor: rules.draft_refusal
    # 退函 and 办理单: the request's handler and the supervisor (rules.MAY_RETURN_LETTER,
    # sheet_views: the people on the request), checked per request
    "request_return_letter": BUSINESS,
    "request_return_letter_file": BUSINESS,
    "request_sheet": BUSINESS,
    "request_templates": BUSINESS,  # per agency served: the administrators serve none
    "request_template_file": BUSINESS,
    "wording": Role.SYSADMIN,
    "candidate_review": RULES["review"].role,
    **{f"request_{action}": spec.role for action, spec in RULES.items() if action != "review"},
    "api:request-list": BUSINESS,  # list; registration (handlers) is checked by the service
    "api:request-detail": BUSINESS,
    "api:candidate-review": RULES["review"].role,
    "api:agency-list": BUSINESS,
    **{f"api:request-{slug}": RULES[action].role for action, slug in API_ACTIONS.items()},
}

MENU = [
    ("dashboard", "工作台"),
    ("request_list", "查询需求"),
    ("request_new", "登记来文"),
    ("request_templates", "查询需求模板"),
    ("wording", "公文措辞"),
]
