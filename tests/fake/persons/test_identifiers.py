"""Looking persons up by every identifier type, and the uniqueness of identifiers (edge case 2)."""

from __future__ import annotations

import pytest

from infobip_profiles._operations import OPERATIONS, ErrorFamily
from infobip_profiles.testing import FakeProfiles
from infobip_profiles.testing._errors import refusal
from infobip_profiles.testing.engine._domain import NotFound
from tests._support.persons import (
    PERSONS,
    by,
    create,
    error_text,
    fetch,
    person_body,
    validation_errors,
)
from tests._support.wire import Wire


def test_email_lookup_ignores_case(wire: Wire) -> None:
    created = create(wire, email="Jane@Example.com")

    assert fetch(wire, "EMAIL", "jane@example.COM").json()["id"] == created["id"]


def test_phone_lookup(wire: Wire) -> None:
    created = create(wire, phone="41793026727")

    assert fetch(wire, "PHONE", "41793026727").json()["id"] == created["id"]


@pytest.mark.parametrize("identifier", [" 1", "1_0", "\u0661", "1.0"])
def test_an_id_lookup_reads_only_plain_digits(wire: Wire, identifier: str) -> None:
    # Python's int() reads all of these as a number; a Long parser would not.
    for n in range(10):
        create(wire, externalId=f"p{n}")

    assert fetch(wire, "ID", identifier).status_code == 404


@pytest.mark.nonconforming
def test_a_lookup_with_a_page_that_is_not_an_integer_is_400(wire: Wire) -> None:
    # One operation binds the list's parameters too: they are checked on a lookup as well.
    create(wire, externalId="a")

    response = wire.get(PERSONS, params={**by("EXTERNAL_ID", "a"), "page": "x"})

    assert response.status_code == 400
    assert list(validation_errors(response)) == ["page"]


def test_external_id_lookup_is_case_sensitive(wire: Wire) -> None:
    create(wire, externalId="Abc")

    assert fetch(wire, "EXTERNAL_ID", "Abc").status_code == 200
    assert fetch(wire, "EXTERNAL_ID", "abc").status_code == 404


def test_emails_differing_only_in_case_collide_on_create(wire: Wire) -> None:
    create(wire, email="jane@x.com")

    response = wire.post(PERSONS, json=person_body(email="Jane@X.com"))

    assert response.status_code == 409
    assert error_text(response) == "Destination(email) Jane@X.com already exists."
    assert len(wire.fake.people()) == 1


def test_duplicate_external_id_is_409(wire: Wire) -> None:
    create(wire, externalId="a")

    response = wire.post(PERSONS, json=person_body(externalId="a"))

    assert response.status_code == 409
    assert error_text(response) == "Destination(externalId) a already exists."


def test_duplicate_phone_is_409(wire: Wire) -> None:
    create(wire, phone="41793026727")

    response = wire.post(PERSONS, json=person_body(phone="41793026727", externalId="b"))

    assert response.status_code == 409
    assert fetch(wire, "EXTERNAL_ID", "b").status_code == 404, "a rejected create stores nothing"


def test_duplicate_emails_within_one_person_are_kept_once(wire: Wire) -> None:
    person = create(wire, email=["a@x.com", "A@X.com"])

    assert person["contactInformation"]["email"] == [{"address": "a@x.com"}]


def test_channel_type_without_sender_is_400(wire: Wire) -> None:
    response = wire.get(PERSONS, params=by("FACEBOOK", "12345"))

    assert response.status_code == 400
    assert "sender" in validation_errors(response)


def test_sender_with_email_is_harmless_on_v2(wire: Wire) -> None:
    created = create(wire, email="a@x.com")

    response = wire.get(PERSONS, params=by("EMAIL", "a@x.com", sender="whatever"))

    assert response.json()["id"] == created["id"]


def test_channel_contacts_from_merge_are_found_with_sender(wire: Wire) -> None:
    body = {
        "persons": [
            {
                "externalId": "a",
                "contactInformation": [
                    {"type": "FACEBOOK", "identifier": "fb-1", "sender": "page-1"}
                ],
            }
        ]
    }
    wire.post("/people/3/persons/merge", json=body)

    found = wire.get(PERSONS, params=by("FACEBOOK", "fb-1", sender="page-1"))

    assert found.json()["externalId"] == "a"
    assert found.json()["contactInformation"]["facebook"] == [
        {"applicationId": "page-1", "userId": "fb-1"}
    ]


def test_push_registration_resolves_to_its_person(wire: Wire) -> None:
    created = create(wire, externalId="a")
    engine = wire.fake.tenant().persons
    engine.add_push(created["id"], {"registrationId": "reg-1", "applicationId": "app-1"})

    response = wire.get(PERSONS, params=by("PUSH", "reg-1", sender="app-1"))

    assert response.json()["id"] == created["id"]
    assert response.json()["contactInformation"]["push"] == [
        {"registrationId": "reg-1", "applicationId": "app-1"}
    ]


@pytest.mark.nonconforming
def test_unknown_identifier_type_is_400(wire: Wire) -> None:
    response = wire.get(PERSONS, params=by("SHOE_SIZE", "42"))

    assert response.status_code == 400
    assert "type" in validation_errors(response)


def test_id_lookup_with_a_non_number_is_404(wire: Wire) -> None:
    assert fetch(wire, "ID", "abc").status_code == 404


@pytest.mark.parametrize(
    ("family", "status", "marker"),
    [
        (ErrorFamily.V2, 404, "requestError"),
        (ErrorFamily.V3, 404, "code"),
        (ErrorFamily.LISTS, 404, "errorCode"),
        (ErrorFamily.PUSH, 400, "errorMessage"),
        (ErrorFamily.SEGMENTS, 404, "violations"),
    ],
)
def test_require_raises_a_not_found_each_family_renders(
    fake: FakeProfiles, family: ErrorFamily, status: int, marker: str
) -> None:
    with pytest.raises(NotFound) as caught:
        fake.tenant().persons.require("EMAIL", "nobody@x.com")

    op = next(op for op in OPERATIONS.values() if op.errors is family)
    response = refusal(caught.value, op.errors).response
    assert response.status == status
    assert marker in response.json()


def test_v3_rendering_lists_contacts_as_typed_identifiers(fake: FakeProfiles) -> None:
    engine = fake.tenant().persons
    created = engine.create(
        {
            "externalId": "a",
            "contactInformation": {
                "email": [{"address": "a@x.com"}, {"address": "b@x.com"}],
                "phone": [{"number": "41793026727"}],
            },
        }
    )

    person = engine.get_v3(created["id"])

    assert person is not None
    assert person["contactInformation"] == [
        {"type": "EMAIL", "identifier": "a@x.com", "primary": True},
        {"type": "EMAIL", "identifier": "b@x.com", "primary": False},
        {"type": "PHONE", "identifier": "41793026727", "primary": True},
    ]
    assert person["createdAt"].endswith(".000Z")
