"""The mobile login / logout flow, end to end through the SDK client against the fake.

First launch registers the device (an anonymous LEAD); login personalizes the registration with
the user's identity; logout depersonalizes it. Runs in-process and over loopback HTTP, sync and
async.
"""

from __future__ import annotations

import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    BadRequestError,
    ContactInformation,
    IdentifierType,
    NotFoundError,
    Person,
    PersonalizeAttributes,
    PersonRef,
    PersonType,
    ProfilesClient,
    PushInstance,
    PushUser,
)
from infobip_profiles.testing import FakeProfiles

APP = "shop-app"


def device(reg_id: str) -> PersonRef:
    return PersonRef.channel(IdentifierType.PUSH, reg_id, sender=APP)


@pytest.fixture
def reg(fake: FakeProfiles) -> str:
    return fake.register_device(app_code=APP, cloud_type="GCM", os="Android")


@pytest.fixture
def ada(client: ProfilesClient) -> Person:
    """A customer who already exists (from the web shop)."""
    return client.people.create(
        Person(
            first_name="Ada",
            external_id="shop-42",
            contact_information=ContactInformation.of(emails=["ada@example.com"]),
        )
    )


def test_first_launch_gives_the_device_an_anonymous_lead(client: ProfilesClient, reg: str) -> None:
    owner = client.people.get(device(reg))

    assert owner.type is PersonType.LEAD
    assert owner.emails == []
    assert owner.external_id is None
    assert client.push.get(reg, APP).registration_id == reg


def test_login_as_an_existing_customer_moves_the_device_and_merges_the_lead(
    client: ProfilesClient, reg: str, ada: Person
) -> None:
    lead = client.people.get(device(reg))

    user = client.push.personalize(reg, APP, PushUser.of(email="ada@example.com"))

    assert user.external_id == "shop-42"
    assert user.emails == ["ada@example.com"]
    assert client.people.get(device(reg)).id == ada.id
    with pytest.raises(NotFoundError):
        client.people.get(lead.ref())


def test_login_with_a_new_identity_promotes_the_lead_to_customer(
    client: ProfilesClient, reg: str
) -> None:
    lead = client.people.get(device(reg))

    user = client.push.personalize(
        reg,
        APP,
        PushUser.of(
            email="grace@example.com", attributes=PersonalizeAttributes(first_name="Grace")
        ),
    )

    owner = client.people.get(device(reg))
    assert owner.id == lead.id
    assert owner.type is PersonType.CUSTOMER
    assert (owner.first_name, owner.emails) == ("Grace", ["grace@example.com"])
    assert user.first_name == "Grace"


def test_keep_as_lead_leaves_the_profile_a_lead(client: ProfilesClient, reg: str) -> None:
    client.push.personalize(reg, APP, PushUser.of(email="grace@example.com"), keep_as_lead=True)

    assert client.people.get(device(reg)).type is PersonType.LEAD


def test_a_device_tied_to_another_person_needs_force_depersonalize(
    client: ProfilesClient, reg: str, ada: Person
) -> None:
    client.push.personalize(reg, APP, PushUser.of(email="grace@example.com"))
    grace = client.people.get(device(reg))

    with pytest.raises(BadRequestError) as refused:
        client.push.personalize(reg, APP, PushUser.of(email="ada@example.com"))
    client.push.personalize(
        reg, APP, PushUser.of(email="ada@example.com"), force_depersonalize=True
    )

    assert "PERSONALIZATION_IMPOSSIBLE" in refused.value.text
    assert client.people.get(device(reg)).id == ada.id
    assert client.people.get(grace.ref()).emails == ["grace@example.com"]


def test_logout_moves_the_device_to_a_new_lead_and_the_person_keeps_the_rest(
    client: ProfilesClient, reg: str, ada: Person
) -> None:
    client.push.personalize(
        reg,
        APP,
        PushUser.of(email="ada@example.com", attributes=PersonalizeAttributes(last_name="L")),
        set_device_as_primary=True,
    )

    client.push.depersonalize(reg, APP)

    anonymous = client.people.get(device(reg))
    assert anonymous.id != ada.id
    assert anonymous.type is PersonType.LEAD
    assert anonymous.emails == []
    after = client.people.get(PersonRef.external_id("shop-42"))
    assert (after.first_name, after.last_name, after.emails) == ("Ada", "L", ["ada@example.com"])
    assert not (after.contact_information and after.contact_information.push)


def test_the_device_can_log_in_again_after_logout(
    client: ProfilesClient, reg: str, ada: Person
) -> None:
    client.push.personalize(reg, APP, PushUser.of(external_id="shop-42"))
    client.push.depersonalize(reg, APP)

    client.push.personalize(reg, APP, PushUser.of(external_id="shop-42"))

    assert client.people.get(device(reg)).id == ada.id


def test_device_settings_survive_login_and_logout(client: ProfilesClient, reg: str) -> None:
    client.push.update(reg, APP, PushInstance(additional_data={"theme": "dark"}))
    client.push.personalize(reg, APP, PushUser.of(email="grace@example.com"))

    client.push.depersonalize(reg, APP)

    assert client.push.get(reg, APP).additional_data == {"theme": "dark"}


async def test_the_async_client_runs_the_same_flow(
    aclient: AsyncProfilesClient, fake: FakeProfiles
) -> None:
    reg = fake.register_device(app_code=APP, cloud_type="APNS", os="iOS")
    ada = await aclient.people.create(
        Person(first_name="Ada", contact_information=ContactInformation.of(emails=["a@x.com"]))
    )

    user = await aclient.push.personalize(reg, APP, PushUser.of(email="a@x.com"), return_push=True)
    await aclient.push.depersonalize(reg, APP)

    assert [p.registration_id for p in user.push] == [reg]
    assert (await aclient.people.get(device(reg))).id != ada.id
