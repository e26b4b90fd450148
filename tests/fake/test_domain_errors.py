"""Engines raise domain errors; the handler boundary renders each in the operation's envelope.

The table below is the contract: every domain error, in every error family, answers with the
status and body the service does. The last tests keep the layering honest: no engine module
imports a wire helper, and a domain error raised by a handler leaves it rendered.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from infobip_profiles._operations import OPERATIONS, ErrorFamily
from infobip_profiles.testing import FakeProfiles, engine
from infobip_profiles.testing._context import Context
from infobip_profiles.testing._errors import MSG, render
from infobip_profiles.testing._router import HANDLERS, handles
from infobip_profiles.testing._wire import NO_BODY, FakeResponse
from infobip_profiles.testing.engine._domain import (
    Conflict,
    DomainError,
    Invalid,
    LimitReached,
    NotFound,
)

#: One operation of each family (none with a family exception).
OPS = {
    ErrorFamily.V2: OPERATIONS["get-a-tag"],
    ErrorFamily.V3: OPERATIONS["merge-persons"],
    ErrorFamily.LISTS: OPERATIONS["get-lists"],
    ErrorFamily.PUSH: OPERATIONS["get-push-device-registration"],
    ErrorFamily.EVENTS_BATCH: OPERATIONS["send-custom-events"],
    ErrorFamily.SEGMENTS: OPERATIONS["get-segment"],
    ErrorFamily.EVENT_DEFINITIONS: OPERATIONS["get-event-definition"],
}


def test_every_family_has_an_operation_in_the_table() -> None:
    assert set(OPS) == set(ErrorFamily)
    assert all(op.errors is family for family, op in OPS.items())


def _person() -> DomainError:
    return NotFound("person", MSG.PERSON_NOT_FOUND)


def _invalid_fields() -> DomainError:
    return Invalid(fields={"name": ["must not be blank", "size must be between 0 and 5"]})


def _invalid_coded() -> DomainError:
    return Invalid("Missing parameter: type", code=400116)


def _conflict() -> DomainError:
    return Conflict("Tag with name a already exists")


def _limit() -> DomainError:
    return LimitReached("Too much in progress")


_V2_FIELDS = {"name": ["must not be blank", "size must be between 0 and 5"]}
_VIOLATIONS = [
    {"property": "name", "violation": "must not be blank"},
    {"property": "name", "violation": "size must be between 0 and 5"},
]

#: (domain error, family) -> (status, body) the service answers with.
CASES: list[tuple[Any, ErrorFamily, int, Any]] = [
    # no such person: each family's own code
    (
        _person,
        ErrorFamily.V2,
        404,
        {
            "requestError": {
                "serviceException": {"messageId": "NOT_FOUND", "text": "Person not found"}
            }
        },
    ),
    (_person, ErrorFamily.V3, 404, {"code": 404100, "message": "Person not found"}),
    (_person, ErrorFamily.LISTS, 404, {"errorCode": 300101, "message": "Person not found"}),
    (_person, ErrorFamily.PUSH, 400, {"errorCode": 48013, "errorMessage": "Person not found"}),
    (
        _person,
        ErrorFamily.SEGMENTS,
        404,
        {
            "errorCode": "E404",
            "description": "Person not found",
            "action": "Check the request and try again.",
            "violations": [],
            "resources": [],
        },
    ),
    (_person, ErrorFamily.EVENT_DEFINITIONS, 404, NO_BODY),
    # invalid fields
    (
        _invalid_fields,
        ErrorFamily.V2,
        400,
        {
            "requestError": {
                "serviceException": {
                    "messageId": "BAD_REQUEST",
                    "text": "Bad request",
                    "validationErrors": _V2_FIELDS,
                }
            }
        },
    ),
    (
        _invalid_fields,
        ErrorFamily.V3,
        400,
        {
            "code": 400100,
            "message": "Validation failed",
            "details": [
                {"property": "name", "message": "must not be blank"},
                {"property": "name", "message": "size must be between 0 and 5"},
            ],
        },
    ),
    (
        _invalid_fields,
        ErrorFamily.SEGMENTS,
        400,
        {
            "errorCode": "E400",
            "description": "Request cannot be processed.",
            "action": "Check the syntax, violations and adjust the request.",
            "violations": _VIOLATIONS,
            "resources": [],
        },
    ),
    (_invalid_fields, ErrorFamily.EVENT_DEFINITIONS, 400, NO_BODY),
    # a numbered refusal: the code where the envelope has room for it, the text everywhere
    (
        _invalid_coded,
        ErrorFamily.V2,
        400,
        {
            "requestError": {
                "serviceException": {"messageId": "BAD_REQUEST", "text": "Missing parameter: type"}
            }
        },
    ),
    (_invalid_coded, ErrorFamily.V3, 400, {"code": 400116, "message": "Missing parameter: type"}),
    (
        _invalid_coded,
        ErrorFamily.LISTS,
        400,
        {"errorCode": 400116, "message": "Missing parameter: type"},
    ),
    (
        _invalid_coded,
        ErrorFamily.PUSH,
        400,
        {"errorCode": 400116, "errorMessage": "Missing parameter: type"},
    ),
    # a conflict
    (
        _conflict,
        ErrorFamily.V2,
        409,
        {
            "requestError": {
                "serviceException": {
                    "messageId": "BAD_REQUEST",
                    "text": "Tag with name a already exists",
                }
            }
        },
    ),
    (_conflict, ErrorFamily.V3, 409, {"code": 409100, "message": "Tag with name a already exists"}),
    (_conflict, ErrorFamily.EVENT_DEFINITIONS, 409, NO_BODY),
    (
        _conflict,
        ErrorFamily.SEGMENTS,
        409,
        {
            "errorCode": "E409",
            "description": "Tag with name a already exists",
            "action": "Check the request and try again.",
            "violations": [],
            "resources": [],
        },
    ),
    # too much in progress
    (
        _limit,
        ErrorFamily.V2,
        429,
        {
            "requestError": {
                "serviceException": {
                    "messageId": "TOO_MANY_REQUESTS",
                    "text": "Too much in progress",
                }
            }
        },
    ),
]


@pytest.mark.parametrize(
    ("make", "family", "status", "body"),
    CASES,
    ids=[f"{make.__name__[1:]}-{family.name}" for make, family, _, _ in CASES],
)
def test_a_domain_error_renders_in_the_family_envelope(
    make: Any, family: ErrorFamily, status: int, body: Any
) -> None:
    response = render(make(), OPS[family]).response

    assert response.status == status
    if body is NO_BODY:
        assert response.body is NO_BODY
    else:
        assert response.json() == body


def test_every_domain_error_renders_in_every_family() -> None:
    for make in (_person, _invalid_fields, _invalid_coded, _conflict, _limit):
        for family, op in OPS.items():
            err = make()
            response = render(err, op).response
            # push and the events batch answer 400 whatever the refusal; the rest, its own status
            fixed = family is ErrorFamily.PUSH or (
                family is ErrorFamily.EVENTS_BATCH and err.status < 429
            )
            assert response.status == (400 if fixed else err.status), (make.__name__, family)
            assert (response.body is NO_BODY) == (family is ErrorFamily.EVENT_DEFINITIONS)


def test_the_events_batch_lists_its_items_under_the_validation_title() -> None:
    items = [{"index": 2, "code": 400506, "message": "internal"}]

    body = render(Invalid(details=items), OPS[ErrorFamily.EVENTS_BATCH]).response.json()

    assert body["status"] == 400
    assert body["title"] == "One or more validation errors occurred."
    assert body["errors"] == items


def test_the_events_batch_answers_an_unknown_person_with_its_own_code() -> None:
    body = render(_person(), OPS[ErrorFamily.EVENTS_BATCH]).response.json()

    assert body["status"] == 400
    assert body["title"] == "Bad Request"
    assert body["errors"] == [
        {"index": -1, "code": "400505", "message": "Person not found", "details": []}
    ]


def test_an_unknown_segment_gets_the_not_found_action() -> None:
    body = render(NotFound("segment", "Segment 7 not found."), OPS[ErrorFamily.SEGMENTS])

    assert body.response.json()["action"] == MSG.SEGMENT_NOT_FOUND_ACTION


def test_sending_one_event_answers_a_400_without_a_body_and_a_404_in_v2() -> None:
    op = OPERATIONS["send-custom-event"]

    assert render(_invalid_fields(), op).response.body is NO_BODY
    not_found = render(NotFound("event definition", "gone"), op).response
    assert not_found.status == 404
    assert not_found.json()["requestError"]["serviceException"]["text"] == "gone"


def test_describe_says_the_text_then_each_field() -> None:
    assert _invalid_fields().describe() == (
        "Bad request name: must not be blank, size must be between 0 and 5"
    )
    assert _conflict().describe() == "Tag with name a already exists"


def test_field_pairs_keep_their_order_and_group_by_field() -> None:
    err = Invalid(fields=[("b", "x"), ("a", "y"), ("b", "z")])

    assert err.violations == (("b", "x"), ("a", "y"), ("b", "z"))
    assert err.fields == {"b": ["x", "z"], "a": ["y"]}


# -- layering ---------------------------------------------------------------------------------

#: What only the wire side may import: the error envelopes, responses, the families.
WIRE_NAMES = {
    "FakeError",
    "FakeResponse",
    "NO_BODY",
    "ErrorFamily",
    "v2_error",
    "v3_error",
    "lists_error",
    "push_error",
    "segments_error",
    "problem_details",
    "no_body_error",
    "error_for_family",
    "render",
}
WIRE_MODULES = {"_errors", "_context", "_router", "_fake", "handlers"}


def _engine_modules() -> list[Path]:
    root = Path(engine.__file__).parent
    return sorted(root.rglob("*.py"))


def test_no_engine_module_imports_a_wire_helper() -> None:
    found = []
    for path in _engine_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = (node.module or "").split(".")
                if WIRE_MODULES & set(module):
                    found.append(f"{path.name}: from {node.module}")
                found.extend(
                    f"{path.name}: {alias.name}" for alias in node.names if alias.name in WIRE_NAMES
                )
    assert len(_engine_modules()) > 10
    assert found == []


def test_a_domain_error_from_a_handler_leaves_the_boundary_rendered(
    wire: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(ctx: Context) -> FakeResponse:
        raise Conflict("already personalized", code=48010)

    monkeypatch.setitem(
        HANDLERS, "get-push-device-registration", HANDLERS["get-push-device-registration"]
    )
    handles("get-push-device-registration")(refuse)

    response = wire.get("/people/2/contactInformation/push/ABC", headers={"AppCode": "app"})

    assert response.status_code == 400
    assert response.json() == {"errorCode": 48010, "errorMessage": "already personalized"}


def test_an_unknown_person_answers_each_family_through_the_fake(wire: Any) -> None:
    v2 = wire.get("/people/2/persons", params={"identifier": "nobody@x.com", "type": "EMAIL"})
    lists = wire.get(
        "/people/3/lists",
        params={"identifier": "nobody@x.com", "type": "EMAIL", "listNames": "Orders"},
    )

    assert v2.status_code == 404
    assert v2.json()["requestError"]["serviceException"]["text"] == MSG.PERSON_NOT_FOUND
    assert lists.status_code == 404
    assert lists.json() == {
        "errorCode": 300101,
        "message": MSG.LIST_PERSON_NOT_FOUND.format(identifier="nobody@x.com"),
    }


def test_engine_refusals_reach_python_callers_as_domain_errors(fake: FakeProfiles) -> None:
    with pytest.raises(NotFound) as caught:
        fake.tenant().persons.require("EMAIL", "nobody@x.com")

    assert caught.value.what == "person"
    assert caught.value.status == 404
