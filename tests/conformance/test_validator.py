"""The spec validator that checks the whole suite (tests/_support/spec_validation.py) catches what it should."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests._support.spec_validation import (
    ALLOW_LIST,
    SKIP_REASON,
    SpecValidator,
    Violation,
    spec_available,
    unforgiven,
    validator,
)

pytestmark = pytest.mark.skipif(not spec_available(), reason=SKIP_REASON)

AUTH = {"authorization": "App k"}
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def spec() -> SpecValidator:
    return validator()


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


def _where(violations: list[Violation]) -> list[str]:
    return [v.location for v in violations]


def test_a_conforming_request_has_no_violation(spec: SpecValidator) -> None:
    found = spec.check_request(
        "POST", "/people/2/tags", [], {**AUTH, **JSON}, _body({"name": "VIP"})
    )

    assert found == []


def test_a_missing_required_query_parameter_is_reported(spec: SpecValidator) -> None:
    found = spec.check_request("GET", "/people/3/lists", [("listNames", "a")], AUTH, b"")

    assert _where(found) == ["query.type", "query.identifier"]


def test_a_misspelt_query_parameter_is_reported(spec: SpecValidator) -> None:
    found = spec.check_request("GET", "/people/2/tags", [("pageSize", "5")], AUTH, b"")

    assert _where(found) == ["query.pageSize"]


def test_query_text_is_parsed_by_the_parameter_type(spec: SpecValidator) -> None:
    good = spec.check_request("GET", "/people/3/segments", [("size", "20")], AUTH, b"")
    bad = spec.check_request("GET", "/people/3/segments", [("size", "1001")], AUTH, b"")

    assert good == []
    assert _where(bad) == ["query.size"]


def test_a_missing_required_header_is_reported(spec: SpecValidator) -> None:
    found = spec.check_request("GET", "/people/2/contactInformation/push/r1", [], AUTH, b"")

    assert _where(found) == ["header.AppCode"]


def test_a_body_breaking_the_schema_is_reported_at_its_place(spec: SpecValidator) -> None:
    body = {"people": [{"gender": "X"}]}

    found = spec.check_request("POST", "/people/2/persons/batch", [], {**AUTH, **JSON}, _body(body))

    assert _where(found) == ["body.people[0].gender"]


def test_read_only_required_fields_are_not_required_in_a_request(spec: SpecValidator) -> None:
    # PushApiInstance requires the read-only registrationId and applicationId.
    headers = {**AUTH, **JSON, "appcode": "app"}

    found = spec.check_request(
        "PATCH", "/people/2/contactInformation/push/r1", [], headers, _body({"isPrimary": True})
    )

    assert found == []


def test_custom_attribute_values_may_be_any_json(spec: SpecValidator) -> None:
    body = {"firstName": "Ada", "customAttributes": {"Company": "Acme", "Score": 3}}

    found = spec.check_request("POST", "/people/2/persons", [], {**AUTH, **JSON}, _body(body))

    assert found == []


def test_an_undeclared_status_is_reported(spec: SpecValidator) -> None:
    found = spec.check_response("delete-segment", 200, {}, b"")

    assert [v.message.split(" (")[0] for v in found] == ["status 200 is not declared"]


def test_a_body_where_the_spec_declares_none_is_reported(spec: SpecValidator) -> None:
    found = spec.check_response("delete-segment", 204, JSON, b'""')

    assert _where(found) == ["body"]


def test_a_response_breaking_its_schema_is_reported(spec: SpecValidator) -> None:
    found = spec.check_response("get-a-tag", 200, JSON, _body({"id": "seven", "name": "VIP"}))

    assert _where(found) == ["body.id"]


def test_the_persons_list_is_held_to_the_page_shape(spec: SpecValidator) -> None:
    page = _body({"persons": [{"id": 1}], "limit": 20, "page": 1})

    as_list = spec.check_response("get-a-single-person-or-a-list-of-people", 200, JSON, page)
    as_one = spec.check_response(
        "get-a-single-person-or-a-list-of-people",
        200,
        JSON,
        _body({"id": 1}),
        query=[("identifier", "1"), ("type", "ID")],
    )

    not_a_page = spec.check_response(
        "get-a-single-person-or-a-list-of-people", 200, JSON, _body({"id": 1})
    )

    assert as_list == []
    assert as_one == []
    assert _where(not_a_page) == ["body"]


def test_numeric_v3_error_codes_are_allowed(spec: SpecValidator) -> None:
    body = {"errors": [{"code": 400100, "message": "bad", "index": 0}], "results": []}

    found = spec.check_response("upsert-persons-partial", 207, JSON, _body(body))

    assert found != []  # the spec's schema says string...
    assert unforgiven(found) == []  # ...the allow-list follows docs/fake-semantics.md


def test_a_request_without_credentials_must_get_401(spec: SpecValidator) -> None:
    found = spec.check_response("get-list-of-tags", 200, JSON, b"[]", request_headers={})

    assert _where(found) == ["status"]


def test_every_allowance_says_what_and_why() -> None:
    assert all(a.discrepancy and a.why and "fake-semantics" in a.why for a in ALLOW_LIST)


def test_the_respx_hook_helper_checks_httpx_requests(assert_request_conforms: Any) -> None:
    good = httpx.Request("GET", "https://api.infobip.com/people/2/tags", headers=AUTH)
    bad = httpx.Request("GET", "https://api.infobip.com/people/2/tags?pageSize=5", headers=AUTH)

    assert_request_conforms(good)
    with pytest.raises(AssertionError, match="pageSize"):
        assert_request_conforms(bad)
