"""Listing persons: filter, orderBy, 1-based paging, includeTotalCount."""

from __future__ import annotations

import json

import pytest

from tests._support.persons import PERSONS, create, validation_errors
from tests._support.wire import Wire


def names(response) -> list[str]:
    return [p.get("firstName") for p in response.json()["persons"]]


def three(wire: Wire) -> None:
    create(wire, externalId="1", firstName="Cleo", lastName="Alpha", tags=["vip"])
    wire.fake.clock.advance(1)
    create(wire, externalId="2", firstName="Ada", lastName="Charlie")
    wire.fake.clock.advance(1)
    create(wire, externalId="3", firstName="Bob", lastName="Bravo", tags=["vip"])


def test_list_without_identifier_wraps_persons(wire: Wire) -> None:
    three(wire)

    response = wire.get(PERSONS)

    assert response.status_code == 200
    body = response.json()
    assert names(response) == ["Cleo", "Ada", "Bob"]
    assert body["limit"] == 20
    assert body["page"] == 1
    assert "totalCount" not in body


def test_total_count_on_request(wire: Wire) -> None:
    three(wire)

    body = wire.get(PERSONS, params={"includeTotalCount": "true", "limit": "1"}).json()

    assert body["totalCount"] == 3
    assert len(body["persons"]) == 1


def test_pages_are_one_based(wire: Wire) -> None:
    three(wire)

    response = wire.get(PERSONS, params={"page": "2", "limit": "2"})

    assert names(response) == ["Bob"]


def test_page_past_the_end_is_empty(wire: Wire) -> None:
    three(wire)

    assert names(wire.get(PERSONS, params={"page": "3", "limit": "2"})) == []


@pytest.mark.nonconforming
@pytest.mark.parametrize(
    "params",
    [
        {"limit": "1001"},
        {"limit": "0"},
        {"page": "0"},
        {"page": "2147483648"},  # past int32, as the spec types it
        {"page": ""},
        {"limit": "1_0"},
        {"limit": " 5"},
    ],
)
def test_out_of_range_paging_is_400(wire: Wire, params) -> None:
    response = wire.get(PERSONS, params=params)

    assert response.status_code == 400
    assert set(validation_errors(response)) == set(params)


@pytest.mark.nonconforming
@pytest.mark.parametrize("value", ["", "yes", "1"])
def test_include_total_count_that_is_not_a_boolean_is_400(wire: Wire, value: str) -> None:
    response = wire.get(PERSONS, params={"includeTotalCount": value})

    assert response.status_code == 400
    assert validation_errors(response) == {"includeTotalCount": ["must be true or false"]}


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ("firstName:asc", ["Ada", "Bob", "Cleo"]),
        ("firstName:desc", ["Cleo", "Bob", "Ada"]),
        ("lastName:asc", ["Cleo", "Bob", "Ada"]),
        ("createdAt:desc", ["Bob", "Ada", "Cleo"]),
    ],
)
def test_order_by(wire: Wire, order_by: str, expected: list[str]) -> None:
    three(wire)

    response = wire.get(PERSONS, params={"orderBy": order_by})

    assert names(response) == expected
    assert response.json()["orderBy"] == order_by


def test_order_by_modified_at_follows_edits(wire: Wire) -> None:
    three(wire)
    wire.fake.clock.advance(5)
    wire.patch(PERSONS, params={"type": "EXTERNAL_ID", "identifier": "1"}, json={"city": "Rome"})

    response = wire.get(PERSONS, params={"orderBy": "modifiedAt:desc"})

    assert names(response)[0] == "Cleo"


def test_unknown_order_field_is_400(wire: Wire) -> None:
    assert wire.get(PERSONS, params={"orderBy": "city:asc"}).status_code == 400


def test_filter_by_equality(wire: Wire) -> None:
    three(wire)

    response = wire.get(PERSONS, params={"filter": json.dumps({"firstName": "Ada"})})

    assert names(response) == ["Ada"]


def test_filter_by_tag(wire: Wire) -> None:
    three(wire)

    response = wire.get(PERSONS, params={"filter": json.dumps({"#contains": {"tags": "vip"}})})

    assert names(response) == ["Cleo", "Bob"]


def test_filter_with_or_and_total(wire: Wire) -> None:
    three(wire)
    query = {"#or": [{"firstName": "Ada"}, {"#startsWith": {"lastName": "Br"}}]}

    body = wire.get(
        PERSONS, params={"filter": json.dumps(query), "includeTotalCount": "true"}
    ).json()

    assert [p["firstName"] for p in body["persons"]] == ["Ada", "Bob"]
    assert body["totalCount"] == 2


def test_filter_on_custom_attribute(wire: Wire) -> None:
    wire.fake.seed(custom_attributes=[{"name": "score", "dataType": "INTEGER"}])
    create(wire, externalId="1", firstName="Low", customAttributes={"score": 1})
    create(wire, externalId="2", firstName="High", customAttributes={"score": 9})

    response = wire.get(PERSONS, params={"filter": json.dumps({"#gt": {"score": 5}})})

    assert names(response) == ["High"]


def test_filter_by_email_ignores_case(wire: Wire) -> None:
    create(wire, firstName="Ada", email="Ada@X.com")

    response = wire.get(PERSONS, params={"filter": json.dumps({"email": "ada@x.com"})})

    assert names(response) == ["Ada"]


@pytest.mark.parametrize("bad", ["{not json", '{"#nope": {"firstName": "x"}}', '{"shoe": 1}'])
def test_bad_filter_is_400(wire: Wire, bad: str) -> None:
    response = wire.get(PERSONS, params={"filter": bad})

    assert response.status_code == 400
    assert response.json()["requestError"]["serviceException"]["text"].startswith("Invalid filter")


def test_filter_and_order_and_paging_combine(wire: Wire) -> None:
    three(wire)
    query = json.dumps({"#contains": {"tags": "vip"}})

    response = wire.get(
        PERSONS, params={"filter": query, "orderBy": "firstName:asc", "limit": "1", "page": "2"}
    )

    assert names(response) == ["Cleo"]


@pytest.mark.parametrize("depth", [65, 3000])
def test_a_filter_nested_too_deeply_is_400_not_a_crash(wire: Wire, depth: int) -> None:
    # 65: past the fake's limit; 3000: past what Python's JSON decoder can follow at all.
    nested = '{"#and":[' * depth + "]}" * depth if depth < 100 else "[" * depth + "]" * depth

    response = wire.get(PERSONS, params={"filter": nested})

    assert response.status_code == 400
    assert set(response.json()["requestError"]["serviceException"]) >= {"messageId", "text"}
