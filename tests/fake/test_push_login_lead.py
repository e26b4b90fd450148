"""Push login (personalize) whose identity names an existing LEAD: the lead gives way.

The device's own profile survives with its id, takes the login's identity and attributes, and
fills its gaps from the lead; the lead is deleted. A CUSTOMER match keeps the other rule: the
device moves to the customer and its anonymous profile is folded in. Over the wire, in-process
and over loopback HTTP, and through the client.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    IdentifierType,
    PersonRef,
    PersonType,
    ProfilesClient,
)
from infobip_profiles.models import PersonalizeAttributes, PushUser
from infobip_profiles.testing import FakeProfiles

APP = "app-code-1"
PUSH = "/people/2/contactInformation/push"


def lead(email: str, **extra: Any) -> dict[str, Any]:
    return {"type": "LEAD", "contactInformation": {"email": [{"address": email}]}, **extra}


def owner_id(fake: FakeProfiles, reg_id: str) -> int:
    pid = fake.tenant().push.owner(reg_id)
    assert pid is not None
    return pid


def personalize(wire: Any, reg_id: str, body: dict[str, Any], **flags: bool) -> httpx.Response:
    query = {k: str(v).lower() for k, v in flags.items()}
    response: httpx.Response = wire.post(
        f"{PUSH}/{reg_id}/personalize", json=body, params=query, headers={"AppCode": APP}
    )
    return response


@pytest.fixture
def reg(fake: FakeProfiles) -> str:
    return fake.register_device(app_code=APP)


def test_the_device_profile_survives_and_the_lead_is_deleted(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    [matched] = fake.seed(people=[lead("ada@example.com")]).people
    device_id = owner_id(fake, reg)

    response = personalize(
        wire,
        reg,
        {"identity": {"email": "ADA@example.com"}, "attributes": {"firstName": "Ada"}},
    )

    assert response.status_code == 200
    assert owner_id(fake, reg) == device_id
    ids = [p["id"] for p in fake.people()]
    assert matched["id"] not in ids
    assert device_id in ids
    survivor = fake.person(device_id)
    assert survivor["type"] == "CUSTOMER"
    assert survivor["firstName"] == "Ada"
    emails = survivor["contactInformation"]["email"]
    assert [e["address"].lower() for e in emails] == ["ada@example.com"]
    found = wire.get("/people/2/persons", params={"identifier": "ada@example.com", "type": "EMAIL"})
    assert found.json()["id"] == device_id
    fake.tenant().persons.check_indexes()


def test_what_the_login_did_not_carry_comes_from_the_lead(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    fake.seed(
        custom_attributes=[{"name": "plan", "dataType": "STRING"}],
        people=[
            lead(
                "ada@example.com",
                firstName="Adaline",
                lastName="Lovelace",
                city="London",
                tags=["newsletter"],
                customAttributes={"plan": "trial"},
                contactInformation={
                    "email": [{"address": "ada@example.com"}],
                    "phone": [{"number": "41793026727"}],
                },
            )
        ],
    )
    device_id = owner_id(fake, reg)

    personalize(
        wire,
        reg,
        {
            "identity": {"email": "ada@example.com"},
            "attributes": {"firstName": "Ada", "tags": ["app"]},
        },
    )

    survivor = fake.person(device_id)
    assert survivor["firstName"] == "Ada"  # the login's value wins
    assert survivor["lastName"] == "Lovelace"  # gaps filled from the lead
    assert survivor["city"] == "London"
    assert survivor["customAttributes"] == {"plan": "trial"}
    assert sorted(survivor["tags"]) == ["app", "newsletter"]
    assert survivor["contactInformation"]["phone"] == [{"number": "41793026727"}]
    assert survivor["contactInformation"]["email"] == [{"address": "ada@example.com"}]


def test_the_leads_events_and_other_devices_move_to_the_survivor(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    other_device = fake.register_device(app_code=APP)
    personalize(wire, other_device, {"identity": {"email": "ada@example.com"}}, keepAsLead=True)
    lead_id = owner_id(fake, other_device)
    assert fake.person(lead_id)["type"] == "LEAD"
    wire.post(
        "/peopleevents/2/definitions",
        json={"definitionId": "appOpened", "title": "App opened", "fields": []},
    )
    sent = wire.post(
        f"/peopleevents/2/persons/{lead_id}/definitions/appOpened/events",
        params={"identifierType": "ID"},
        json={},
    )
    assert sent.status_code == 201
    device_id = owner_id(fake, reg)

    personalize(wire, reg, {"identity": {"email": "ada@example.com"}})

    assert owner_id(fake, other_device) == device_id
    assert [e["personId"] for e in fake.events()] == [device_id]
    assert lead_id not in [p["id"] for p in fake.people()]


def test_a_devices_anonymous_profile_shows_origin_push(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    device_id = owner_id(fake, reg)
    person = wire.get("/people/2/persons", params={"identifier": str(device_id), "type": "ID"})
    assert (person.json()["type"], person.json()["origin"]) == ("LEAD", "PUSH")
    fake.seed(people=[lead("ada@example.com")])

    personalize(wire, reg, {"identity": {"email": "ada@example.com"}})

    survivor = wire.get("/people/2/persons", params={"identifier": str(device_id), "type": "ID"})
    assert (survivor.json()["origin"], survivor.json()["modifiedFrom"]) == ("PUSH", "API")


def test_keep_as_lead_keeps_the_survivor_a_lead(wire: Any, fake: FakeProfiles, reg: str) -> None:
    fake.seed(people=[lead("ada@example.com")])
    device_id = owner_id(fake, reg)

    personalize(wire, reg, {"identity": {"email": "ada@example.com"}}, keepAsLead=True)

    assert fake.person(device_id)["type"] == "LEAD"
    assert len(fake.people()) == 1


def test_a_customer_match_still_moves_the_device(wire: Any, fake: FakeProfiles, reg: str) -> None:
    [customer] = fake.seed(
        people=[{"firstName": "Ada", "contactInformation": {"email": [{"address": "a@x.com"}]}}]
    ).people
    device_id = owner_id(fake, reg)

    personalize(wire, reg, {"identity": {"email": "a@x.com"}})

    assert owner_id(fake, reg) == customer["id"]
    assert device_id not in [p["id"] for p in fake.people()]


def test_a_refused_login_onto_a_lead_changes_nothing(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    fake.seed(people=[lead("ada@example.com", firstName="Ada")])
    before = fake.people()

    response = personalize(
        wire,
        reg,
        {"identity": {"email": "ada@example.com"}, "attributes": {"firstName": "Bad<name>"}},
    )

    assert response.status_code == 400
    assert response.json()["errorCode"] == 48014
    assert fake.people() == before


def test_a_login_overflowing_the_leads_contacts_is_refused_whole(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    emails = [{"address": f"ada{i}@example.com"} for i in range(100)]
    phone = [{"number": "41793026727"}]
    fake.seed(people=[lead("x@example.com", contactInformation={"email": emails, "phone": phone})])
    before = fake.people()

    response = personalize(
        wire, reg, {"identity": {"phoneNumber": "41793026727", "email": "new@example.com"}}
    )

    assert response.status_code == 400
    assert response.json()["errorCode"] == 48014
    assert fake.people() == before
    fake.tenant().persons.check_indexes()


# -- through the client ----------------------------------------------------------------------------


def test_client_login_onto_a_lead(fake: FakeProfiles, client: ProfilesClient, reg: str) -> None:
    fake.seed(people=[lead("grace@example.com", lastName="Hopper")])
    device = client.people.get(PersonRef.channel(IdentifierType.PUSH, reg, sender=APP))

    user = PushUser.of(
        email="grace@example.com", attributes=PersonalizeAttributes(first_name="Grace")
    )
    client.push.personalize(reg, APP, user)

    person = client.people.get(PersonRef.email("grace@example.com"))
    assert person.id == device.id
    assert person.type is PersonType.CUSTOMER
    assert (person.first_name, person.last_name) == ("Grace", "Hopper")


async def test_async_client_login_onto_a_lead(
    fake: FakeProfiles, aclient: AsyncProfilesClient, reg: str
) -> None:
    fake.seed(people=[lead("grace@example.com")])
    device = await aclient.people.get(PersonRef.channel(IdentifierType.PUSH, reg, sender=APP))

    await aclient.push.personalize(reg, APP, PushUser.of(email="grace@example.com"))

    person = await aclient.people.get(PersonRef.email("grace@example.com"))
    assert person.id == device.id
    assert len(fake.people()) == 1
