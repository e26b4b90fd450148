"""A send the service would refuse with an empty 400 says which definition and which property:
checked before sending when the client knows the definition, explained after the 400 otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from infobip_profiles import AsyncProfilesClient, Person, PersonRef, ProfilesClient
from infobip_profiles.errors import BadRequestError, ValidationError
from infobip_profiles.models import EventField
from infobip_profiles.testing import FakeProfiles

REF = PersonRef.external_id("p1")
FIELDS = [
    EventField.of("price", "Decimal"),
    EventField.of("paid", "Boolean"),
    EventField.list("items", [EventField.of("sku", "String")]),
]


@pytest.fixture
def other(fake: FakeProfiles) -> Iterator[ProfilesClient]:
    """Another program using the same account: it defines things this client has not read."""
    with fake.client(throttle=False) as c:
        c.people.create(Person(external_id="p1"))
        c.events.create_definition("Purchase", title="Purchase", fields=FIELDS)
        yield c


def sends(fake: FakeProfiles) -> int:
    return fake.calls.count(op_id="send-custom-event")


@pytest.mark.parametrize(
    ("properties", "field", "message"),
    [
        (
            {"colour": "red"},
            "colour",
            "has no property 'colour'; its properties: items, paid, price",
        ),
        ({"Price": 1}, "Price", "names match exactly: it has 'price'"),
        ({"price": "19.90"}, "price", "property 'price' is a Decimal, got str"),
        ({"paid": 1}, "paid", "property 'paid' is a Boolean, got int"),
        ({"items": [{"sku": 7}]}, "items", "item field items.sku is a String, got int"),
        ({"items": [{"size": "L"}]}, "items", "has no item field 'size'"),
    ],
)
def test_a_known_definition_refuses_a_bad_property_before_sending(
    client: ProfilesClient,
    other: ProfilesClient,
    fake: FakeProfiles,
    properties: dict[str, object],
    field: str,
    message: str,
) -> None:
    client.events.get_definition("Purchase")

    with pytest.raises(ValidationError, match=message) as info:
        client.events.send(REF, "Purchase", properties)

    assert info.value.field == f"properties.{field}"
    assert "'Purchase'" in str(info.value)
    assert sends(fake) == 0


def test_good_properties_of_a_known_definition_are_sent(
    client: ProfilesClient, other: ProfilesClient
) -> None:
    client.events.ensure_definition("Purchase", title="Purchase")

    event = client.events.send(
        REF, "Purchase", {"price": Decimal("19.90"), "paid": True, "items": [{"sku": "A"}]}
    )

    assert event.definition_id == "Purchase"


def test_a_definition_changed_since_it_was_read_is_read_again(
    client: ProfilesClient, other: ProfilesClient, fake: FakeProfiles
) -> None:
    client.events.get_definition("Purchase")
    other.events.update_definition(
        "Purchase", title="Purchase", fields=[*FIELDS, EventField.of("coupon", "String")]
    )

    client.events.send(REF, "Purchase", {"coupon": "SPRING"})

    assert sends(fake) == 1


def test_an_empty_400_for_an_unknown_definition_says_which_and_how_to_learn_more(
    client: ProfilesClient, other: ProfilesClient
) -> None:
    with pytest.raises(BadRequestError) as info:
        client.events.send(REF, "Purchase", {"colour": "red"})

    assert "event definition 'Purchase' refused the event" in str(info.value)
    assert "events.get_definition" in str(info.value)


async def test_the_async_client_checks_known_definitions_too(
    aclient: AsyncProfilesClient, other: ProfilesClient, fake: FakeProfiles
) -> None:
    await aclient.events.get_definition("Purchase")

    with pytest.raises(ValidationError, match="has no property 'colour'"):
        await aclient.events.send(REF, "Purchase", {"colour": "red"})

    assert sends(fake) == 0


def test_a_send_with_a_time_is_checked_too(
    client: ProfilesClient, other: ProfilesClient, fake: FakeProfiles
) -> None:
    client.events.get_definition("Purchase")

    with pytest.raises(ValidationError, match="has no property 'colour'"):
        client.events.send(
            REF, "Purchase", {"colour": "red"}, occurred_at=datetime.now(timezone.utc),
            create_person=True,
        )  # fmt: skip

    assert fake.calls.count(op_id="send-custom-events") == 0
