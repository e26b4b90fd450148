"""A chatbot shop, end to end through the client: custom events feed computed attributes, and a
chat session for an end user nobody knew yet leaves a CUSTOMER profile with the session recorded.

Runs with the sync and the async client, each in-process and over loopback HTTP.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    ContactInformation,
    Event,
    EventField,
    FieldType,
    Person,
    PersonRef,
    PersonType,
    ProfilesClient,
)
from infobip_profiles.testing import FakeProfiles

ADA = PersonRef.email("ada@example.com")
STRANGER = PersonRef.phone("41793026727")
CART_FIELDS = [
    EventField.of("productId", FieldType.STRING),
    EventField.of("name", FieldType.STRING),
    EventField.of("price", FieldType.DECIMAL),
]


@pytest.fixture(autouse=True)
def frozen(fake: FakeProfiles) -> None:
    fake.clock.freeze()


def declare_computed(fake: FakeProfiles) -> None:
    fake.define_computed_attribute("cartAdds", "AddedToCart", "count")
    fake.define_computed_attribute("totalSpend", "AddedToCart", "sum", "price")
    fake.define_computed_attribute("lastSeen", "AddedToCart", "last")


def open_shop(fake: FakeProfiles, client: ProfilesClient) -> None:
    """The cart event, the computed attributes over it, and Ada as a customer."""
    client.events.create_definition("AddedToCart", title="Added to cart", fields=CART_FIELDS)
    declare_computed(fake)
    client.people.create(Person(contact_information=ContactInformation.of(emails=[ADA.identifier])))


def test_cart_events_show_up_as_computed_attributes(
    fake: FakeProfiles, client: ProfilesClient
) -> None:
    open_shop(fake, client)

    client.events.send(
        ADA, "AddedToCart", {"productId": "mug-1", "name": "Mug", "price": Decimal("12.40")}
    )
    client.events.send_many(
        [Event(ADA, "AddedToCart", {"productId": "tea-7", "name": "Tea", "price": Decimal("7.60")})]
    )

    person = client.people.get(ADA)
    assert person.computed_attributes == {
        "cartAdds": 2,
        "totalSpend": 20,
        "lastSeen": fake.clock.now().strftime("%Y-%m-%dT%H:%M:%S"),
    }


async def test_cart_events_show_up_as_computed_attributes_async(
    fake: FakeProfiles, aclient: AsyncProfilesClient
) -> None:
    await aclient.events.create_definition("AddedToCart", title="Added to cart", fields=CART_FIELDS)
    declare_computed(fake)
    await aclient.people.create(
        Person(contact_information=ContactInformation.of(emails=[ADA.identifier]))
    )

    await aclient.events.send(ADA, "AddedToCart", {"productId": "mug-1", "price": Decimal("2.5")})

    person = await aclient.people.get(ADA)
    assert person.computed_attributes is not None
    assert (person.computed_attributes["cartAdds"], person.computed_attributes["totalSpend"]) == (
        1,
        2.5,
    )


def test_a_person_without_events_has_zero_count_and_no_last_seen(
    fake: FakeProfiles, client: ProfilesClient
) -> None:
    open_shop(fake, client)

    person = client.people.get(ADA)

    assert person.computed_attributes == {"cartAdds": 0, "totalSpend": 0, "lastSeen": None}


def test_a_session_for_an_unknown_end_user_creates_a_customer_with_the_events(
    fake: FakeProfiles, client: ProfilesClient
) -> None:
    fake.register_session_templates()  # the fake's own template ids: opt in
    client.events.create_definition(template_id="chatSessionStarted")
    client.events.create_definition(template_id="chatSessionEnded")

    client.events.send_many(
        [
            Event.session_started(STRANGER, "sess-42", channel="WHATSAPP"),
            Event.session_ended(STRANGER, "sess-42", channel="WHATSAPP", reason="resolved"),
        ]
    )

    person = client.people.get(STRANGER)
    assert person.type is PersonType.CUSTOMER
    events = [e for e in fake.events() if e["personId"] == person.id]
    assert [(e["definitionId"], e["properties"]["sessionId"]) for e in events] == [
        ("chatSessionStarted", "sess-42"),
        ("chatSessionEnded", "sess-42"),
    ]


def test_a_retried_session_start_is_recorded_once(
    fake: FakeProfiles, client: ProfilesClient
) -> None:
    fake.register_session_templates()  # the fake's own template ids: opt in
    client.events.create_definition(template_id="chatSessionStarted")
    start = Event.session_started(STRANGER, "sess-9")

    client.events.send_many([start])
    client.events.send_many([start])

    assert len(fake.events()) == 1


async def test_an_inbox_session_through_single_sends_creates_the_customer(
    fake: FakeProfiles, aclient: AsyncProfilesClient
) -> None:
    fake.register_session_templates()  # the fake's own template ids: opt in
    await aclient.events.create_definition(template_id="inboxSessionStarted")
    start = Event.session_started(STRANGER, "conv-1", inbox=True)

    await aclient.events.send(
        start.ref, start.definition_id, dict(start.properties or {}), create_person=True
    )

    person = await aclient.people.get(STRANGER)
    assert person.type is PersonType.CUSTOMER
    assert [e["definitionId"] for e in fake.events()] == ["inboxSessionStarted"]
