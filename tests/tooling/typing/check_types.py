"""Code a user writes against the SDK: it must pass ``mypy --strict`` AND run without crashing.

``test_types.py`` type-checks this module and runs each ``check_*`` function against the fake.
No ``# type: ignore`` and no ``assert x is not None``: the types alone make the code safe.
"""

from __future__ import annotations

from infobip_profiles import (
    AsyncProfilesClient,
    Company,
    CompanyRef,
    ContactInformation,
    Person,
    PersonRef,
    PersonType,
    ProfilesClient,
    Tag,
)
from infobip_profiles.models import CustomAttribute, DataType, RecordedEvent, StoredPerson


def check_an_unset_field_reads_as_none() -> list[str]:
    person = Person(first_name="Ada")
    seen = []
    if person.last_name is not None:  # unset: None, so this branch is skipped, not a crash
        seen.append(person.last_name.upper())
    if person.first_name is not None:
        seen.append(person.first_name.upper())
    if person.contact_information is not None:
        seen.extend(person.contact_information.emails)
    return seen


def check_writes_send_exactly_what_was_set() -> frozenset[str]:
    person = Person(first_name="Ada", last_name=None)
    person.city = "Split"
    copy = person.replace(country="HR")
    return copy.fields_set()


def check_contacts_read_as_plain_strings() -> list[str]:
    info = ContactInformation.of(emails=["ada@example.com"])
    return [address.lower() for address in info.emails]


def check_stored_values_need_no_none_check(client: ProfilesClient) -> list[str]:
    tag: Tag = client.tags.create("VIP")
    attribute: CustomAttribute = client.custom_attributes.create("Plan", DataType.STRING)
    names = [tag.name.lower(), attribute.name.lower(), client.tags.ensure("vip").name]
    for each in client.tags.list():
        names.append(each.name.upper())
    return names


def check_a_sent_event_id_is_a_string(event: RecordedEvent) -> str:
    return event.event_id.lower() + event.definition_id


def check_a_stored_person_reads_without_none_checks(person: StoredPerson) -> tuple[int, str]:
    tags = ",".join(tag.upper() for tag in person.tags)
    plan = str(person.custom_attributes.get("Plan"))
    return person.id + 1, tags + plan


def check_what_people_methods_return_needs_no_none_check(client: ProfilesClient) -> list[str]:
    created = client.people.create(
        Person(external_id="shop-1", contact_information=ContactInformation.of(emails=["a@b.co"]))
    )
    fetched = client.people.get(PersonRef.id(created.id))
    out = [str(created.id + fetched.id), ",".join(fetched.tags)]
    out.extend(f"{p.id}:{len(p.custom_attributes)}" for p in client.people.list())
    return out


def check_an_upsert_outcome_reads_its_id(client: ProfilesClient) -> int:
    outcome = client.people.upsert(
        Person(external_id="shop-2", contact_information=ContactInformation.of(emails=["b@c.co"]))
    )
    return outcome.id + 1


def check_an_enum_field_reads_safely(person: Person) -> str:
    # A value this version does not know is kept as the raw string: both compare as text.
    if isinstance(person.type, PersonType):
        return person.type.value
    return person.type or "unknown"


async def check_the_async_client_returns_the_same_types(client: AsyncProfilesClient) -> list[str]:
    tag = await client.tags.ensure("VIP")
    attribute = await client.custom_attributes.ensure("Plan", DataType.STRING)
    return [tag.name.lower(), attribute.name.lower()]


def check_definitions_and_segment_members_need_no_none_check(
    client: ProfilesClient, segment_id: int
) -> list[str]:
    definition = client.events.ensure_definition("Purchase", title="Purchase")
    listed = [d.definition_id.lower() for d in client.events.list_definitions(page_size=100)]
    members = [str(p.id + 0) for p in client.segments.people(segment_id)]
    return [definition.definition_id.lower(), *[d for d in listed if d == "purchase"], *members]


def check_a_segment_from_the_service_needs_no_none_check(client: ProfilesClient) -> list[str]:
    created = client.segments.create("Londoners", query={"city": "London"})
    fetched = client.segments.get(created.id)
    names = [s.name.upper() for s in client.segments.list()]
    members = [str(p.id) for p in client.segments.people(fetched.id)]
    updated = client.segments.update(fetched.id, fetched.name, query={"city": "Paris"})
    return [fetched.name.lower(), *names, *members, str(updated.id - created.id)]


def check_a_company_from_the_service_needs_no_none_check(client: ProfilesClient) -> list[str]:
    created = client.companies.create(Company(name="Acme"))
    fetched = client.companies.get(CompanyRef.id(created.id))
    listed = [f"{c.name.upper()}:{c.id - created.id}" for c in client.companies.list()]
    return [fetched.name.lower(), *listed]
