"""Quickstart: create, get, update and list persons.

Runs as it is against the embedded fake of the Customer Profiles service (no account, no
credentials, no network)::

    python examples/quickstart.py

Against your account, build the client with ``ProfilesClient()`` (it reads ``INFOBIP_API_KEY`` and
``INFOBIP_BASE_URL`` from the environment) instead of ``fake.client()``; nothing else changes.
"""

from __future__ import annotations

from infobip_profiles import ProfilesClient
from infobip_profiles.filters import F, tags
from infobip_profiles.models import ContactInformation, Person
from infobip_profiles.refs import PersonRef
from infobip_profiles.testing import FakeProfiles


def describe(person: Person) -> str:
    """One readable line about a person."""
    name = " ".join(part for part in (person.first_name, person.last_name) if part)
    extras = []
    if person.city:
        extras.append(f"city={person.city}")
    if person.tags:
        extras.append(f"tags={','.join(person.tags)}")
    if person.emails:
        extras.append(f"email={person.emails[0]}")
    kind = person.type.value if person.type else "?"
    return f"#{person.id} {name or '(no name)'} [{kind}] {' '.join(extras)}".rstrip()


def main(client: ProfilesClient) -> None:
    """The quickstart itself: every call goes through the public client."""
    # 1. Create two people. The service answers with the stored person (id, timestamps, type).
    ada = client.people.create(
        Person(
            external_id="crm-1001",
            first_name="Ada",
            last_name="Lovelace",
            city="London",
            contact_information=ContactInformation.of(emails=["Ada.Lovelace@example.com"]),
        )
    )
    client.people.create(
        Person(
            external_id="crm-1002",
            first_name="Charles",
            last_name="Babbage",
            city="London",
            contact_information=ContactInformation.of(phones=["447700900123"]),
        )
    )
    print("created:", describe(ada))

    # 2. Get a person by email; email lookups ignore case.
    found = client.people.get(PersonRef.email("ada.lovelace@EXAMPLE.com"))
    print("found by email:", describe(found))

    # 3. Update (PATCH): only the fields you set change; tags are appended.
    updated = client.people.update(PersonRef.external_id("crm-1001"), Person(tags=["VIP"]))
    print("updated:", describe(updated))

    # 4. List with a filter built from Python values.
    vip_londoners = (F("city") == "London") & tags.contains("VIP")
    print("VIPs in London:")
    for person in client.people.list(filter=vip_londoners):
        print("  -", describe(person))
    print("people in London:", client.people.count(filter=F("city") == "London"))


if __name__ == "__main__":
    fake = FakeProfiles()
    with fake.client() as client:
        main(client)
