"""The ``people`` resource against the fake: all 17 methods, sync and async, in-process and over
HTTP, asserting what a user of the SDK sees."""

from __future__ import annotations

from datetime import datetime

import pytest

from infobip_profiles import AsyncProfilesClient, ProfilesClient
from infobip_profiles.errors import BadRequestError, ConflictError, NotFoundError
from infobip_profiles.filters import F, tags
from infobip_profiles.models import (
    ContactInformation,
    Person,
    PersonType,
    PersonUpdate,
    UpsertStatus,
)
from infobip_profiles.refs import PersonRef
from infobip_profiles.testing import FakeProfiles

ADA = Person(
    external_id="ada",
    first_name="Ada",
    last_name="Lovelace",
    contact_information=ContactInformation.of(emails=["Ada@Example.com"]),
)
CART = {"name": "cart", "dataType": "LIST_OF_OBJECTS", "objectSchema": {"sku": "STRING"}}


# -- sync ------------------------------------------------------------------------------------------


def test_create_and_get_ignoring_email_case(client: ProfilesClient) -> None:
    created = client.people.create(ADA)

    fetched = client.people.get(PersonRef.email("ada@example.com"))

    assert fetched == created
    assert fetched.id is not None
    assert fetched.type is PersonType.CUSTOMER
    assert isinstance(fetched.created_at, datetime)


def test_get_unknown_raises_not_found(client: ProfilesClient) -> None:
    with pytest.raises(NotFoundError):
        client.people.get(PersonRef.external_id("nobody"))


def test_create_duplicate_raises_conflict(client: ProfilesClient) -> None:
    client.people.create(ADA)

    with pytest.raises(ConflictError, match=r"Destination\(externalId\) ada already exists"):
        client.people.create(ADA)


def test_replace_clears_what_is_left_out(client: ProfilesClient) -> None:
    client.people.create(ADA)

    replaced = client.people.replace(
        PersonRef.external_id("ada"), Person(external_id="ada", first_name="Augusta")
    )

    assert replaced.first_name == "Augusta"
    assert replaced.last_name is None
    assert replaced.contact_information is not None
    assert replaced.contact_information.emails == []


def test_update_changes_only_what_is_set(client: ProfilesClient) -> None:
    client.people.create(ADA)

    updated = client.people.update(
        PersonRef.external_id("ada"), Person(city="London", tags=["vip"])
    )

    assert updated.city == "London"
    assert updated.last_name == "Lovelace"
    assert updated.tags == ["vip"]


def test_delete_then_get_raises(client: ProfilesClient, fake: FakeProfiles) -> None:
    client.people.create(ADA)

    client.people.delete(PersonRef.external_id("ada"))

    assert fake.people() == ()
    with pytest.raises(NotFoundError):
        client.people.get(PersonRef.external_id("ada"))


def test_contacts_set_add_remove(client: ProfilesClient) -> None:
    client.people.create(ADA)
    ref = PersonRef.external_id("ada")

    after_set = client.people.set_contacts(ref, ContactInformation.of(phones=["41793026727"]))
    after_add = client.people.add_contacts(ref, ContactInformation.of(emails=["a2@example.com"]))
    after_remove = client.people.remove_contacts(ref, ContactInformation.of(phones=["41793026727"]))

    assert after_set.emails == []
    assert after_set.phones == ["41793026727"]
    assert after_add.emails == ["a2@example.com"]
    assert after_remove.phones == []


def test_list_with_a_filter_and_count(client: ProfilesClient) -> None:
    client.people.create(ADA)
    client.people.create(Person(external_id="bob", first_name="Bob", city="London", tags=["vip"]))
    client.people.create(Person(external_id="cy", first_name="Cy", city="London"))
    londoners_with_vip = (F("city") == "London") & tags.contains("vip")

    found = list(client.people.list(filter=londoners_with_vip))

    assert [p.first_name for p in found] == ["Bob"]
    assert client.people.count(filter=F("city") == "London") == 2


def test_list_walks_every_page(client: ProfilesClient) -> None:
    client.people.create_many(Person(external_id=f"p{i}") for i in range(5))

    found = list(client.people.list(page_size=2, order_by="createdAt:asc"))

    assert [p.external_id for p in found] == [f"p{i}" for i in range(5)]


def test_create_many_reports_each_outcome(client: ProfilesClient) -> None:
    client.people.create(ADA)

    result = client.people.create_many([Person(external_id="new"), Person(external_id="ada")])

    assert [r.ok for r in result] == [True, False]
    assert result.failed[0].status == 409


def test_update_many_reports_unmatched(client: ProfilesClient) -> None:
    client.people.create(ADA)

    result = client.people.update_many(
        [
            PersonUpdate(PersonRef.external_id("ada"), Person(city="Paris")),
            PersonUpdate(PersonRef.external_id("nobody"), Person(city="Rome")),
        ]
    )

    assert [r.ok for r in result] == [True, False]
    assert result.failed[0].errors == ("There is no person matching the query",)
    assert client.people.get(PersonRef.external_id("ada")).city == "Paris"


def test_delete_many(client: ProfilesClient, fake: FakeProfiles) -> None:
    client.people.create(ADA)

    result = client.people.delete_many([PersonRef.external_id("ada")])

    assert result.ok
    assert fake.people() == ()


def test_upsert_many_created_then_not_modified(client: ProfilesClient) -> None:
    first = client.people.upsert_many([ADA], mode="full")
    second = client.people.upsert_many([ADA], mode="full")

    assert first[0].status is UpsertStatus.CREATED
    assert second[0].status is UpsertStatus.NOT_MODIFIED
    assert first[0].id == second[0].id


def test_match(client: ProfilesClient) -> None:
    created = client.people.create(ADA)

    matches = client.people.match([PersonRef.email("ADA@example.com"), PersonRef.phone("1234567")])

    assert [m.person_id for m in matches] == [created.id]


def test_merge_keeps_the_oldest(client: ProfilesClient, fake: FakeProfiles) -> None:
    oldest = client.people.create(ADA)
    fake.clock.advance(5)
    client.people.create(Person(contact_information=ContactInformation.of(phones=["41793026727"])))

    result = client.people.merge(
        [
            Person(
                external_id="ada", contact_information=ContactInformation.of(phones=["41793026727"])
            )
        ]
    )

    assert result[0].id == oldest.id
    assert client.people.get(PersonRef.phone("41793026727")).id == oldest.id


def test_append_to_attribute(client: ProfilesClient, fake: FakeProfiles) -> None:
    fake.seed(custom_attributes=[CART])
    client.people.create(ADA)

    items = client.people.append_to_attribute(PersonRef.external_id("ada"), "cart", {"sku": "1"})

    assert items == [{"sku": "1"}]


def test_append_bad_item_raises_bad_request(client: ProfilesClient, fake: FakeProfiles) -> None:
    fake.seed(custom_attributes=[CART])
    client.people.create(ADA)

    with pytest.raises(BadRequestError):
        client.people.append_to_attribute(PersonRef.external_id("ada"), "cart", {"colour": "red"})


# -- async -----------------------------------------------------------------------------------------


async def test_async_create_get_update_delete(aclient: AsyncProfilesClient) -> None:
    created = await aclient.people.create(ADA)
    fetched = await aclient.people.get(PersonRef.email("ADA@EXAMPLE.COM"))
    updated = await aclient.people.update(PersonRef.id(created.id or 0), Person(city="Paris"))
    replaced = await aclient.people.replace(PersonRef.external_id("ada"), Person(external_id="ada"))
    await aclient.people.delete(PersonRef.external_id("ada"))

    assert fetched.id == created.id
    assert updated.city == "Paris"
    assert replaced.first_name is None
    with pytest.raises(NotFoundError):
        await aclient.people.get(PersonRef.external_id("ada"))


async def test_async_contacts(aclient: AsyncProfilesClient) -> None:
    await aclient.people.create(ADA)
    ref = PersonRef.external_id("ada")

    await aclient.people.set_contacts(ref, ContactInformation.of(emails=["x@example.com"]))
    await aclient.people.add_contacts(ref, ContactInformation.of(phones=["41793026727"]))
    person = await aclient.people.remove_contacts(
        ref, ContactInformation.of(emails=["x@example.com"])
    )

    assert person.emails == []
    assert person.phones == ["41793026727"]


async def test_async_list_and_count(aclient: AsyncProfilesClient) -> None:
    await aclient.people.create(ADA)
    await aclient.people.create(Person(external_id="bob", first_name="Bob"))

    names = [
        p.first_name async for p in aclient.people.list(order_by="firstName:desc", page_size=1)
    ]

    assert names == ["Bob", "Ada"]
    assert await aclient.people.count() == 2


async def test_async_batches(aclient: AsyncProfilesClient, fake: FakeProfiles) -> None:
    created = await aclient.people.create_many([Person(external_id="a"), Person(external_id="b")])
    updated = await aclient.people.update_many(
        [(PersonRef.external_id("a"), Person(first_name="A"))]
    )
    deleted = await aclient.people.delete_many([PersonRef.external_id("b")])

    assert created.ok
    assert updated.ok
    assert deleted.ok
    assert [p["externalId"] for p in fake.people()] == ["a"]


async def test_async_upsert_match_merge(aclient: AsyncProfilesClient) -> None:
    upserted = await aclient.people.upsert_many([ADA])
    matches = await aclient.people.match([PersonRef.external_id("ada")])
    merged = await aclient.people.merge([Person(external_id="ada", first_name="Augusta")])

    assert upserted[0].status is UpsertStatus.CREATED
    assert matches[0].person_id == upserted[0].id
    assert merged[0].id == upserted[0].id
    assert (await aclient.people.get(PersonRef.external_id("ada"))).first_name == "Augusta"


async def test_async_append(aclient: AsyncProfilesClient, fake: FakeProfiles) -> None:
    fake.seed(custom_attributes=[CART])
    await aclient.people.create(ADA)

    await aclient.people.append_to_attribute(PersonRef.external_id("ada"), "cart", {"sku": "1"})
    items = await aclient.people.append_to_attribute(
        PersonRef.external_id("ada"), "cart", {"sku": "2"}
    )

    assert items == [{"sku": "1"}, {"sku": "2"}]
