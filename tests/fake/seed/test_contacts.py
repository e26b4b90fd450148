"""Seeds carry channel contacts and push registrations, stored as the engines store them; what
the fake cannot store is a ``SeedError`` naming the person and the field, never a silent drop.

The seeded data is read back over the API (in-process and over loopback HTTP), through the
client, and seeded over the control plane (``POST /_fake/seed``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infobip_profiles import AsyncProfilesClient, IdentifierType, PersonRef, ProfilesClient
from infobip_profiles.testing import FakeProfiles, SeedError
from tests._support.wire import Wire

PERSONS = "/people/2/persons"
PUSH = "/people/2/contactInformation/push"
REG = "c5db0c47-465c-4e1c-abf8-7cedc275dd19"
APP = "FDCC8516470A3AE97FB8AC218D5D0D3D"


def jane(**contacts: Any) -> dict[str, Any]:
    return {
        "firstName": "Jane",
        "contactInformation": {"email": [{"address": "jane@example.com"}], **contacts},
    }


PUSH_REG = {
    "registrationId": REG,
    "applicationId": APP,
    "isPrimary": True,
    "additionalData": {"loyalty": "gold"},
    "systemData": {"cloudType": "GCM", "os": "Android", "registrationEnabled": True},
}


def test_seeded_channel_contacts_are_stored_and_found(wire: Wire) -> None:
    [seeded] = wire.fake.seed(
        people=[
            jane(
                facebook=[{"applicationId": "370329180020364", "userId": "2094832040560427"}],
                whatsapp=[{"applicationId": "441234567890", "userId": "447700900123"}],
                webpush=[{"applicationId": "site-1", "registrationId": "wp-1"}],
            )
        ]
    ).people

    contacts = seeded["contactInformation"]
    assert contacts["facebook"] == [
        {"applicationId": "370329180020364", "userId": "2094832040560427"}
    ]
    assert contacts["whatsapp"] == [{"applicationId": "441234567890", "userId": "447700900123"}]
    assert contacts["webpush"] == [{"applicationId": "site-1", "registrationId": "wp-1"}]
    for params in (
        {"type": "FACEBOOK", "identifier": "2094832040560427", "sender": "370329180020364"},
        {"type": "WEB_PUSH", "identifier": "wp-1", "sender": "site-1"},
    ):
        found = wire.get(PERSONS, params=params)
        assert found.status_code == 200
        assert found.json()["id"] == seeded["id"]
    wire.fake.tenant().persons.check_indexes()


def test_seeded_push_registrations_work_with_the_push_calls(wire: Wire) -> None:
    [seeded] = wire.fake.seed(people=[jane(push=[PUSH_REG])]).people

    assert seeded["contactInformation"]["push"] == [PUSH_REG]
    response = wire.get(f"{PUSH}/{REG}", headers={"AppCode": APP})
    assert response.status_code == 200
    assert response.json() == {
        "registrationId": REG,
        "applicationId": APP,
        "isPrimary": True,
        "additionalData": {"loyalty": "gold"},
        "systemData": PUSH_REG["systemData"],
    }
    assert wire.fake.tenant().push.owner(REG) == seeded["id"]
    found = wire.get(PERSONS, params={"type": "PUSH", "identifier": REG, "sender": APP})
    assert found.json()["id"] == seeded["id"]


def test_a_channel_contact_alone_identifies_a_seeded_person(fake: FakeProfiles) -> None:
    [seeded] = fake.seed(
        people=[{"contactInformation": {"telegram": [{"applicationId": "bot", "userId": "42"}]}}]
    ).people
    assert fake.tenant().persons.resolve("TELEGRAM", "42", "bot") == seeded["id"]
    [device] = fake.seed(
        people=[{"type": "LEAD", "contactInformation": {"push": [PUSH_REG]}}]
    ).people
    assert fake.tenant().push.owner(REG) == device["id"]


def test_seeded_contacts_over_the_control_plane(wire: Wire) -> None:
    body = {"people": [jane(line=[{"applicationId": "1644264921", "userId": "U0451"}])]}
    response = wire.post("/_fake/seed", json=body)
    assert response.status_code == 200
    [person] = response.json()["people"]
    assert person["contactInformation"]["line"] == [
        {"applicationId": "1644264921", "userId": "U0451"}
    ]

    bad = wire.post(
        "/_fake/seed",
        json={
            "people": [jane(line=[{"applicationId": "x", "userId": "y", "systemData": {"a": 1}}])]
        },
    )
    assert bad.status_code == 400
    assert "people[0].contactInformation.line[0].systemData" in bad.json()["error"]


def test_a_seed_file_carries_them(tmp_path: Path, fake: FakeProfiles) -> None:
    path = tmp_path / "people.json"
    path.write_text(json.dumps({"people": [jane(push=[PUSH_REG])]}), encoding="utf-8")
    [seeded] = fake.seed_file(path).people
    assert fake.tenant().push.owner(REG) == seeded["id"]


@pytest.mark.parametrize(
    ("person", "field"),
    [
        (
            jane(facebook=[{"applicationId": "a", "userId": "u", "systemData": {"x": 1}}]),
            "people[1].contactInformation.facebook[0].systemData",
        ),
        (
            jane(facebook=[{"userId": "u"}]),
            "people[1].contactInformation.facebook[0].applicationId",
        ),
        (
            jane(webpush=[{"applicationId": "a"}]),
            "people[1].contactInformation.webpush[0].registrationId",
        ),
        (jane(viber=[{"applicationId": "a", "userId": "u"}]), "people[1].contactInformation.viber"),
        (
            jane(push=[{"registrationId": REG}]),
            "people[1].contactInformation.push[0].applicationId",
        ),
        (jane(push=[{**PUSH_REG, "token": "t"}]), "people[1].contactInformation.push[0].token"),
        (
            jane(push=[{**PUSH_REG, "isPrimary": "yes"}]),
            "people[1].contactInformation.push[0].isPrimary",
        ),
        (jane(push={"registrationId": REG}), "people[1].contactInformation.push"),
        (jane(line=["U0451"]), "people[1].contactInformation.line[0]"),
        ({**jane(), "computedAttributes": {"chats": 2}}, "people[1].computedAttributes"),
    ],
    ids=[
        "channel-system-data",
        "channel-without-sender",
        "webpush-without-id",
        "unknown-contact-key",
        "push-without-app",
        "push-unknown-field",
        "push-bad-primary",
        "push-not-a-list",
        "channel-not-an-object",
        "computed-attributes",
    ],
)
def test_what_cannot_be_stored_is_a_seed_error_naming_the_field(
    fake: FakeProfiles, person: dict[str, Any], field: str
) -> None:
    ok = {"contactInformation": {"email": [{"address": "ok@example.com"}]}}
    with pytest.raises(SeedError) as info:
        fake.seed(people=[ok, person])
    assert field in str(info.value)
    assert fake.people() == ()


@pytest.mark.parametrize(
    "second",
    [
        {"contactInformation": {"facebook": [{"applicationId": "a", "userId": "u"}]}},
        {"contactInformation": {"push": [{**PUSH_REG, "isPrimary": False}]}},
    ],
    ids=["channel", "push"],
)
def test_a_contact_seeded_twice_is_a_conflict(fake: FakeProfiles, second: dict[str, Any]) -> None:
    first = jane(facebook=[{"applicationId": "a", "userId": "u"}], push=[PUSH_REG])
    with pytest.raises(SeedError, match=r"people\[1\] refused: 409"):
        fake.seed(people=[first, second])
    assert fake.people() == ()
    assert fake.tenant().push.owner(REG) is None


def test_seed_error_is_public() -> None:
    import infobip_profiles.testing as testing

    assert "SeedError" in testing.__all__
    assert issubclass(SeedError, ValueError)
    assert SeedError.__doc__


# -- through the client ----------------------------------------------------------------------------


def test_client_finds_a_seeded_channel_contact(fake: FakeProfiles, client: ProfilesClient) -> None:
    [seeded] = fake.seed(
        people=[jane(whatsapp=[{"applicationId": "wa", "userId": "447700900123"}])]
    ).people
    person = client.people.get(
        PersonRef.channel(IdentifierType.WHATSAPP, "447700900123", sender="wa")
    )
    assert person.id == seeded["id"]


async def test_async_client_reads_a_seeded_registration(
    fake: FakeProfiles, aclient: AsyncProfilesClient
) -> None:
    fake.seed(people=[jane(push=[PUSH_REG])])
    instance = await aclient.push.get(REG, APP)
    assert instance.registration_id == REG
    assert instance.is_primary is True
