"""The v2 batch calls: create, update and delete up to 1000 persons (edge case 4)."""

from __future__ import annotations

import pytest

from tests._support.persons import BATCH, MATCH, by, create, fetch, person_body, validation_errors
from tests._support.wire import Wire


def query(ident: str) -> dict:
    return {"type": "EXTERNAL_ID", "identifier": ident}


# -- create ----------------------------------------------------------------------------------------


def test_batch_create_all_ok_is_200_with_no_results(wire: Wire) -> None:
    response = wire.post(
        BATCH, json={"people": [person_body(externalId="a"), person_body(externalId="b")]}
    )

    assert response.status_code == 200
    assert response.json() == {"results": []}
    assert len(wire.fake.people()) == 2


def test_batch_create_lists_only_failures_with_207(wire: Wire) -> None:
    create(wire, externalId="taken")

    response = wire.post(
        BATCH,
        json={"people": [person_body(externalId="a"), person_body(externalId="taken")]},
    )

    assert response.status_code == 207
    assert response.json() == {
        "results": [
            {
                "index": 1,
                "status": 409,
                "errors": [{"message": "Destination(externalId) taken already exists."}],
            }
        ]
    }


def test_batch_create_items_apply_in_order(wire: Wire) -> None:
    response = wire.post(
        BATCH,
        json={"people": [person_body(externalId="a"), person_body(externalId="a")]},
    )

    assert [r["index"] for r in response.json()["results"]] == [1]
    assert len(wire.fake.people()) == 1


@pytest.mark.nonconforming
def test_batch_create_invalid_item_fails_alone(wire: Wire) -> None:
    response = wire.post(
        BATCH,
        json={"people": [person_body(externalId="a", gender="X"), person_body(externalId="b")]},
    )

    assert response.status_code == 207
    assert response.json()["results"][0]["index"] == 0
    assert [p["externalId"] for p in wire.fake.people()] == ["b"]


@pytest.mark.nonconforming
def test_more_than_1000_items_is_400(wire: Wire) -> None:
    people = [person_body(externalId=str(i)) for i in range(1001)]

    response = wire.post(BATCH, json={"people": people})

    assert response.status_code == 400
    assert "people" in validation_errors(response)
    assert wire.fake.people() == ()


# -- update ----------------------------------------------------------------------------------------


def test_batch_update_patches_each_person(wire: Wire) -> None:
    create(wire, externalId="a", firstName="Ada")
    create(wire, externalId="b", firstName="Bob")

    response = wire.patch(
        BATCH,
        json={
            "people": [
                {"query": query("a"), "update": {"lastName": "Lovelace"}},
                {"query": query("b"), "update": {"lastName": "Builder"}},
            ]
        },
    )

    assert response.status_code == 200
    assert fetch(wire, "EXTERNAL_ID", "a").json()["lastName"] == "Lovelace"
    assert fetch(wire, "EXTERNAL_ID", "a").json()["firstName"] == "Ada"
    assert fetch(wire, "EXTERNAL_ID", "b").json()["lastName"] == "Builder"


def test_batch_update_unmatched_query_is_a_409_item(wire: Wire) -> None:
    create(wire, externalId="a")

    response = wire.patch(
        BATCH,
        json={
            "people": [
                {"query": query("a"), "update": {"firstName": "Ada"}},
                {"query": query("nobody"), "update": {"firstName": "X"}},
            ]
        },
    )

    assert response.status_code == 207
    assert response.json()["results"] == [
        {
            "query": query("nobody"),
            "status": 409,
            "errors": [{"message": "There is no person matching the query"}],
            "isModified": False,
        }
    ]
    assert fetch(wire, "EXTERNAL_ID", "a").json()["firstName"] == "Ada"


# -- delete ----------------------------------------------------------------------------------------


def test_batch_delete_removes_matched_and_reports_unmatched(wire: Wire) -> None:
    create(wire, externalId="a")

    response = wire.delete(BATCH, json={"people": [{"query": query("a")}, {"query": query("z")}]})

    assert response.status_code == 207
    assert [r["query"] for r in response.json()["results"]] == [query("z")]
    assert wire.fake.people() == ()


def test_batch_delete_all_ok_is_200(wire: Wire) -> None:
    create(wire, externalId="a")

    response = wire.delete(BATCH, json={"people": [{"query": query("a")}]})

    assert response.status_code == 200
    assert response.json() == {"results": []}


# -- match -----------------------------------------------------------------------------------------


def test_match_returns_ids_of_matched_identities_only(wire: Wire) -> None:
    ada = create(wire, externalId="a", email="ada@example.com")

    response = wire.post(
        MATCH,
        json={
            "identities": [
                {"type": "EMAIL", "identifier": "ADA@example.com"},
                {"type": "EXTERNAL_ID", "identifier": "nobody"},
            ]
        },
    )

    assert response.status_code == 200
    assert response.json() == {
        "matches": [{"type": "EMAIL", "identifier": "ADA@example.com", "personId": ada["id"]}]
    }


def test_match_collapses_duplicates(wire: Wire) -> None:
    create(wire, externalId="a")
    identity = {"type": "EXTERNAL_ID", "identifier": "a"}

    response = wire.post(MATCH, json={"identities": [identity, identity]})

    assert len(response.json()["matches"]) == 1


def test_match_with_nothing_matched_is_200_and_empty(wire: Wire) -> None:
    response = wire.post(
        MATCH, json={"identities": [{"type": "EXTERNAL_ID", "identifier": "nobody"}]}
    )

    assert response.status_code == 200
    assert response.json() == {"matches": []}
    assert by("ID", "1")  # the helper stays importable for the other tests


# -- invalid items refuse the whole request (docs/fake-semantics.md) ------------------------------
# The 207 result echoes a failed item's query, which the spec types as an object: an item without
# a usable query cannot be reported there, so the request is refused and nothing is applied.


def test_batch_update_item_without_a_query_is_a_400_that_changes_nothing(wire: Wire) -> None:
    create(wire, externalId="a", firstName="Ann")

    response = wire.patch(
        BATCH,
        json={
            "people": [
                {"query": query("a"), "update": {"firstName": "Ada"}},
                {"update": {"firstName": "X"}},
            ]
        },
    )

    assert response.status_code == 400
    assert validation_errors(response) == {"people[1].query": ["must not be null"]}
    assert fetch(wire, "EXTERNAL_ID", "a").json()["firstName"] == "Ann"


def test_batch_delete_item_without_a_query_is_a_400_that_changes_nothing(wire: Wire) -> None:
    create(wire, externalId="a")

    response = wire.delete(BATCH, json={"people": [{"query": query("a")}, {}]})

    assert response.status_code == 400
    assert validation_errors(response) == {"people[1].query": ["must not be null"]}
    assert len(wire.fake.people()) == 1


@pytest.mark.nonconforming
@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"query": "a"}, "people[0].query"),
        ({"query": {"type": "EXTERNAL_ID", "identifier": 7}}, "people[0].query.identifier"),
        ({"query": {"type": "NICKNAME", "identifier": "a"}}, "people[0].query.type"),
        ({"query": {"type": "PUSH", "identifier": "a", "sender": ["x"]}}, "people[0].query.sender"),
        (5, "people[0]"),
    ],
)
def test_batch_delete_item_with_a_query_the_spec_forbids_is_a_400(
    wire: Wire, item: object, field: str
) -> None:
    create(wire, externalId="a")

    response = wire.delete(BATCH, json={"people": [item]})

    assert response.status_code == 400
    assert list(validation_errors(response)) == [field]
    assert len(wire.fake.people()) == 1


@pytest.mark.nonconforming
def test_match_with_a_non_string_sender_is_a_400(wire: Wire) -> None:
    response = wire.post(
        MATCH,
        json={"identities": [{"type": "WHATSAPP", "identifier": "385911", "sender": ["x"]}]},
    )

    assert response.status_code == 400
    assert validation_errors(response) == {"identities[0].sender": ["must be a string"]}


@pytest.mark.nonconforming
def test_match_with_an_unknown_type_is_a_400(wire: Wire) -> None:
    create(wire, externalId="a")

    response = wire.post(MATCH, json={"identities": [{"type": "NICKNAME", "identifier": "a"}]})

    assert response.status_code == 400
    assert list(validation_errors(response)) == ["identities[0].type"]


@pytest.mark.nonconforming
def test_match_with_an_empty_identity_is_a_400_naming_both_fields(wire: Wire) -> None:
    response = wire.post(MATCH, json={"identities": [{}]})

    assert response.status_code == 400
    assert validation_errors(response) == {
        "identities[0].identifier": ["must not be blank"],
        "identities[0].type": ["must not be blank"],
    }


def test_match_of_a_channel_type_without_sender_is_a_400(wire: Wire) -> None:
    response = wire.post(MATCH, json={"identities": [{"type": "WHATSAPP", "identifier": "385911"}]})

    assert response.status_code == 400
    assert validation_errors(response) == {
        "identities[0].sender": ["sender is required for type WHATSAPP"]
    }
