"""The docs' workflows, one call each: tags by person, archive/activate, a person's whole picture,
the segments a person belongs to, and list values that append or overwrite.

Every test runs with the sync and the async client, against the fake in-process and over loopback
HTTP; the requests are counted in the fake's call log where the cost is part of the contract.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from infobip_profiles import (
    Append,
    AsyncProfilesClient,
    Company,
    ContactInformation,
    CustomAttribute,
    DataType,
    NotFoundError,
    Overwrite,
    Person,
    PersonRef,
    ProfilesClient,
    ValidationError,
)
from infobip_profiles.filters import F, tags
from infobip_profiles.models import EventCondition, TimelineCondition
from infobip_profiles.refs import CompanyRef
from infobip_profiles.resources._workflows import ARCHIVED_ATTRIBUTE, active, archived
from infobip_profiles.testing import FakeProfiles

ADA = PersonRef.email("ada@example.com")
BOB = PersonRef.external_id("bob")
ORDERS = "Orders"


class Api:
    """One client, sync or async, called the same way."""

    def __init__(self, client: ProfilesClient | AsyncProfilesClient) -> None:
        self.client = client

    async def __call__(self, resource: str, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(getattr(self.client, resource), method)(*args, **kwargs)
        if asyncio.iscoroutine(result):
            return await result
        return result


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, fake: FakeProfiles, mode: str) -> Api:
    fake.seed(
        custom_attributes=[
            {"name": ORDERS, "dataType": "LIST_OF_OBJECTS", "objectSchema": {"sku": "STRING"}},
            {"name": "Plan", "dataType": "STRING"},
        ],
        people=[
            {"firstName": "Ada", "contactInformation": {"email": [{"address": "ada@example.com"}]}},
            {"firstName": "Bob", "externalId": "bob"},
        ],
    )
    name = "client" if request.param == "sync" else "aclient"
    return Api(request.getfixturevalue(name))


def ops(fake: FakeProfiles) -> list[str]:
    return [c.op_id for c in fake.calls]


# -- tags ----------------------------------------------------------------------------------------


async def test_add_tags_is_one_patch_and_creates_missing_tags(api: Api, fake: FakeProfiles) -> None:
    fake.calls.clear()

    person = await api("people", "add_tags", ADA, ["VIP", "Gold"])

    assert person.tags == ["VIP", "Gold"]
    assert ops(fake) == ["partial-person-update"]
    assert {t.name for t in await _all(api, "tags", "list")} >= {"VIP", "Gold"}


async def test_remove_tags_removes_each_and_skips_tags_nobody_has(
    api: Api, fake: FakeProfiles
) -> None:
    await api("people", "add_tags", ADA, ["VIP", "Gold", "Beta"])

    await api("people", "remove_tags", ADA, ["gold", "Never defined"])

    assert (await api("people", "get", ADA)).tags == ["VIP", "Beta"]


async def test_has_tags_wants_every_name_ignoring_case(api: Api) -> None:
    await api("people", "add_tags", ADA, "VIP")

    assert await api("people", "has_tags", ADA, ["vip"]) is True
    assert await api("people", "has_tags", ADA, ["VIP", "Gold"]) is False
    with pytest.raises(NotFoundError):
        await api("people", "has_tags", PersonRef.email("nobody@example.com"), "VIP")
    with pytest.raises(ValidationError):
        await api("people", "has_tags", ADA, [])


# -- archive / activate --------------------------------------------------------------------------


async def test_archive_creates_the_attribute_and_filters_split_people(
    api: Api, fake: FakeProfiles
) -> None:
    result = await api("people", "archive", [ADA])

    assert not result.failed
    definition = await api("custom_attributes", "get", ARCHIVED_ATTRIBUTE)
    assert isinstance(definition, CustomAttribute)
    assert definition.data_type is DataType.BOOLEAN
    assert [p.first_name for p in await _all(api, "people", "list", filter=archived())] == ["Ada"]
    assert [p.first_name for p in await _all(api, "people", "list", filter=active())] == ["Bob"]

    await api("people", "activate", ADA)

    assert await _all(api, "people", "list", filter=archived()) == []
    assert len(await _all(api, "people", "list", filter=active())) == 2


async def test_archive_of_nobody_still_prepares_the_filter(api: Api) -> None:
    result = await api("people", "archive", [])

    assert len(result) == 0
    assert await _all(api, "people", "list", filter=archived()) == []


async def test_archive_reports_an_unknown_person_per_item(api: Api) -> None:
    result = await api("people", "archive", [ADA, PersonRef.external_id("ghost")])

    assert [r.ok for r in result] == [True, False]


# -- segments.of and export ----------------------------------------------------------------------


async def test_segments_of_uses_the_filter_for_query_segments(api: Api, fake: FakeProfiles) -> None:
    await api("people", "add_tags", ADA, "VIP")
    vip = await api("segments", "create", "VIPs", query=tags.contains("VIP"))
    await api("segments", "create", "Bobs", query=F("firstName") == "Bob")
    everyone = await api("segments", "create", "Everyone")
    fake.calls.clear()

    found = await api("segments", "of", ADA)

    assert [s.id for s in found] == [vip.id, everyone.id]
    # One read of the person, one page of segments, one filter request per segment: members
    # are never listed for a query-only segment.
    assert (
        ops(fake)
        == ["get-a-single-person-or-a-list-of-people", "get-segments"]
        + ["get-a-single-person-or-a-list-of-people"] * 3
    )


async def test_segments_of_reads_members_of_event_segments(api: Api, fake: FakeProfiles) -> None:
    fake.tenant().events.create_definition(
        {"definitionId": "Login", "title": "Login", "fields": []}
    )
    condition = EventCondition(
        definition_id="Login", timeline_condition=TimelineCondition.any_time()
    )
    logged_in = await api("segments", "create", "Logged in", events=[condition])
    await api("events", "send", BOB, "Login")
    bob = await api("people", "get", BOB)
    fake.calls.clear()

    assert [s.id for s in await api("segments", "of", PersonRef.id(bob.id))] == [logged_in.id]
    assert "get-segment-persons" in ops(fake)
    assert await api("segments", "of", ADA) == []


async def test_export_gathers_the_whole_picture(api: Api, fake: FakeProfiles) -> None:
    await api("people", "add_tags", ADA, "VIP")
    await api("people", "update", ADA, Person(custom_attributes={"Plan": "pro"}))
    await api("lists", "append", ADA, ORDERS, [{"sku": "A-1"}, {"sku": "B-2"}])
    await api("companies", "create", Company(name="Acme"))
    await api("companies", "add_people", CompanyRef.name("Acme"), [ADA])
    vip = await api("segments", "create", "VIPs", query=tags.contains("VIP"))

    export = await api("people", "export", ADA, company=CompanyRef.name("Acme"))

    assert export.person.first_name == "Ada"
    assert export.person.custom_attributes == {"Plan": "pro"}
    assert [i["sku"] for i in export.lists[ORDERS]] == ["A-1", "B-2"]
    assert all(i["__id"] for i in export.lists[ORDERS])
    assert export.tags == ["VIP"]
    assert [s.id for s in export.segments] == [vip.id]
    assert export.company is not None
    assert export.company.name == "Acme"
    record = json.loads(export.to_json())
    assert record["person"]["id"] == export.person.id
    assert record["person"]["createdAt"]
    assert record["segments"][0]["id"] == vip.id
    assert record["lists"][ORDERS][0]["sku"] == "A-1"


async def test_export_without_segments_makes_one_request(api: Api, fake: FakeProfiles) -> None:
    fake.calls.clear()

    export = await api("people", "export", BOB, segments=False)

    assert export.segments == []
    assert export.lists == {}
    assert export.company is None
    assert ops(fake) == ["get-a-single-person-or-a-list-of-people"]


# -- Append / Overwrite --------------------------------------------------------------------------


async def _orders(api: Api, ref: PersonRef) -> list[str]:
    lists = await api("lists", "get", ref, ORDERS)
    return [i["sku"] for i in lists.get(ORDERS, [])]


async def test_update_with_append_adds_after_the_stored_items(api: Api, fake: FakeProfiles) -> None:
    await api("lists", "append", ADA, ORDERS, [{"sku": "A-1"}])
    fake.calls.clear()

    person = await api(
        "people",
        "update",
        ADA,
        Person(custom_attributes={"Plan": "pro", ORDERS: Append([{"sku": "B-2"}, {"sku": "C-3"}])}),
    )

    assert await _orders(api, ADA) == ["A-1", "B-2", "C-3"]
    assert person.custom_attributes["Plan"] == "pro"
    assert [i["sku"] for i in person.custom_attributes[ORDERS]] == ["A-1", "B-2", "C-3"]
    assert ops(fake)[:2] == ["partial-person-update", "append-list-items"]
    assert fake.calls[0].body == {"customAttributes": {"Plan": "pro"}}


async def test_update_with_only_an_append_leaves_other_attributes(api: Api) -> None:
    await api("people", "update", ADA, Person(custom_attributes={"Plan": "pro"}))

    await api("people", "update", ADA, Person(custom_attributes={ORDERS: Append([{"sku": "X"}])}))

    person = await api("people", "get", ADA)
    assert person.custom_attributes["Plan"] == "pro"
    assert await _orders(api, ADA) == ["X"]


async def test_overwrite_and_a_plain_list_replace_the_list(api: Api) -> None:
    await api("lists", "append", ADA, ORDERS, [{"sku": "A-1"}])

    await api(
        "people", "update", ADA, Person(custom_attributes={ORDERS: Overwrite([{"sku": "Z"}])})
    )
    assert await _orders(api, ADA) == ["Z"]

    await api("people", "update", ADA, Person(custom_attributes={ORDERS: [{"sku": "Y"}]}))
    assert await _orders(api, ADA) == ["Y"]


async def test_create_with_append_appends_in_chunks_of_128(api: Api, fake: FakeProfiles) -> None:
    items = [{"sku": f"S-{i}"} for i in range(130)]
    fake.calls.clear()

    person = await api(
        "people",
        "create",
        Person(external_id="carol", custom_attributes={ORDERS: Append(items)}),
    )

    assert person.external_id == "carol"
    assert await _orders(api, PersonRef.external_id("carol")) == [i["sku"] for i in items]
    assert ops(fake)[:3] == ["create-a-new-person", "append-list-items", "append-list-items"]


async def test_replace_with_append_leaves_only_the_appended_items(api: Api) -> None:
    await api("lists", "append", ADA, ORDERS, [{"sku": "OLD"}])

    await api(
        "people",
        "replace",
        ADA,
        Person(
            first_name="Ada",
            contact_information=ContactInformation.of(emails=["ada@example.com"]),
            custom_attributes={ORDERS: Append([{"sku": "NEW"}])},
        ),
    )

    assert await _orders(api, ADA) == ["NEW"]


async def test_a_failed_write_appends_nothing(api: Api, fake: FakeProfiles) -> None:
    fake.calls.clear()

    with pytest.raises(NotFoundError):
        await api(
            "people",
            "update",
            PersonRef.external_id("ghost"),
            Person(custom_attributes={ORDERS: Append([{"sku": "X"}])}),
        )

    assert "append-list-items" not in ops(fake)


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Append([{"sku": "X", "__id": "1"}]),
        lambda: Append(["not a dict"]),  # type: ignore[list-item]
        lambda: Append({"sku": "X"}),  # type: ignore[arg-type]
        lambda: Overwrite(["x"]),  # type: ignore[list-item]
    ],
)
def test_bad_list_values_are_refused_at_once(bad: Callable[[], Any]) -> None:
    with pytest.raises(ValidationError):
        bad()


async def test_calls_that_cannot_append_refuse_before_sending(api: Api, fake: FakeProfiles) -> None:
    fake.calls.clear()
    person = Person(external_id="bob", custom_attributes={ORDERS: Append([{"sku": "X"}])})

    with pytest.raises(ValidationError, match="cannot append"):
        await api("people", "upsert", person)
    with pytest.raises(ValidationError, match="cannot append"):
        await api("people", "update_many", [(BOB, person)])

    assert ops(fake) == []


async def _all(api: Api, resource: str, method: str, **kwargs: Any) -> list[Any]:
    pager = getattr(getattr(api.client, resource), method)(**kwargs)
    if hasattr(pager, "__aiter__"):
        return [item async for item in pager]
    return list(pager)
