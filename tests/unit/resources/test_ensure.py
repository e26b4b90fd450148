"""``tags.ensure``, ``custom_attributes.ensure`` and ``events.ensure_definition``: get or create,
against the fake (in-process and over HTTP), sync and async, and when two creators race."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from infobip_profiles import AsyncProfilesClient, ProfilesClient
from infobip_profiles.errors import BadRequestError, ConflictError, NotFoundError
from infobip_profiles.models import (
    AttributeTypeMismatchError,
    DataType,
    DefinitionMismatchError,
    EventField,
)
from infobip_profiles.resources.custom_attributes import _CustomAttributesPlans
from infobip_profiles.resources.events import _EventsPlans
from infobip_profiles.resources.tags import _TagsPlans
from infobip_profiles.testing import FakeProfiles

FIELDS = [EventField.of("sku", "String"), EventField.of("price", "Decimal")]


def test_tags_ensure_creates_once_then_reads(client: ProfilesClient, fake: FakeProfiles) -> None:
    first = client.tags.ensure("VIP")
    again = client.tags.ensure("vip")

    assert (first.name, again.name, again.id) == ("VIP", "VIP", first.id)
    assert fake.calls.count(op_id="create-a-new-tag") == 1


async def test_tags_ensure_async(aclient: AsyncProfilesClient) -> None:
    first = await aclient.tags.ensure("VIP")

    assert (await aclient.tags.ensure("VIP")).id == first.id


def test_attribute_ensure_creates_once_then_reads(
    client: ProfilesClient, fake: FakeProfiles
) -> None:
    first = client.custom_attributes.ensure("Plan", DataType.STRING)
    again = client.custom_attributes.ensure("Plan", "STRING")

    assert (first.name, first.data_type) == (again.name, again.data_type) == ("Plan", "STRING")
    assert fake.calls.count(op_id="create-a-custom-attribute") == 1


def test_attribute_ensure_of_another_type_is_a_clear_error(client: ProfilesClient) -> None:
    client.custom_attributes.create("Plan", DataType.STRING)

    with pytest.raises(AttributeTypeMismatchError, match="type STRING, not INTEGER") as info:
        client.custom_attributes.ensure("Plan", DataType.INTEGER)

    assert info.value.existing.data_type == DataType.STRING


def test_attribute_ensure_of_another_object_schema_is_a_clear_error(
    client: ProfilesClient,
) -> None:
    schema = {"sku": DataType.STRING}
    client.custom_attributes.ensure("Orders", DataType.LIST_OF_OBJECTS, object_schema=schema)

    with pytest.raises(AttributeTypeMismatchError, match="object schema"):
        client.custom_attributes.ensure(
            "Orders", DataType.LIST_OF_OBJECTS, object_schema={"sku": DataType.INTEGER}
        )


async def test_attribute_ensure_async(aclient: AsyncProfilesClient) -> None:
    first = await aclient.custom_attributes.ensure("Score", DataType.DECIMAL)

    assert (await aclient.custom_attributes.ensure("Score", DataType.DECIMAL)) == first


def test_definition_ensure_creates_once_then_reads(
    client: ProfilesClient, fake: FakeProfiles
) -> None:
    first = client.events.ensure_definition("Purchase", title="Purchase", fields=FIELDS)
    again = client.events.ensure_definition("Purchase", title="Other title", fields=FIELDS[:1])

    assert first.definition_id == again.definition_id == "Purchase"
    assert again.title == "Purchase"
    assert fake.calls.count(op_id="create-event-definition") == 1


def test_definition_ensure_missing_a_field_is_a_clear_error(client: ProfilesClient) -> None:
    client.events.ensure_definition("Purchase", title="Purchase", fields=FIELDS[:1])

    with pytest.raises(DefinitionMismatchError, match="'price' is missing"):
        client.events.ensure_definition("Purchase", title="Purchase", fields=FIELDS)


async def test_definition_ensure_async(aclient: AsyncProfilesClient) -> None:
    first = await aclient.events.ensure_definition("Signup", title="Signup")

    assert (await aclient.events.ensure_definition("Signup", title="Signup")) == first


async def test_two_racing_ensures_both_succeed(
    aclient: AsyncProfilesClient,
) -> None:
    tags = await asyncio.gather(aclient.tags.ensure("VIP"), aclient.tags.ensure("VIP"))
    attributes = await asyncio.gather(
        aclient.custom_attributes.ensure("Plan", "STRING"),
        aclient.custom_attributes.ensure("Plan", "STRING"),
    )
    definitions = await asyncio.gather(
        aclient.events.ensure_definition("Signup", title="Signup"),
        aclient.events.ensure_definition("Signup", title="Signup"),
    )

    assert tags[0].id == tags[1].id
    assert attributes[0] == attributes[1]
    assert definitions[0] == definitions[1]
    assert [t.name for t in await aclient.tags.list().to_list()] == ["VIP"]
    # Whether the two interleave depends on scheduling; the lost race itself is pinned below.


# -- the lost race, step by step: read (absent), create (taken meanwhile), read again ------------


def _error(cls: type[Exception], status: int) -> Any:
    return cls(status, None, "refused")


def _lost_race(plan: Any, taken: type[Exception], status: int, answer: dict[str, Any]) -> Any:
    call = next(plan)
    assert call.op_id.startswith("get")
    call = plan.throw(_error(NotFoundError, 404))
    assert call.op_id.startswith("create")
    call = plan.throw(_error(taken, status))
    assert call.op_id.startswith("get")
    with pytest.raises(StopIteration) as done:
        plan.send(httpx.Response(200, json=answer))
    return done.value.value


def test_a_tag_creator_that_loses_the_race_reads_the_winners_tag() -> None:
    plan = _TagsPlans().ensure("VIP")

    tag = _lost_race(plan, BadRequestError, 400, {"id": 9, "name": "VIP"})

    assert (tag.id, tag.name) == (9, "VIP")


def test_an_attribute_creator_that_loses_the_race_reads_the_winners_attribute() -> None:
    plan = _CustomAttributesPlans().ensure("Plan", DataType.STRING)

    attribute = _lost_race(plan, BadRequestError, 400, {"name": "Plan", "dataType": "STRING"})

    assert attribute.data_type == DataType.STRING


def test_a_definition_creator_that_loses_the_race_reads_the_winners_definition() -> None:
    plan = _EventsPlans().ensure_definition("Signup", title="Signup")

    definition = _lost_race(
        plan, ConflictError, 409, {"definitionId": "Signup", "title": "Signup", "fields": []}
    )

    assert definition.definition_id == "Signup"


def test_a_refused_create_that_is_not_a_race_keeps_its_error() -> None:
    plan = _TagsPlans().ensure("VIP")
    next(plan)
    plan.throw(_error(NotFoundError, 404))
    plan.throw(_error(BadRequestError, 400))

    with pytest.raises(BadRequestError, match="refused"):
        plan.throw(_error(NotFoundError, 404))
