"""Legacy addressing of one person: ``phone=``, ``email=``, ``externalId=``,
``pushRegistrationId=`` instead of ``identifier=&type=`` (in-process and over HTTP).

The People v2 docs address a person this way; the spec does not declare these parameters, so
every test here is ``nonconforming`` (its responses are still checked against the spec).
"""

from __future__ import annotations

from typing import Any

import pytest

from infobip_profiles.testing._errors import MSG
from tests._support.persons import (
    CONTACTS,
    PERSONS,
    by,
    create,
    emails,
    error_text,
    person_body,
    phones,
    validation_errors,
)
from tests._support.wire import Wire

pytestmark = pytest.mark.nonconforming

LISTS = "/people/3/lists"


@pytest.fixture
def ada(wire: Wire) -> dict[str, Any]:
    return create(
        wire, firstName="Ada", email="ada@example.com", phone="41793026727", externalId="ext-1"
    )


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("email", "ada@example.com"),
        ("email", "ADA@Example.com"),  # email matching ignores case, as with type=EMAIL
        ("phone", "41793026727"),
        ("externalId", "ext-1"),
    ],
)
def test_get_answers_the_person_not_the_list(
    wire: Wire, ada: dict[str, Any], param: str, value: str
) -> None:
    create(wire, firstName="Bob", email="bob@example.com")

    response = wire.get(PERSONS, params={param: value})

    assert response.status_code == 200
    assert response.json() == ada


def test_url_encoded_email_is_decoded(wire: Wire, ada: dict[str, Any]) -> None:
    response = wire.get(PERSONS + "?email=ada%40example.com")

    assert response.status_code == 200
    assert response.json()["id"] == ada["id"]


def test_same_answer_as_identifier_and_type(wire: Wire, ada: dict[str, Any]) -> None:
    legacy = wire.get(PERSONS, params={"externalId": "ext-1"})
    standard = wire.get(PERSONS, params=by("EXTERNAL_ID", "ext-1"))

    assert legacy.status_code == standard.status_code == 200
    assert legacy.json() == standard.json()


def test_push_registration_id_needs_no_sender(wire: Wire) -> None:
    registration = wire.fake.register_device(app_code="app-1")

    response = wire.get(PERSONS, params={"pushRegistrationId": registration})

    assert response.status_code == 200
    push = response.json()["contactInformation"]["push"]
    assert [p["registrationId"] for p in push] == [registration]


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("PUT", {"firstName": "X"}), ("PATCH", {"firstName": "X"}), ("DELETE", None)],
)
def test_absent_person_is_the_same_404(wire: Wire, method: str, body: Any) -> None:
    legacy = wire.request(method, PERSONS, params={"email": "nobody@example.com"}, json=body)
    standard = wire.request(method, PERSONS, params=by("EMAIL", "nobody@example.com"), json=body)

    assert legacy.status_code == standard.status_code == 404
    assert legacy.json() == standard.json()


def test_put_overwrites_the_addressed_person(wire: Wire, ada: dict[str, Any]) -> None:
    body = person_body(firstName="Ada2", email="ada@example.com")

    response = wire.put(PERSONS, params={"email": "ada@example.com"}, json=body)

    assert response.status_code == 200
    assert response.json()["id"] == ada["id"]
    stored = wire.fake.person(ada["id"])
    assert stored["firstName"] == "Ada2"
    assert phones(stored) == []  # PUT overwrites: the phone it did not send is gone


def test_patch_merges_into_the_addressed_person(wire: Wire, ada: dict[str, Any]) -> None:
    response = wire.patch(PERSONS, params={"phone": "41793026727"}, json={"lastName": "L"})

    assert response.status_code == 200
    stored = wire.fake.person(ada["id"])
    assert (stored["firstName"], stored["lastName"]) == ("Ada", "L")


def test_delete_removes_the_addressed_person(wire: Wire, ada: dict[str, Any]) -> None:
    other = create(wire, firstName="Bob", email="bob@example.com")

    response = wire.delete(PERSONS, params={"externalId": "ext-1"})

    assert response.status_code == 200
    assert [p["id"] for p in wire.fake.people()] == [other["id"]]


def test_contact_information_operations(wire: Wire, ada: dict[str, Any]) -> None:
    added = {"contactInformation": {"email": [{"address": "ada2@example.com"}]}}

    response = wire.patch(CONTACTS, params={"externalId": "ext-1"}, json=added)

    assert response.status_code == 200
    assert emails(wire.fake.person(ada["id"])) == ["ada@example.com", "ada2@example.com"]
    response = wire.delete(CONTACTS, params={"email": "ada2@example.com"}, json=added)
    assert response.status_code == 200
    assert emails(wire.fake.person(ada["id"])) == ["ada@example.com"]


def test_append_item_to_custom_attribute(wire: Wire, ada: dict[str, Any]) -> None:
    wire.fake.seed(
        custom_attributes=[
            {"name": "orders", "dataType": "LIST_OF_OBJECTS", "objectSchema": {"sku": "STRING"}}
        ]
    )

    response = wire.post(
        "/people/2/customAttributes/orders/append",
        params={"email": "ada@example.com"},
        json={"sku": "A-1"},
    )

    assert response.status_code == 200
    assert response.json() == [{"sku": "A-1"}]


@pytest.mark.parametrize(
    "params",
    [
        {"email": "ada@example.com", "phone": "41793026727"},
        {"email": "ada@example.com", "identifier": "ext-1"},
        {"email": "ada@example.com", "type": "EMAIL"},
        {"email": "ada@example.com", **by("EMAIL", "ada@example.com")},
        [("email", "ada@example.com"), ("email", "ada@example.com")],
    ],
    ids=["two-legacy", "with-identifier", "with-type", "with-both", "repeated"],
)
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_two_addressings_at_once_are_a_400(
    wire: Wire, ada: dict[str, Any], params: Any, method: str
) -> None:
    body = {"firstName": "X"} if method in ("PUT", "PATCH") else None

    response = wire.request(method, PERSONS, params=params, json=body)

    assert response.status_code == 400
    assert error_text(response) == MSG.ADDRESS_TWICE
    assert "email" in validation_errors(response)
    assert wire.fake.person(ada["id"]) == ada  # nothing changed


def test_empty_legacy_value_is_a_400(wire: Wire) -> None:
    response = wire.get(PERSONS, params={"email": ""})

    assert response.status_code == 400
    assert validation_errors(response) == {"email": [MSG.FIELD_REQUIRED]}


def test_list_without_any_addressing_is_still_a_list(wire: Wire, ada: dict[str, Any]) -> None:
    response = wire.get(PERSONS, params={"limit": "5"})

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["persons"]] == [ada["id"]]


# -- lists v3 --------------------------------------------------------------------------------------


@pytest.fixture
def with_list(wire: Wire, ada: dict[str, Any]) -> dict[str, Any]:
    wire.fake.seed(
        custom_attributes=[
            {"name": "cart", "dataType": "LIST_OF_OBJECTS", "objectSchema": {"sku": "STRING"}}
        ]
    )
    response = wire.post(
        f"{LISTS}/cart/items", params=by("EMAIL", "ada@example.com"), json=[{"sku": "A"}]
    )
    assert response.status_code == 200, response.text
    return ada


def test_lists_accept_legacy_addressing(wire: Wire, with_list: dict[str, Any]) -> None:
    legacy = wire.get(LISTS, params={"listNames": "cart", "email": "ada@example.com"})
    standard = wire.get(LISTS, params={"listNames": "cart", **by("EMAIL", "ada@example.com")})

    assert legacy.status_code == standard.status_code == 200
    assert legacy.json() == standard.json()
    assert [item["sku"] for item in legacy.json()["cart"]] == ["A"]


def test_lists_absent_person_is_the_lists_404(wire: Wire, with_list: dict[str, Any]) -> None:
    response = wire.get(LISTS, params={"listNames": "cart", "externalId": "nobody"})

    assert response.status_code == 404
    assert response.json()["errorCode"] == 300101


def test_lists_two_addressings_are_a_lists_400(wire: Wire, with_list: dict[str, Any]) -> None:
    params = {"listNames": "cart", "email": "ada@example.com", **by("EMAIL", "ada@example.com")}

    response = wire.get(LISTS, params=params)

    assert response.status_code == 400
    assert response.json() == {"errorCode": 400116, "message": MSG.ADDRESS_TWICE}
