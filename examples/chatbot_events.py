"""Chatbot: record what the user does as a custom event, and read it back as conversation context.

A shopping bot records an ``AddedToCart`` event (product id, name and price) when the user adds a
product, and before its next reply loads the person's profile: the computed attributes built from
those events (how many items, the cart's value, when the last one was added) are the context the
bot answers with.

Run it as it is (against the embedded fake, no account needed)::

    python examples/chatbot_events.py

Against your account: use ``ProfilesClient()`` instead of ``fake.client()``, and define the
computed attributes once in the Infobip web interface (the fake's
``define_computed_attribute`` stands in for that step).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from infobip_profiles import NotFoundError, Person, PersonRef, ProfilesClient
from infobip_profiles.models import EventField
from infobip_profiles.testing import FakeProfiles

EVENT = "AddedToCart"


def ensure_definition(client: ProfilesClient) -> None:
    """Define the ``AddedToCart`` event once per account."""
    try:
        client.events.get_definition(EVENT)
    except NotFoundError:
        client.events.create_definition(
            EVENT,
            title="Added to cart",
            description="A product was added to the shopping cart in the chat",
            fields=[
                EventField.of("productId", "String"),
                EventField.of("productName", "String"),
                EventField.of("price", "Decimal"),
            ],
        )


def on_add_to_cart(
    client: ProfilesClient, user: PersonRef, product_id: str, name: str, price: Decimal
) -> dict[str, Any]:
    """The bot's handler: record the event (creating the profile for a new chat user)."""
    event = client.events.send(
        user,
        EVENT,
        {"productId": product_id, "productName": name, "price": price},
        create_person=True,
    )
    return event.properties or {}


def context_for(client: ProfilesClient, user: PersonRef) -> dict[str, Any]:
    """What the bot knows before it answers: the profile and its event-based attributes."""
    person = client.people.get(user)
    return {"name": person.first_name, **(person.computed_attributes or {})}


def main() -> None:
    fake = FakeProfiles()
    with fake.client() as client:
        ensure_definition(client)
        # Computed attributes are configured in the web interface; the fake takes them here.
        fake.define_computed_attribute("cartItems", EVENT, "count")
        fake.define_computed_attribute("cartValue", EVENT, "sum", "price")
        fake.define_computed_attribute("lastAddedToCart", EVENT, "last")

        user = PersonRef.email("ada@example.com")  # the chat user's verified email
        first = on_add_to_cart(
            client, user, "SKU-1001", "Analytical Engine T-shirt", Decimal("24.90")
        )
        client.people.update(user, Person(first_name="Ada"))  # the bot asked for a name
        on_add_to_cart(client, user, "SKU-2002", "Difference Engine mug", Decimal("12.50"))
        print("recorded:", first)

        context = context_for(client, user)
        print("context:", context)
        assert context["cartItems"] == 2
        assert Decimal(str(context["cartValue"])) == Decimal("37.40")
        print(
            f"bot: {context['name']}, you have {context['cartItems']} items in your cart. Ready to check out?"
        )


if __name__ == "__main__":
    main()
