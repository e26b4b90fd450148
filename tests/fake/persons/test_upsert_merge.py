"""v3 upsert (PUT and PATCH) and merge (edge cases 5 and 6)."""

from __future__ import annotations

import pytest

from tests._support.persons import MERGE, UPSERT, by, create, emails, fetch, phones
from tests._support.wire import Wire


def v3(**fields) -> dict:
    return fields


def email(address: str) -> dict:
    return {"type": "EMAIL", "identifier": address}


def phone(number: str) -> dict:
    return {"type": "PHONE", "identifier": number}


# -- upsert ----------------------------------------------------------------------------------------


def test_upsert_creates_then_not_modified_with_same_id_and_modified_at(wire: Wire) -> None:
    body = {"persons": [v3(externalId="a", firstName="Ada")]}

    first = wire.put(UPSERT, json=body)
    stamp = fetch(wire, "EXTERNAL_ID", "a").json()["modifiedAt"]
    wire.fake.clock.advance(60)
    second = wire.put(UPSERT, json=body)

    assert first.status_code == second.status_code == 207
    assert first.json()["results"][0]["status"] == "CREATED"
    assert second.json()["results"][0]["status"] == "NOT_MODIFIED"
    assert first.json()["results"][0]["id"] == second.json()["results"][0]["id"]
    assert fetch(wire, "EXTERNAL_ID", "a").json()["modifiedAt"] == stamp


def test_upsert_matching_by_email_updates(wire: Wire) -> None:
    created = create(wire, email="ada@x.com", firstName="Ada")

    response = wire.put(
        UPSERT, json={"persons": [v3(firstName="Augusta", contactInformation=[email("ADA@x.com")])]}
    )

    assert response.json()["results"] == [{"id": created["id"], "index": 0, "status": "UPDATED"}]


def test_full_upsert_clears_omitted_fields(wire: Wire) -> None:
    create(wire, externalId="a", firstName="Ada", city="London", phone="41793026727")

    wire.put(UPSERT, json={"persons": [v3(externalId="a", firstName="Ada")]})

    person = fetch(wire, "EXTERNAL_ID", "a").json()
    assert "city" not in person
    assert phones(person) == []


def test_partial_upsert_keeps_omitted_fields(wire: Wire) -> None:
    create(wire, externalId="a", firstName="Ada", city="London")

    response = wire.patch(UPSERT, json={"persons": [v3(externalId="a", lastName="Lovelace")]})

    assert response.status_code == 207
    person = fetch(wire, "EXTERNAL_ID", "a").json()
    assert person["city"] == "London"
    assert person["lastName"] == "Lovelace"


def test_upsert_accepts_nick_name(wire: Wire) -> None:
    wire.put(UPSERT, json={"persons": [v3(externalId="a", nickName="Ady")]})

    person_id = fetch(wire, "EXTERNAL_ID", "a").json()["id"]
    assert wire.fake.tenant().persons.get_v3(person_id)["nickName"] == "Ady"


def test_upsert_item_errors_use_the_v3_shape_and_other_items_apply(wire: Wire) -> None:
    response = wire.put(
        UPSERT,
        json={
            "persons": [
                v3(externalId="a"),
                v3(externalId="b", contactInformation=[email("not-an-email")]),
            ]
        },
    )

    assert response.status_code == 207
    body = response.json()
    assert [r["index"] for r in body["results"]] == [0]
    assert body["errors"] == [
        {
            "code": 400100,
            "message": "Validation failed",
            "details": [
                {
                    "property": "persons[1].contactInformation[0].identifier",
                    "message": "must be a well-formed email address",
                }
            ],
            "index": 1,
        }
    ]
    assert fetch(wire, "EXTERNAL_ID", "b").status_code == 404


def test_upsert_all_items_failing_is_still_207(wire: Wire) -> None:
    response = wire.put(UPSERT, json={"persons": [v3(contactInformation=[email("bad")])]})

    assert response.status_code == 207
    assert response.json()["results"] == []


def test_upsert_identifiers_hitting_two_persons_is_409100(wire: Wire) -> None:
    create(wire, externalId="a")
    create(wire, externalId="b", email="b@x.com")

    response = wire.put(
        UPSERT, json={"persons": [v3(externalId="a", contactInformation=[email("b@x.com")])]}
    )

    assert response.json()["errors"][0]["code"] == 409100


@pytest.mark.nonconforming
def test_upsert_rejects_channel_contacts(wire: Wire) -> None:
    item = v3(
        externalId="a",
        contactInformation=[{"type": "FACEBOOK", "identifier": "x", "sender": "s"}],
    )

    response = wire.put(UPSERT, json={"persons": [item]})

    assert response.json()["errors"][0]["details"][0]["property"] == (
        "persons[0].contactInformation[0].type"
    )


def test_upsert_items_apply_in_order(wire: Wire) -> None:
    response = wire.put(
        UPSERT,
        json={
            "persons": [v3(externalId="a", firstName="One"), v3(externalId="a", firstName="Two")]
        },
    )

    assert [r["status"] for r in response.json()["results"]] == ["CREATED", "UPDATED"]
    assert fetch(wire, "EXTERNAL_ID", "a").json()["firstName"] == "Two"


@pytest.mark.nonconforming
@pytest.mark.parametrize("body", [{}, {"persons": []}])
def test_upsert_without_persons_is_400104(wire: Wire, body) -> None:
    response = wire.put(UPSERT, json=body)

    assert response.status_code == 400
    assert response.json()["code"] == 400104


@pytest.mark.nonconforming
def test_upsert_malformed_json_is_400103(wire: Wire) -> None:
    response = wire.put(UPSERT, content=b"{", headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.json()["code"] == 400103


# -- merge -----------------------------------------------------------------------------------------


def test_merge_keeps_the_oldest_profile_and_unions_contacts(wire: Wire) -> None:
    old = create(wire, externalId="old", email="old@x.com", tags=["a"])
    wire.fake.clock.advance(10)
    new = create(wire, phone="41793026727", email="new@x.com", tags=["b"])

    response = wire.post(
        MERGE,
        json={"persons": [v3(externalId="old", contactInformation=[phone("41793026727")])]},
    )

    assert response.status_code == 207
    assert response.json()["results"] == [{"id": old["id"], "index": 0}]
    merged = fetch(wire, "ID", str(old["id"])).json()
    assert merged["createdAt"] == old["createdAt"]
    assert emails(merged) == ["old@x.com", "new@x.com"]
    assert phones(merged) == ["41793026727"]
    assert merged["tags"] == ["a", "b"]
    assert fetch(wire, "ID", str(new["id"])).status_code == 404


def test_after_merge_secondary_identifiers_resolve_to_the_primary(wire: Wire) -> None:
    old = create(wire, externalId="old")
    create(wire, email="second@x.com")

    wire.post(
        MERGE, json={"persons": [v3(externalId="old", contactInformation=[email("second@x.com")])]}
    )

    assert fetch(wire, "EMAIL", "second@x.com").json()["id"] == old["id"]


def test_merge_customer_beats_a_more_recent_lead(wire: Wire) -> None:
    create(wire, externalId="c", firstName="Customer")
    wire.fake.clock.advance(10)
    create(wire, email="lead@x.com", firstName="Lead", type="LEAD", city="Oslo")

    wire.post(
        MERGE, json={"persons": [v3(externalId="c", contactInformation=[email("lead@x.com")])]}
    )

    merged = fetch(wire, "EXTERNAL_ID", "c").json()
    assert merged["firstName"] == "Customer"
    assert merged["city"] == "Oslo", "empty attributes are filled from the others"
    assert merged["type"] == "CUSTOMER"


def test_merge_most_recently_modified_wins_between_equals(wire: Wire) -> None:
    create(wire, externalId="first", firstName="Old")
    wire.fake.clock.advance(10)
    create(wire, email="second@x.com", firstName="Recent")

    wire.post(
        MERGE,
        json={"persons": [v3(externalId="first", contactInformation=[email("second@x.com")])]},
    )

    assert fetch(wire, "EXTERNAL_ID", "first").json()["firstName"] == "Recent"


def test_merge_request_data_overrides_stored_data(wire: Wire) -> None:
    create(wire, externalId="a", firstName="Ada")

    wire.post(MERGE, json={"persons": [v3(externalId="a", firstName="Augusta")]})

    assert fetch(wire, "EXTERNAL_ID", "a").json()["firstName"] == "Augusta"


def test_merge_without_match_creates_a_profile(wire: Wire) -> None:
    response = wire.post(MERGE, json={"persons": [v3(externalId="new", firstName="N")]})

    assert response.json()["results"][0]["index"] == 0
    assert fetch(wire, "EXTERNAL_ID", "new").status_code == 200


def test_merge_notifies_other_engines(wire: Wire) -> None:
    primary = create(wire, externalId="a")
    secondary = create(wire, email="b@x.com")
    seen = []
    state = wire.fake.tenant()
    state.events.persons_merged = lambda p, s: seen.append((p, s))

    wire.post(MERGE, json={"persons": [v3(externalId="a", contactInformation=[email("b@x.com")])]})

    assert seen == [(primary["id"], [secondary["id"]])]


def test_delete_notifies_other_engines(wire: Wire) -> None:
    person = create(wire, externalId="a")
    seen = []
    wire.fake.tenant().events.person_deleted = seen.append

    wire.delete("/people/2/persons", params=by("EXTERNAL_ID", "a"))

    assert seen == [person["id"]]


def test_merge_by_push_registration_joins_the_device_owner(wire: Wire) -> None:
    customer = create(wire, externalId="a")
    wire.fake.clock.advance(5)
    device_owner = create(wire, email="d@x.com")
    wire.fake.tenant().persons.add_push(
        device_owner["id"], {"registrationId": "reg-1", "applicationId": "app"}
    )
    item = v3(
        externalId="a",
        contactInformation=[{"type": "PUSH", "identifier": "reg-1", "sender": "app"}],
    )

    response = wire.post(MERGE, json={"persons": [item]})

    assert response.json()["results"] == [{"id": customer["id"], "index": 0}]
    assert (
        wire.get("/people/2/persons", params=by("PUSH", "reg-1", "app")).json()["id"]
        == (customer["id"])
    )


def test_merge_with_an_unknown_push_registration_fails_the_item(wire: Wire) -> None:
    item = v3(
        externalId="a", contactInformation=[{"type": "PUSH", "identifier": "nope", "sender": "app"}]
    )

    response = wire.post(MERGE, json={"persons": [item]})

    assert response.status_code == 207
    assert response.json()["errors"][0]["details"][0]["property"] == (
        "persons[0].contactInformation[0].identifier"
    )
    assert wire.fake.people() == ()
