"""The ``events`` resource: the request each method sends and how it decodes the answer (respx).

Every test runs with the sync and the async client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from infobip_profiles import (
    BadRequestError,
    ConflictError,
    DefinitionCategory,
    Event,
    EventDefinition,
    EventField,
    ExportState,
    FieldType,
    IdentifierType,
    NotFoundError,
    PersonRef,
    SessionTemplate,
    ValidationError,
)
from infobip_profiles.errors import PartialBatchError
from infobip_profiles.resources.events import MAX_BATCH_BYTES, MAX_BATCH_ITEMS, MAX_ITEM_BYTES
from tests._support.client import Api, body_of, open_client, resolve, router_fixture

BASE = "https://api.events.test"
DEFS = f"{BASE}/peopleevents/2/definitions"
BATCH = f"{BASE}/people/3/events"
EXPORT = f"{BASE}/peopleevents/1/export"

DEFINITION = {
    "isInternalDefinition": False,
    "category": "external",
    "definitionId": "addToCart",
    "title": "Item added to cart",
    "description": "Occurs when customer adds item to cart",
    "fields": [
        {"name": "transactionId", "type": "String"},
        {"name": "totalCost", "type": "Decimal"},
        {
            "name": "itemsInCart",
            "type": "List",
            "schema": {"type": "Object", "fields": [{"name": "price", "type": "Decimal"}]},
        },
    ],
}


class Both(Api):
    """``await ev.call("send", ...)`` and ``await ev.listing(...)`` on the sync or async client."""

    async def listing(self, **kwargs: Any) -> list[EventDefinition]:
        definitions: list[EventDefinition] = await resolve(
            self.client.events.list_definitions(**kwargs).to_list()
        )
        return definitions


@pytest.fixture(params=["sync", "async"])
async def ev(request: pytest.FixtureRequest) -> AsyncIterator[Both]:
    async with open_client(request.param, BASE, api_key="k") as client:
        yield Both(client, "events")


api = router_fixture("api", BASE)


# -- definitions ---------------------------------------------------------------------------------


async def test_create_definition_sends_id_title_and_fields(ev: Both, api: respx.MockRouter) -> None:
    route = api.post(DEFS).mock(return_value=httpx.Response(201, json=DEFINITION))
    created = await ev.call(
        "create_definition",
        "addToCart",
        title="Item added to cart",
        fields=[
            EventField.of("transactionId", FieldType.STRING),
            EventField.of("totalCost", "Decimal"),
            EventField.list("itemsInCart", [EventField.of("price", "Decimal")]),
        ],
    )
    assert body_of(route) == {
        "definitionId": "addToCart",
        "title": "Item added to cart",
        "fields": DEFINITION["fields"],
    }
    assert created.definition_id == "addToCart"
    assert created.category is DefinitionCategory.EXTERNAL
    assert created.field("itemsInCart").schema.fields[0].type is FieldType.DECIMAL


async def test_create_definition_from_template_sends_only_the_template_id(
    ev: Both, api: respx.MockRouter
) -> None:
    route = api.post(DEFS).mock(
        return_value=httpx.Response(201, json={**DEFINITION, "category": "template"})
    )
    await ev.call("create_definition", template_id=SessionTemplate.CHAT_SESSION_STARTED.value)
    assert body_of(route) == {"templateId": "chatSessionStarted"}


async def test_create_definition_conflict_is_a_conflict_error(
    ev: Both, api: respx.MockRouter
) -> None:
    api.post(DEFS).mock(return_value=httpx.Response(409))
    with pytest.raises(ConflictError):
        await ev.call("create_definition", "addToCart", title="Cart")


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("add-to-cart",), {"title": "t"}, "definitionId"),
        (("x" * 37,), {"title": "t"}, "definitionId"),
        (("ok",), {}, "title"),
        (("ok",), {"title": "t" * 101}, "title"),
        ((), {"title": "t"}, "definitionId"),
        (("ok",), {"template_id": "tpl"}, "definitionId"),
        (("ok",), {"title": "t", "fields": [EventField.of("Price", "Decimal")]}, "fields[0].name"),
        (
            ("ok",),
            {"title": "t", "fields": [{"name": "a", "type": "Text"}]},
            "fields[0].type",
        ),
        (
            ("ok",),
            {
                "title": "t",
                "fields": [EventField.of("ab", "String"), EventField.of("aB", "String")],
            },
            "fields",
        ),
        (
            ("ok",),
            {"title": "t", "fields": [EventField.of(f"f{i}", "String") for i in range(121)]},
            "fields",
        ),
        (
            ("ok",),
            {
                "title": "t",
                "fields": [
                    EventField.list("a", [EventField.of("x", "String")]),
                    EventField.list("b", [EventField.of("y", "String")]),
                ],
            },
            "fields",
        ),
        (("ok",), {"title": "t", "fields": [EventField.list("a", [])]}, "fields[0].schema"),
    ],
    ids=[
        "id-chars",
        "id-length",
        "title-missing",
        "title-length",
        "no-id",
        "id-and-template",
        "field-name",
        "field-type",
        "duplicate-names-ignoring-case",
        "too-many-fields",
        "two-list-fields",
        "list-without-schema",
    ],
)
async def test_create_definition_checks_rules_before_sending(
    ev: Both, api: respx.MockRouter, args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    route = api.post(DEFS).mock(return_value=httpx.Response(201, json=DEFINITION))
    with pytest.raises(ValidationError) as info:
        await ev.call("create_definition", *args, **kwargs)
    assert info.value.field == field
    assert not route.called


async def test_get_definition_decodes_and_unknown_is_not_found(
    ev: Both, api: respx.MockRouter
) -> None:
    api.get(f"{DEFS}/addToCart").mock(return_value=httpx.Response(200, json=DEFINITION))
    api.get(f"{DEFS}/nope").mock(return_value=httpx.Response(404))
    got = await ev.call("get_definition", "addToCart")
    assert [f.name for f in got.fields] == ["transactionId", "totalCost", "itemsInCart"]
    with pytest.raises(NotFoundError):
        await ev.call("get_definition", "nope")


async def test_update_definition_posts_title_description_and_fields(
    ev: Both, api: respx.MockRouter
) -> None:
    route = api.post(f"{DEFS}/addToCart").mock(return_value=httpx.Response(200, json=DEFINITION))
    await ev.call(
        "update_definition",
        "addToCart",
        title="Cart",
        description="d",
        fields=[{"name": "coupon", "type": "String"}],
    )
    assert body_of(route) == {
        "title": "Cart",
        "description": "d",
        "fields": [{"name": "coupon", "type": "String"}],
    }


async def test_list_definitions_pages_with_offset_and_stops_on_404(
    ev: Both, api: respx.MockRouter
) -> None:
    second = {**DEFINITION, "definitionId": "b"}
    route = api.get(DEFS).mock(
        side_effect=[
            httpx.Response(200, json=[DEFINITION, second]),
            httpx.Response(404),
        ]
    )
    items = await ev.listing(page_size=2, category=["external", "template"], search_text="cart")
    assert [d.definition_id for d in items] == ["addToCart", "b"]
    first, nxt = route.calls[0].request.url.params, route.calls[1].request.url.params
    assert first.get_list("category") == ["external", "template"]
    assert (first["offset"], first["limit"], first["searchText"]) == ("0", "2", "cart")
    assert (nxt["offset"], nxt["limit"]) == ("2", "2")


async def test_list_definitions_empty_is_an_empty_listing(ev: Both, api: respx.MockRouter) -> None:
    api.get(DEFS).mock(return_value=httpx.Response(404))
    assert await ev.listing(category="external") == []


async def test_list_definitions_renders_order_as_field_and_type(
    ev: Both, api: respx.MockRouter
) -> None:
    route = api.get(DEFS).mock(return_value=httpx.Response(200, json=[DEFINITION]))
    await ev.listing(order_by="title:desc")
    params = route.calls[0].request.url.params
    assert (params["orderField"], params["orderType"]) == ("Title", "Desc")


@pytest.mark.parametrize("kwargs", [{"order_by": "createdAt"}, {"category": "mine"}])
async def test_list_definitions_refuses_unknown_order_or_category(
    ev: Both, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        await ev.listing(**kwargs)


# -- sending one event ---------------------------------------------------------------------------

SEND = f"{BASE}/peopleevents/2/persons/ada%40example.com/definitions/addToCart/events"
RECORDED = {
    "eventId": "EFDB662A-F0BD-4064-8F49-16C0C1C48AD2",
    "definitionId": "addToCart",
    "occurredTime": "2024-05-17T15:47:50.4139152Z",
    "properties": {"totalCost": 100.5},
    "metadata": {"source": "API"},
}


async def test_send_renders_python_values_and_decodes_the_recorded_event(
    ev: Both, api: respx.MockRouter
) -> None:
    route = api.post(SEND).mock(return_value=httpx.Response(201, json=RECORDED))
    when = datetime(2024, 5, 17, 17, 47, 50, 413000, tzinfo=timezone(timedelta(hours=2)))
    recorded = await ev.call(
        "send",
        PersonRef.email("ada@example.com"),
        "addToCart",
        {"totalCost": Decimal("100.50"), "promo": True, "at": when, "transactionId": "t-1"},
        event_id="evt_1",
    )
    request = route.calls[0].request
    assert request.url.params["identifierType"] == "EMAIL"
    assert "createPerson" not in request.url.params
    assert b'"totalCost":100.50' in request.content
    assert body_of(route) == {
        "eventId": "evt_1",
        "properties": {
            "totalCost": 100.5,
            "promo": True,
            "at": "2024-05-17T15:47:50.413Z",
            "transactionId": "t-1",
        },
    }
    assert recorded.event_id == RECORDED["eventId"]
    assert recorded.occurred_time == datetime(2024, 5, 17, 15, 47, 50, 413915, tzinfo=timezone.utc)
    assert recorded.properties == {"totalCost": Decimal("100.5")}


async def test_send_with_create_person_sets_the_query_flag(ev: Both, api: respx.MockRouter) -> None:
    route = api.post(SEND).mock(return_value=httpx.Response(201, json=RECORDED))
    await ev.call("send", PersonRef.email("ada@example.com"), "addToCart", create_person=True)
    assert route.calls[0].request.url.params["createPerson"] == "true"


async def test_send_create_person_by_id_is_refused_before_sending(ev: Both) -> None:
    with pytest.raises(ValidationError) as info:
        await ev.call("send", PersonRef.id(7), "addToCart", create_person=True)
    assert info.value.field == "createPerson"


async def test_send_bad_event_id_is_refused_before_sending(ev: Both) -> None:
    with pytest.raises(ValidationError) as info:
        await ev.call("send", PersonRef.id(7), "addToCart", event_id="has space")
    assert info.value.field == "eventId"


async def test_send_with_occurred_at_goes_through_the_batch_call(
    ev: Both, api: respx.MockRouter
) -> None:
    route = api.post(BATCH).mock(return_value=httpx.Response(202))
    when = datetime.now(timezone.utc) - timedelta(days=2)
    recorded = await ev.call(
        "send",
        PersonRef.id(7),
        "addToCart",
        {"totalCost": 3},
        occurred_at=when,
        event_id="e-1",
    )
    [item] = body_of(route)
    assert item["identifier"] == {"id": "7", "type": "ID"}
    assert item["occurredTime"].endswith("Z")
    assert item["eventId"] == "e-1"
    assert recorded.event_id == "e-1"
    assert recorded.occurred_time == when


async def test_send_with_occurred_at_for_an_email_needs_create_person(ev: Both) -> None:
    with pytest.raises(ValidationError) as info:
        await ev.call(
            "send",
            PersonRef.email("ada@example.com"),
            "addToCart",
            occurred_at=datetime.now(timezone.utc),
        )
    assert info.value.field == "occurredTime"


async def test_send_older_than_30_days_is_refused_before_sending(ev: Both) -> None:
    with pytest.raises(ValidationError) as info:
        await ev.call(
            "send",
            PersonRef.id(7),
            "addToCart",
            occurred_at=datetime.now(timezone.utc) - timedelta(days=31),
        )
    assert info.value.field == "occurredTime"


# -- send_many -----------------------------------------------------------------------------------


def _events(n: int, **props: Any) -> list[Event]:
    return [Event(PersonRef.id(i + 1), "addToCart", dict(props) or None) for i in range(n)]


async def test_send_many_sends_one_batch_with_every_item(ev: Both, api: respx.MockRouter) -> None:
    route = api.post(BATCH).mock(return_value=httpx.Response(202))
    when = datetime(2030, 1, 1, tzinfo=timezone.utc)
    result = await ev.call(
        "send_many",
        [
            Event(
                PersonRef.email("a@b.co"), "addToCart", {"totalCost": Decimal("1.5")}, when, "x1"
            ),
            Event(PersonRef.channel("LINE", "U1", sender="S1"), "addToCart"),
        ],
    )
    first, second = body_of(route)
    assert first == {
        "eventId": "x1",
        "definitionId": "addToCart",
        "occurredTime": "2030-01-01T00:00:00.000Z",
        "identifier": {"id": "a@b.co", "type": "EMAIL"},
        "properties": {"totalCost": 1.5},
    }
    assert second["identifier"] == {"id": "U1", "type": "LINE", "sender": "S1"}
    assert "properties" not in second
    assert result.accepted == 2
    assert len(result) == 1


async def test_send_many_splits_at_the_item_limit(ev: Both, api: respx.MockRouter) -> None:
    route = api.post(BATCH).mock(return_value=httpx.Response(202))
    result = await ev.call("send_many", _events(MAX_BATCH_ITEMS + 3))
    assert [len(body_of(route, i)) for i in range(route.call_count)] == [MAX_BATCH_ITEMS, 3]
    assert [(b.offset, b.count) for b in result] == [(0, MAX_BATCH_ITEMS), (MAX_BATCH_ITEMS, 3)]
    assert result.accepted == MAX_BATCH_ITEMS + 3


async def test_send_many_splits_at_the_byte_limit(ev: Both, api: respx.MockRouter) -> None:
    route = api.post(BATCH).mock(return_value=httpx.Response(202))
    big = "x" * 500_000
    result = await ev.call("send_many", _events(40, note=big))
    sizes = [len(route.calls[i].request.content) for i in range(route.call_count)]
    assert route.call_count == 2
    assert all(size <= MAX_BATCH_BYTES for size in sizes)
    assert sum(len(body_of(route, i)) for i in range(route.call_count)) == 40
    assert [b.size_bytes for b in result] == sizes


async def test_send_many_refuses_an_oversized_item_before_sending_anything(
    ev: Both, api: respx.MockRouter
) -> None:
    route = api.post(BATCH).mock(return_value=httpx.Response(202))
    events = [*_events(3), Event(PersonRef.id(9), "addToCart", {"note": "x" * MAX_ITEM_BYTES})]
    with pytest.raises(ValidationError) as info:
        await ev.call("send_many", events)
    assert info.value.field == "[3]"
    assert not route.called


async def test_send_many_refuses_an_event_older_than_30_days(
    ev: Both, api: respx.MockRouter
) -> None:
    route = api.post(BATCH).mock(return_value=httpx.Response(202))
    old = datetime.now(timezone.utc) - timedelta(days=30, minutes=1)
    with pytest.raises(ValidationError) as info:
        await ev.call("send_many", [Event(PersonRef.id(1), "addToCart", occurred_at=old)])
    assert info.value.field == "occurredTime"
    assert not route.called


async def test_send_many_failure_reports_the_batches_already_accepted(
    ev: Both, api: respx.MockRouter
) -> None:
    problem = {
        "status": 400,
        "title": "One or more validation errors occurred.",
        "type": "about:blank",
        "traceId": "t",
        "errors": [{"index": 0, "code": 400505, "message": "Person not found"}],
    }
    api.post(BATCH).mock(side_effect=[httpx.Response(202), httpx.Response(400, json=problem)])
    with pytest.raises(PartialBatchError) as info:
        await ev.call("send_many", _events(MAX_BATCH_ITEMS + 1), on_error="raise")
    assert isinstance(info.value.error, BadRequestError)
    assert info.value.error.message_id == "400505"
    assert info.value.result.accepted == MAX_BATCH_ITEMS
    assert (info.value.offset, info.value.count) == (MAX_BATCH_ITEMS, 1)


async def test_send_many_later_batch_refused_is_listed_and_the_call_returns(
    ev: Both, api: respx.MockRouter
) -> None:
    problem = {"status": 400, "title": "bad", "traceId": "t", "errors": []}
    api.post(BATCH).mock(side_effect=[httpx.Response(202), httpx.Response(400, json=problem)])
    result = await ev.call("send_many", _events(MAX_BATCH_ITEMS + 1))
    assert result.accepted == MAX_BATCH_ITEMS
    assert not result.ok
    (failed,) = result.failed
    assert (failed.offset, failed.count, failed.unknown) == (MAX_BATCH_ITEMS, 1, False)
    assert isinstance(failed.error, BadRequestError)


async def test_send_many_first_batch_refused_raises_with_nothing_accepted(
    ev: Both, api: respx.MockRouter
) -> None:
    api.post(BATCH).mock(return_value=httpx.Response(400, json={"title": "bad", "errors": []}))
    with pytest.raises(BadRequestError) as info:
        await ev.call("send_many", _events(3))
    assert info.value.accepted.accepted == 0  # type: ignore[attr-defined]


async def test_send_many_of_nothing_sends_nothing(ev: Both, api: respx.MockRouter) -> None:
    route = api.post(BATCH).mock(return_value=httpx.Response(202))
    result = await ev.call("send_many", [])
    assert result.accepted == 0
    assert not route.called


def test_session_helpers_build_template_events_with_stable_ids() -> None:
    ref = PersonRef.phone("41793026727")
    start = Event.session_started(ref, "sess-1", channel="WHATSAPP")
    end = Event.session_ended(ref, "sess-1", inbox=True, reason="resolved")
    assert (start.definition_id, end.definition_id) == ("chatSessionStarted", "inboxSessionEnded")
    assert start.properties == {"sessionId": "sess-1", "channel": "WHATSAPP"}
    assert end.properties == {"sessionId": "sess-1", "reason": "resolved"}
    assert (start.event_id, end.event_id) == ("sess-1-S", "sess-1-E")


# -- exports -------------------------------------------------------------------------------------


async def test_export_sends_the_s3_target_and_window(ev: Both, api: respx.MockRouter) -> None:
    route = api.post(EXPORT).mock(return_value=httpx.Response(202, json={"requestId": "r-1"}))
    start = datetime(2022, 1, 1, tzinfo=timezone.utc)
    request = await ev.call(
        "export",
        role_arn="arn:aws:iam::1:role/r",
        bucket="b",
        region="EU_CENTRAL_1",
        start_time=start,
        end_time=start + timedelta(hours=1),
        directory_path="dir/",
        definition_ids=["sms*", "addToCart"],
    )
    assert body_of(route) == {
        "roleArn": "arn:aws:iam::1:role/r",
        "bucket": "b",
        "region": "EU_CENTRAL_1",
        "startTime": "2022-01-01T00:00:00.000+0000",
        "endTime": "2022-01-01T01:00:00.000+0000",
        "directoryPath": "dir/",
        "definitionIdList": ["sms*", "addToCart"],
    }
    assert request.request_id == "r-1"


async def test_export_wider_than_24_hours_is_refused_before_sending(ev: Both) -> None:
    start = datetime(2022, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(ValidationError):
        await ev.call(
            "export",
            role_arn="a",
            bucket="b",
            region="r",
            start_time=start,
            end_time=start + timedelta(hours=25),
        )


async def test_export_status_decodes_state_and_message(ev: Both, api: respx.MockRouter) -> None:
    api.get(f"{EXPORT}/status/r-1").mock(
        return_value=httpx.Response(
            200,
            json={"requestId": "r-1", "status": "COMPLETED_SUCCESSFULLY", "message": "done"},
        )
    )
    status = await ev.call("export_status", "r-1")
    assert status.status is ExportState.COMPLETED_SUCCESSFULLY
    assert status.finished
    assert status.message == "done"


async def test_cancel_export_deletes_and_a_finished_one_conflicts(
    ev: Both, api: respx.MockRouter
) -> None:
    ok = api.delete(f"{EXPORT}/r-1").mock(return_value=httpx.Response(202))
    api.delete(f"{EXPORT}/r-2").mock(
        return_value=httpx.Response(
            409,
            json={"requestError": {"serviceException": {"messageId": "BAD_REQUEST", "text": "x"}}},
        )
    )
    assert await ev.call("cancel_export", "r-1") is None
    assert ok.called
    with pytest.raises(ConflictError):
        await ev.call("cancel_export", "r-2")


async def test_export_definitions_returns_the_id_list(ev: Both, api: respx.MockRouter) -> None:
    api.get(f"{EXPORT}/definitions").mock(
        return_value=httpx.Response(200, json={"definitionIdList": ["emailOpened", "addToCart"]})
    )
    assert await ev.call("export_definitions") == ["emailOpened", "addToCart"]


def test_session_helper_records_a_channel_given_as_identifier_type() -> None:
    start = Event.session_started(PersonRef.email("a@b.co"), "s", channel=IdentifierType.LIVE_CHAT)
    assert start.properties == {"sessionId": "s", "channel": "LIVE_CHAT"}
