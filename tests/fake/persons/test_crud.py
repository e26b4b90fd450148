"""Persons create, get and delete at the wire level (in-process and over HTTP)."""

from __future__ import annotations

from tests._support.persons import PERSONS, by, create, emails, error_text, fetch, person_body
from tests._support.wire import Wire


def test_create_answers_200_with_the_stored_person(wire: Wire) -> None:
    response = wire.post(PERSONS, json=person_body(firstName="Ada", email="ada@example.com"))

    assert response.status_code == 200
    person = response.json()
    assert person["firstName"] == "Ada"
    assert emails(person) == ["ada@example.com"]
    assert isinstance(person["id"], int)
    assert person["createdAt"] == person["modifiedAt"]
    assert person["origin"] == "API"


def test_type_defaults_to_customer(wire: Wire) -> None:
    assert create(wire, externalId="c-1")["type"] == "CUSTOMER"


def test_lead_type_is_kept(wire: Wire) -> None:
    assert create(wire, externalId="c-1", type="LEAD")["type"] == "LEAD"


def test_read_only_fields_are_ignored_on_input(wire: Wire) -> None:
    person = create(
        wire,
        externalId="c-1",
        id=999,
        createdAt="2000-01-01T00:00:00",
        origin="PORTAL",
        computedAttributes={"x": 1},
    )

    assert person["id"] != 999
    assert person["createdAt"] != "2000-01-01T00:00:00"
    assert person["origin"] == "API"
    assert "x" not in person.get("computedAttributes", {})


def test_ids_are_deterministic_per_fake(wire: Wire) -> None:
    first = create(wire, externalId="a")
    second = create(wire, externalId="b")

    assert second["id"] == first["id"] + 1


def test_timestamps_come_from_the_fake_clock(wire: Wire) -> None:
    wire.fake.clock.freeze()
    expected = wire.fake.clock.v2_timestamp()

    assert create(wire, externalId="a")["createdAt"] == expected


def test_get_by_id_returns_the_person(wire: Wire) -> None:
    created = create(wire, firstName="Ada", externalId="a")

    response = wire.get(PERSONS, params=by("ID", str(created["id"])))

    assert response.status_code == 200
    assert response.json() == created


def test_get_unknown_person_is_404_not_found(wire: Wire) -> None:
    response = fetch(wire, "EXTERNAL_ID", "nobody")

    assert response.status_code == 404
    assert response.json()["requestError"]["serviceException"]["messageId"] == "NOT_FOUND"


def test_delete_answers_200_without_body_and_the_person_is_gone(wire: Wire) -> None:
    create(wire, externalId="a")

    response = wire.delete(PERSONS, params=by("EXTERNAL_ID", "a"))

    assert response.status_code == 200
    assert response.content == b""
    assert fetch(wire, "EXTERNAL_ID", "a").status_code == 404
    assert wire.fake.people() == ()


def test_delete_frees_the_identifiers(wire: Wire) -> None:
    create(wire, externalId="a", email="a@example.com")
    wire.delete(PERSONS, params=by("EXTERNAL_ID", "a"))

    again = wire.post(PERSONS, json=person_body(externalId="a", email="a@example.com"))

    assert again.status_code == 200


def test_delete_unknown_person_is_404(wire: Wire) -> None:
    response = wire.delete(PERSONS, params=by("EMAIL", "nobody@example.com"))

    assert response.status_code == 404
    assert error_text(response) == "Person not found"


def test_inspection_sees_created_people(wire: Wire) -> None:
    created = create(wire, externalId="a")

    assert wire.fake.people() == (created,)


def test_tags_on_create_are_created_as_tags(wire: Wire) -> None:
    create(wire, externalId="a", tags=["VIP"])

    assert [t["name"] for t in wire.fake.tags()] == ["VIP"]


def test_existing_tag_keeps_its_spelling(wire: Wire) -> None:
    wire.post("/people/2/tags", json={"name": "VIP"})

    person = create(wire, externalId="a", tags=["vip"])

    assert person["tags"] == ["VIP"]
