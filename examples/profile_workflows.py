"""The Customer Profiles docs' workflows, one call each, as a support chatbot uses them.

A support bot keeps each customer's requests in a list attribute and adds to it (never wiping
it), tags people, reads "last seen", "sessions", "most common request" and the full name from
computed attributes, archives customers who closed their account, and answers a data-subject
access request with one export.

Run it as it is (against the embedded fake, no account needed)::

    python examples/profile_workflows.py

Against your account: use ``ProfilesClient()`` instead of ``fake.client()``, and define the
computed attributes once in the Infobip web interface (the fake's
``define_computed_attribute`` and ``define_formula`` stand in for that step).
"""

from __future__ import annotations

from infobip_profiles import (
    Append,
    ComputedAttributes,
    ContactInformation,
    Person,
    PersonRef,
    ProfilesClient,
)
from infobip_profiles.filters import F, active, archived
from infobip_profiles.models import EventField
from infobip_profiles.testing import FakeProfiles

JANE = PersonRef.email("jane@example.com")
MARK = PersonRef.email("mark@example.com")
SESSION_EVENTS = ["chatSessionStarted", "inboxSessionStarted"]


def set_up(fake: FakeProfiles, client: ProfilesClient) -> None:
    """Definitions the account needs: a list attribute, session events, computed attributes."""
    client.custom_attributes.ensure(
        "Requests", "LIST_OF_OBJECTS", object_schema={"topic": "STRING", "channel": "STRING"}
    )
    for definition_id in SESSION_EVENTS:
        client.events.create_definition(
            definition_id,
            title=f"{definition_id} (support bot)",
            fields=[EventField.of("topic", "String")],
        )
    # Stand-ins for the web interface: the API has no call that defines computed attributes.
    fake.define_computed_attribute("lastSeen", SESSION_EVENTS, "last")
    fake.define_computed_attribute("sessions", SESSION_EVENTS, "count")
    fake.define_computed_attribute("mostCommonRequest", SESSION_EVENTS, "mostCommon", "topic")
    fake.tenant().events.define_formula("fullName", "{firstName} {lastName}")


def on_message(client: ProfilesClient, ref: PersonRef, channel: str, topic: str) -> None:
    """One support conversation: record the session and add the request to the person's list."""
    client.events.send(ref, SESSION_EVENTS[channel == "inbox"], properties={"topic": topic})
    client.people.update(
        ref, Person(custom_attributes={"Requests": Append([{"topic": topic, "channel": channel}])})
    )


def main() -> None:
    fake = FakeProfiles()
    with fake.client() as client:
        set_up(fake, client)
        for first, last, email in (
            ("Jane", "Smith", "jane@example.com"),
            ("Mark", "Lee", "mark@example.com"),
        ):
            client.people.create(
                Person(
                    first_name=first,
                    last_name=last,
                    contact_information=ContactInformation.of(emails=[email]),
                )
            )

        on_message(client, JANE, "chat", "billing")
        on_message(client, JANE, "inbox", "refund")
        on_message(client, JANE, "chat", "billing")
        on_message(client, MARK, "chat", "delivery")

        client.people.add_tags(JANE, ["Support", "Billing"])
        if client.people.has_tags(JANE, ["billing"]):
            print("bot: routing Jane to the billing team")

        computed = ComputedAttributes.of(client.people.get(JANE))
        print(
            f"bot: {computed.text('fullName')}, {computed.number('sessions')} sessions, "
            f"mostly about {computed.text('mostCommonRequest')}"
        )
        frequent = client.segments.create("Frequent contacts", query=F.custom("sessions") >= 2)

        client.people.archive(MARK)  # Mark closed his account
        print("archived:", [p.first_name for p in client.people.list(filter=archived())])
        print("active:", [p.first_name for p in client.people.list(filter=active())])

        export = client.people.export(JANE)
        requests = [item["topic"] for item in export.lists["Requests"]]
        segments = [s.name for s in export.segments]
        assert [s.id for s in client.segments.of(JANE)] == [frequent.id]
        print(f"export: {requests}, tags {export.tags}, segments {segments}")


if __name__ == "__main__":
    main()
