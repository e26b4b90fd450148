"""The ``segments`` resource: the request each method sends and how it decodes the answer (respx).

Every test runs with the sync and the async client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import respx

from infobip_profiles import (
    BadRequestError,
    EventCondition,
    NotFoundError,
    OccurrenceCondition,
    OccurrenceOperation,
    PayloadCondition,
    PayloadOperator,
    Person,
    PersonType,
    Segment,
    TimelineCondition,
    TimelineOccurred,
    TimelineOperator,
    TimeUnit,
    ValidationError,
)
from infobip_profiles.filters import F
from tests._support.client import body_of, open_api, resolve, router_fixture

BASE = "https://api.segments.test"
SEGMENTS = f"{BASE}/people/3/segments"

SEGMENT = {
    "id": 42,
    "name": "VIP",
    "description": "Very important",
    "query": {"#contains": {"tags": "VIP"}},
    "events": [
        {
            "definitionId": "purchase",
            "timelineCondition": {
                "occurred": "ALL",
                "operator": "AFTER",
                "start": 30,
                "units": "DAYS",
            },
            "occurrenceCondition": {"operation": "GREATER_OR_EQUAL", "times": 2},
            "payloadConditions": [{"attribute": "amount", "operator": "GT", "value": "100"}],
        }
    ],
    "createdAt": "2026-01-02T03:04:05.678Z",
    "modifiedAt": "2026-01-02T03:04:05.678Z",
}


def paged(results: list[Any], page: int, size: int, total: int) -> dict[str, Any]:
    pages = (total + size - 1) // size
    return {
        "results": results,
        "paging": {"page": page, "size": size, "totalPages": pages, "totalResults": total},
    }


Call = Callable[..., Awaitable[Any]]


@pytest.fixture(params=["sync", "async"])
async def segments(request: pytest.FixtureRequest) -> AsyncIterator[Call]:
    """``await segments("get", 42)`` calls the method on the sync or the async client;
    ``await segments("list", ..., collect=True)`` drains a pager into a list."""
    async with open_api(request.param, BASE, "segments", api_key="k") as api:

        async def call(method: str, *args: Any, collect: bool = False, **kw: Any) -> Any:
            if collect:
                return await resolve(getattr(api.client.segments, method)(*args, **kw).to_list())
            return await api.call(method, *args, **kw)

        yield call


api = router_fixture("api", BASE)


# -- create ---------------------------------------------------------------------------------------


async def test_create_from_name_and_keywords_sends_the_segment(
    api: respx.MockRouter, segments: Call
) -> None:
    route = api.post(SEGMENTS).respond(201, json=SEGMENT)

    await segments(
        "create",
        "VIP",
        description="Very important",
        query=F("tags").contains("VIP"),
        events=[
            EventCondition(
                definition_id="purchase",
                timeline_condition=TimelineCondition.within_last(30, TimeUnit.DAYS),
                occurrence_condition=OccurrenceCondition(
                    operation=OccurrenceOperation.GREATER_OR_EQUAL, times=2
                ),
                payload_conditions=[PayloadCondition("amount", PayloadOperator.GT, "100")],
            )
        ],
    )

    sent = body_of(route)
    expected = {k: SEGMENT[k] for k in ("name", "description", "query", "events")}
    assert sent == expected


async def test_create_from_a_segment_model(api: respx.MockRouter, segments: Call) -> None:
    route = api.post(SEGMENTS).respond(201, json=SEGMENT)

    await segments("create", Segment(name="VIP", query={"firstName": "Ada"}))

    assert body_of(route) == {"name": "VIP", "query": {"firstName": "Ada"}}


async def test_create_sends_only_the_name_when_nothing_else_is_given(
    api: respx.MockRouter, segments: Call
) -> None:
    route = api.post(SEGMENTS).respond(201, json={"id": 1, "name": "All"})

    await segments("create", "All")

    assert body_of(route) == {"name": "All"}


async def test_create_decodes_the_stored_segment(api: respx.MockRouter, segments: Call) -> None:
    api.post(SEGMENTS).respond(201, json=SEGMENT)

    segment = await segments("create", "VIP")

    assert segment.id == 42
    assert segment.query == {"#contains": {"tags": "VIP"}}
    assert segment.created_at == datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
    event = segment.events[0]
    assert event.definition_id == "purchase"
    assert event.timeline_condition.occurred is TimelineOccurred.ALL
    assert event.timeline_condition.operator is TimelineOperator.AFTER
    assert event.timeline_condition.units is TimeUnit.DAYS
    assert event.occurrence_condition.times == 2
    assert event.payload_conditions[0].operator is PayloadOperator.GT


@pytest.mark.parametrize("name", ["", "   "])
async def test_create_without_a_name_is_refused_before_sending(
    api: respx.MockRouter, segments: Call, name: str
) -> None:
    route = api.post(SEGMENTS).respond(201, json=SEGMENT)

    with pytest.raises(ValidationError) as caught:
        await segments("create", name)

    assert caught.value.field == "name"
    assert not route.called


async def test_create_with_a_segment_and_keywords_is_a_type_error(segments: Call) -> None:
    with pytest.raises(TypeError):
        await segments("create", Segment(name="VIP"), description="both")


async def test_duplicate_name_raises_bad_request_with_the_violations(
    api: respx.MockRouter, segments: Call
) -> None:
    api.post(SEGMENTS).respond(
        400,
        json={
            "errorCode": "E400",
            "description": "Request cannot be processed.",
            "action": "Check the syntax, violations and adjust the request.",
            "violations": [{"property": "name", "violation": "must be unique"}],
            "resources": [],
        },
    )

    with pytest.raises(BadRequestError) as caught:
        await segments("create", "VIP")

    assert caught.value.message_id == "E400"
    assert caught.value.validation_errors == {"name": ["must be unique"]}


# -- get / update / delete ------------------------------------------------------------------------


async def test_get_fetches_by_id(api: respx.MockRouter, segments: Call) -> None:
    api.get(f"{SEGMENTS}/42").respond(200, json=SEGMENT)

    segment = await segments("get", 42)

    assert (segment.id, segment.name) == (42, "VIP")


async def test_get_unknown_raises_not_found(api: respx.MockRouter, segments: Call) -> None:
    api.get(f"{SEGMENTS}/7").respond(
        404, json={"errorCode": "E404", "description": "Not found", "violations": []}
    )

    with pytest.raises(NotFoundError) as caught:
        await segments("get", 7)

    assert caught.value.message_id == "E404"


@pytest.mark.parametrize("bad", [0, -1, "42", True])
async def test_a_bad_segment_id_is_refused_before_sending(segments: Call, bad: Any) -> None:
    with pytest.raises(ValidationError):
        await segments("get", bad)


async def test_update_puts_the_whole_segment(api: respx.MockRouter, segments: Call) -> None:
    route = api.put(f"{SEGMENTS}/42").respond(200, json={**SEGMENT, "name": "VVIP"})

    segment = await segments("update", 42, "VVIP", query={"lastName": "Lovelace"})

    assert body_of(route) == {"name": "VVIP", "query": {"lastName": "Lovelace"}}
    assert segment.name == "VVIP"


async def test_delete_sends_delete_and_returns_none(api: respx.MockRouter, segments: Call) -> None:
    route = api.delete(f"{SEGMENTS}/42").respond(204)

    assert await segments("delete", 42) is None
    assert route.called


# -- list -----------------------------------------------------------------------------------------


async def test_list_pages_from_zero_with_page_and_size(
    api: respx.MockRouter, segments: Call
) -> None:
    first = [{**SEGMENT, "id": 1}, {**SEGMENT, "id": 2}]
    second = [{**SEGMENT, "id": 3}]
    route = api.get(SEGMENTS).mock(
        side_effect=[
            httpx.Response(200, json=paged(first, 0, 2, 3)),
            httpx.Response(200, json=paged(second, 1, 2, 3)),
        ]
    )

    items = await segments("list", page_size=2, collect=True)

    assert [s.id for s in items] == [1, 2, 3]
    pages = [dict(c.request.url.params) for c in route.calls]
    assert pages == [{"page": "0", "size": "2"}, {"page": "1", "size": "2"}]


async def test_list_stops_at_the_last_of_total_pages(api: respx.MockRouter, segments: Call) -> None:
    full = [{**SEGMENT, "id": 1}, {**SEGMENT, "id": 2}]
    route = api.get(SEGMENTS).respond(200, json=paged(full, 0, 2, 2))

    items = await segments("list", page_size=2, collect=True)

    assert len(items) == 2
    assert route.call_count == 1


async def test_list_sends_every_sort_on_every_page(api: respx.MockRouter, segments: Call) -> None:
    route = api.get(SEGMENTS).respond(200, json=paged([], 0, 100, 0))

    await segments("list", sort=["name,DESC", "id"], collect=True)

    params = route.calls.last.request.url.params
    assert params.get_list("sort") == ["name,desc", "id,asc"]


@pytest.mark.parametrize("sort", ["name,sideways", "", "na me"])
async def test_list_refuses_a_malformed_sort(segments: Call, sort: str) -> None:
    with pytest.raises(ValidationError):
        await segments("list", sort=sort)


@pytest.mark.parametrize("size", [0, 1001])
async def test_list_refuses_a_page_size_out_of_range(segments: Call, size: int) -> None:
    with pytest.raises(ValidationError):
        await segments("list", page_size=size)


# -- people ---------------------------------------------------------------------------------------

PERSON_V3 = {
    "id": 7,
    "type": "CUSTOMER",
    "firstName": "Ada",
    "tags": ["VIP"],
    "contactInformation": [
        {"type": "EMAIL", "identifier": "ada@example.com"},
        {"type": "PHONE", "identifier": "41793026727"},
        {"type": "PUSH", "identifier": "reg-1", "sender": "app-1", "primary": True},
        {"type": "LINE", "identifier": "U4af", "sender": "line-bot"},
    ],
    "createdFrom": "API",
    "createdAt": "2026-01-02T03:04:05.678Z",
}


async def test_people_converts_v3_contacts_to_the_person_model(
    api: respx.MockRouter, segments: Call
) -> None:
    api.get(f"{SEGMENTS}/42/persons").respond(200, json=paged([PERSON_V3], 0, 100, 1))

    [person] = await segments("people", 42, collect=True)

    assert isinstance(person, Person)
    assert person.id == 7
    assert person.type is PersonType.CUSTOMER
    assert person.emails == ["ada@example.com"]
    assert person.phones == ["41793026727"]
    [push] = person.contact_information.push
    assert (push.registration_id, push.application_id, push.is_primary) == ("reg-1", "app-1", True)
    [line] = person.contact_information.line
    assert (line.user_id, line.application_id) == ("U4af", "line-bot")


async def test_people_pages_with_page_and_size(api: respx.MockRouter, segments: Call) -> None:
    route = api.get(f"{SEGMENTS}/42/persons").mock(
        side_effect=[
            httpx.Response(200, json=paged([PERSON_V3, {**PERSON_V3, "id": 8}], 0, 2, 3)),
            httpx.Response(200, json=paged([{**PERSON_V3, "id": 9}], 1, 2, 3)),
        ]
    )

    people = await segments("people", 42, page_size=2, collect=True)

    assert [p.id for p in people] == [7, 8, 9]
    assert [c.request.url.params["page"] for c in route.calls] == ["0", "1"]


async def test_people_of_an_unknown_segment_raises_not_found(
    api: respx.MockRouter, segments: Call
) -> None:
    api.get(f"{SEGMENTS}/9/persons").respond(404, json={"errorCode": "E404", "description": "x"})

    with pytest.raises(NotFoundError):
        await segments("people", 9, collect=True)


async def test_any_time_is_an_unbounded_timeline(api: respx.MockRouter, segments: Call) -> None:
    route = api.post(SEGMENTS).respond(201, json=SEGMENT)

    await segments(
        "create",
        "Ever bought",
        events=[
            EventCondition(
                definition_id="purchase",
                timeline_condition=TimelineCondition.any_time(TimelineOccurred.NOT),
            )
        ],
    )

    assert body_of(route)["events"] == [
        {"definitionId": "purchase", "timelineCondition": {"occurred": "NOT", "operator": "EMPTY"}}
    ]


async def test_a_filter_inside_a_segment_model_is_sent_as_json(
    api: respx.MockRouter, segments: Call
) -> None:
    route = api.post(SEGMENTS).respond(201, json=SEGMENT)

    await segments("create", Segment(name="Adas", query=F("firstName") == "Ada"))

    assert body_of(route) == {"name": "Adas", "query": {"firstName": "Ada"}}
