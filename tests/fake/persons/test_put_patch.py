"""PUT overwrites, PATCH merges (docs/fake-semantics.md)."""

from __future__ import annotations

import pytest

from tests._support.persons import PERSONS, by, create, emails, fetch, person_body, phones
from tests._support.wire import Wire


def put(wire: Wire, ident: str, **fields):
    return wire.put(PERSONS, params=by("EXTERNAL_ID", ident), json=person_body(**fields))


def patch(wire: Wire, ident: str, body: dict):
    return wire.patch(PERSONS, params=by("EXTERNAL_ID", ident), json=body)


def seeded(wire: Wire) -> dict:
    wire.fake.seed(custom_attributes=[{"name": "tier", "dataType": "STRING"}])
    return create(
        wire,
        externalId="a",
        firstName="Ada",
        lastName="Lovelace",
        city="London",
        tags=["vip"],
        email="ada@example.com",
        phone="41793026727",
        customAttributes={"tier": "gold"},
    )


# -- PUT -------------------------------------------------------------------------------------------


def test_put_clears_omitted_attributes(wire: Wire) -> None:
    seeded(wire)

    response = put(wire, "a", externalId="a", firstName="Augusta")

    assert response.status_code == 200
    person = response.json()
    assert person["firstName"] == "Augusta"
    assert "lastName" not in person
    assert "city" not in person
    assert person["customAttributes"] == {}


def test_put_without_tags_wipes_them(wire: Wire) -> None:
    seeded(wire)

    person = put(wire, "a", externalId="a").json()

    assert person["tags"] == []


def test_put_replaces_emails_and_phones(wire: Wire) -> None:
    seeded(wire)

    person = put(wire, "a", externalId="a", email="new@example.com").json()

    assert emails(person) == ["new@example.com"]
    assert phones(person) == []


def test_put_frees_replaced_identifiers(wire: Wire) -> None:
    seeded(wire)
    put(wire, "a", externalId="a", email="new@example.com")

    assert fetch(wire, "EMAIL", "ada@example.com").status_code == 404
    assert fetch(wire, "EMAIL", "new@example.com").json()["externalId"] == "a"


def test_put_keeps_id_and_created_at(wire: Wire) -> None:
    before = seeded(wire)
    wire.fake.clock.advance(60)

    after = put(wire, "a", externalId="a", firstName="Augusta").json()

    assert after["id"] == before["id"]
    assert after["createdAt"] == before["createdAt"]
    assert after["modifiedAt"] > before["modifiedAt"]


def test_put_can_change_the_external_id(wire: Wire) -> None:
    seeded(wire)

    put(wire, "a", externalId="b", email="ada@example.com")

    assert fetch(wire, "EXTERNAL_ID", "a").status_code == 404
    assert fetch(wire, "EXTERNAL_ID", "b").status_code == 200


# -- PATCH -----------------------------------------------------------------------------------------


def test_patch_keeps_omitted_attributes(wire: Wire) -> None:
    seeded(wire)

    person = patch(wire, "a", {"firstName": "Augusta"}).json()

    assert person["firstName"] == "Augusta"
    assert person["lastName"] == "Lovelace"
    assert person["city"] == "London"
    assert person["customAttributes"] == {"tier": "gold"}


@pytest.mark.nonconforming  # explicit null clears [I]; the spec declares no nullable fields
def test_patch_explicit_null_clears_a_field(wire: Wire) -> None:
    seeded(wire)

    person = patch(wire, "a", {"city": None}).json()

    assert "city" not in person
    assert person["lastName"] == "Lovelace"


def test_patch_appends_tags_without_duplicates(wire: Wire) -> None:
    seeded(wire)

    person = patch(wire, "a", {"tags": ["VIP", "beta"]}).json()

    assert person["tags"] == ["vip", "beta"]


def test_patch_auto_creates_unknown_tags(wire: Wire) -> None:
    seeded(wire)

    patch(wire, "a", {"tags": ["beta"]})

    assert sorted(t["name"] for t in wire.fake.tags()) == ["beta", "vip"]


def test_patch_appends_emails_and_phones_with_dedupe(wire: Wire) -> None:
    seeded(wire)

    body = person_body(email=["ADA@example.com", "ada2@example.com"], phone="41793026728")
    person = patch(wire, "a", body).json()

    assert emails(person) == ["ada@example.com", "ada2@example.com"]
    assert phones(person) == ["41793026727", "41793026728"]


def test_patch_custom_attribute_keys_overwrite_and_null_removes(wire: Wire) -> None:
    seeded(wire)
    wire.fake.seed(custom_attributes=[{"name": "score", "dataType": "INTEGER"}])

    person = patch(wire, "a", {"customAttributes": {"score": 5}}).json()
    assert person["customAttributes"] == {"tier": "gold", "score": 5}

    person = patch(wire, "a", {"customAttributes": {"tier": None}}).json()
    assert person["customAttributes"] == {"score": 5}


def test_patch_list_of_objects_value_replaces_the_whole_list(wire: Wire) -> None:
    seeded(wire)
    wire.fake.seed(
        custom_attributes=[
            {"name": "cart", "dataType": "LIST_OF_OBJECTS", "objectSchema": {"sku": "STRING"}}
        ]
    )
    patch(wire, "a", {"customAttributes": {"cart": [{"sku": "1"}, {"sku": "2"}]}})

    person = patch(wire, "a", {"customAttributes": {"cart": [{"sku": "3"}]}}).json()

    assert person["customAttributes"]["cart"] == [{"sku": "3"}]


def test_patch_respects_the_100_email_cap(wire: Wire) -> None:
    create(wire, externalId="a", email=[f"u{i}@example.com" for i in range(100)])

    response = patch(wire, "a", person_body(email="one-more@example.com"))

    assert response.status_code == 400
    assert (
        "contactInformation.email"
        in response.json()["requestError"]["serviceException"]["validationErrors"]
    )
    assert len(emails(fetch(wire, "EXTERNAL_ID", "a").json())) == 100


def test_patch_cannot_take_another_persons_email(wire: Wire) -> None:
    seeded(wire)
    create(wire, externalId="b", email="bob@example.com")

    response = patch(wire, "a", person_body(email="BOB@example.com"))

    assert response.status_code == 409
    assert emails(fetch(wire, "EXTERNAL_ID", "a").json()) == ["ada@example.com"]


def test_patch_without_changes_keeps_modified_at(wire: Wire) -> None:
    before = seeded(wire)
    wire.fake.clock.advance(60)

    after = patch(wire, "a", {"firstName": "Ada"}).json()

    assert after["modifiedAt"] == before["modifiedAt"]


def test_patch_with_a_change_moves_modified_at(wire: Wire) -> None:
    before = seeded(wire)
    wire.fake.clock.advance(60)

    after = patch(wire, "a", {"firstName": "Augusta"}).json()

    assert after["modifiedAt"] > before["modifiedAt"]


@pytest.mark.nonconforming  # explicit null clears [I]; the spec declares no nullable fields
def test_patch_clearing_the_only_identifier_is_refused(wire: Wire) -> None:
    create(wire, externalId="a", firstName="Ada")

    response = patch(wire, "a", {"externalId": None})

    assert response.status_code == 400
    assert fetch(wire, "EXTERNAL_ID", "a").status_code == 200


def test_patch_unknown_person_is_404(wire: Wire) -> None:
    assert patch(wire, "nobody", {"firstName": "x"}).status_code == 404
