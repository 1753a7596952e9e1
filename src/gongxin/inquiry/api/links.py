"""The inquiry's workflow as OpenAPI links (added to the schema by gongxin.api.schema): what a
client follows from one answer to the next request, and what schemathesis' stateful tests
follow: agencies → register → screen → submit → review → sign-off → issue → correct. (补抽 is
not linked: a client calls it when a request's actions list "draw".)

(source operationId, status) → {link name: (target operationId, parameters, request body)}.
A request body is an object with runtime expressions inside; a position that does not exist
(the third candidate of a request with two) leaves its link unfollowed.
"""

BY_ID = "$response.body#/id"
REQUEST = "$response.body#/request/id"  # a RequestDetail answer

LINKS: dict[tuple[str, str], dict[str, tuple[str, dict, object]]] = {
    ("v1_agencies_list", "200"): {
        "RegisterForAgency": ("v1_requests_create", {}, {"agency": "$response.body#/0/id"}),
    },
    ("v1_requests_create", "201"): {
        "GetRequest": ("v1_requests_retrieve", {"path.id": BY_ID}, None),
        "ScreenRequest": ("v1_requests_screen_create", {"path.id": BY_ID}, None),
        "ReturnRequest": ("v1_requests_return_create", {"path.id": BY_ID}, None),
    },
    ("v1_requests_screen_create", "200"): {
        "SubmitScreening": ("v1_requests_submit_create", {"path.id": REQUEST}, None),
        "ExtendScreened": ("v1_requests_extend_create", {"path.id": REQUEST}, None),
    },
    ("v1_requests_submit_create", "200"): {
        **{
            f"ReviewCandidate{i + 1}": (
                "v1_candidates_review_create", {"path.id": f"$response.body#/candidates/{i}/id"},
                None,
            )
            for i in range(3)
        },
        "SignOffWithoutMatches": ("v1_requests_sign_off_create", {"path.id": REQUEST}, None),
    },
    ("v1_candidates_review_create", "200"): {
        "ReviewAgain": ("v1_candidates_review_create", {"path.id": BY_ID}, None),
        "SignOffReviewed": (
            "v1_requests_sign_off_create", {"path.id": "$response.body#/request"}, None,
        ),
    },
    **{  # 202: handed to the worker (by default every 签发); 反馈 once its job is done
        ("v1_requests_sign_off_create", status): {
            "IssueSigned": ("v1_requests_issue_create", {"path.id": REQUEST}, None),
        }
        for status in ("200", "202")
    },
    ("v1_requests_issue_create", "200"): {
        "CorrectIssued": ("v1_requests_correct_create", {"path.id": REQUEST}, None),
        "GetIssued": ("v1_requests_retrieve", {"path.id": REQUEST}, None),
    },
    ("v1_requests_correct_create", "200"): {
        "ScreenAgain": ("v1_requests_screen_create", {"path.id": REQUEST}, None),
    },
}  # fmt: skip
