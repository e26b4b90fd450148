"""The ``lists`` resource (v3): requests and decoding (respx), sync and async."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from infobip_profiles import (
    BadRequestError,
    IdentifierType,
    NotFoundError,
    PersonRef,
    ValidationError,
)
from tests._support.client import Api, api_fixture, body_of, query_of, router_fixture

BASE = "https://api.lists.test"
PATH = f"{BASE}/people/3/lists"
ID1 = "78f47a5a-b9c4-4802-8bed-e81cf5fde0b4"
ID2 = "b606345f-f7a6-4b9d-b9f1-75bdeaf0e55f"
ITEMS = [{"__id": ID1, "sku": "A-1", "qty": 2}, {"__id": ID2, "sku": "B-2", "total": 9.5}]
ADA = PersonRef.email("ada@example.com")
ADA_QUERY = [("identifier", "ada@example.com"), ("type", "EMAIL")]


api = api_fixture(BASE, "lists")
router = router_fixture("router", BASE)


async def test_get_sends_list_names_and_the_person(api: Api, router: Any) -> None:
    route = router.get(PATH).respond(200, json={"Orders": ITEMS, "Visits": []})

    lists = await api.call("get", ADA, ["Orders", "Visits"])

    assert query_of(route) == [("listNames", "Orders,Visits"), *ADA_QUERY]
    assert lists == {"Orders": ITEMS, "Visits": []}


async def test_get_accepts_one_name_as_text(api: Api, router: Any) -> None:
    route = router.get(PATH).respond(200, json={"Orders": ITEMS})

    await api.call("get", ADA, "Orders")

    assert dict(query_of(route))["listNames"] == "Orders"


async def test_get_decodes_decimals_exactly(api: Api, router: Any) -> None:
    router.get(PATH).respond(200, content=b'{"Orders":[{"__id":"x","total":0.1}]}')

    lists = await api.call("get", ADA, "Orders")

    assert lists["Orders"][0]["total"] == Decimal("0.1")


async def test_delete_sends_the_names(api: Api, router: Any) -> None:
    route = router.delete(PATH).respond(204)

    assert await api.call("delete", ADA, ["Orders"]) is None
    assert query_of(route) == [("listNames", "Orders"), *ADA_QUERY]


async def test_replace_puts_the_items_and_returns_the_list(api: Api, router: Any) -> None:
    route = router.put(f"{PATH}/Orders").respond(200, json=ITEMS)

    result = await api.call(
        "replace", ADA, "Orders", [{"sku": "A-1", "qty": 2, "on": date(2024, 1, 31)}]
    )

    assert body_of(route) == [{"sku": "A-1", "qty": 2, "on": "2024-01-31"}]
    assert query_of(route) == ADA_QUERY
    assert result == ITEMS


async def test_update_patches_items_by_id_keeping_nulls(api: Api, router: Any) -> None:
    route = router.patch(f"{PATH}/Orders").respond(200, json=ITEMS)

    await api.call("update", ADA, "Orders", [{"__id": ID1, "qty": None, "sku": "A-2"}])

    assert body_of(route) == [{"__id": ID1, "qty": None, "sku": "A-2"}]


async def test_update_needs_an_id_on_every_item(api: Api, router: Any) -> None:
    route = router.patch(f"{PATH}/Orders").respond(200, json=ITEMS)

    with pytest.raises(ValidationError, match="__id"):
        await api.call("update", ADA, "Orders", [{"__id": ID1}, {"sku": "no id"}])

    assert not route.called


async def test_get_items_sends_item_ids(api: Api, router: Any) -> None:
    route = router.get(f"{PATH}/Orders/items").respond(200, json=ITEMS)

    items = await api.call("get_items", ADA, "Orders", [ID1, ID2])

    assert query_of(route) == [("itemIds", f"{ID1},{ID2}"), *ADA_QUERY]
    assert items == ITEMS


async def test_append_posts_items_and_returns_the_whole_list(api: Api, router: Any) -> None:
    route = router.post(f"{PATH}/Orders/items").respond(200, json=ITEMS)

    items = await api.call("append", ADA, "Orders", [{"sku": "B-2", "total": Decimal("9.50")}])

    assert route.calls[-1].request.content == b'[{"sku":"B-2","total":9.50}]'
    assert [i["__id"] for i in items] == [ID1, ID2]


async def test_append_refuses_items_carrying_ids(api: Api, router: Any) -> None:
    route = router.post(f"{PATH}/Orders/items").respond(200, json=ITEMS)

    with pytest.raises(ValidationError, match="assigns item ids"):
        await api.call("append", ADA, "Orders", [{"__id": ID1, "sku": "x"}])

    assert not route.called


@pytest.mark.parametrize("count", [0, 129])
async def test_bodies_hold_1_to_128_items(api: Api, router: Any, count: int) -> None:
    route = router.post(f"{PATH}/Orders/items").respond(200, json=ITEMS)

    with pytest.raises(ValidationError, match="1 to 128"):
        await api.call("append", ADA, "Orders", [{"sku": str(i)} for i in range(count)])

    assert not route.called


async def test_128_items_are_sent(api: Api, router: Any) -> None:
    route = router.post(f"{PATH}/Orders/items").respond(200, json=ITEMS)

    await api.call("append", ADA, "Orders", [{"sku": str(i)} for i in range(128)])

    assert len(body_of(route)) == 128


async def test_delete_items_returns_what_remains(api: Api, router: Any) -> None:
    route = router.delete(f"{PATH}/Orders/items").respond(200, json=ITEMS[1:])

    remaining = await api.call("delete_items", ADA, "Orders", ID1)

    assert query_of(route) == [("itemIds", ID1), *ADA_QUERY]
    assert remaining == ITEMS[1:]


async def test_replace_item_puts_the_fields(api: Api, router: Any) -> None:
    route = router.put(f"{PATH}/Orders/items/{ID1}").respond(200, json=ITEMS)

    items = await api.call("replace_item", ADA, "Orders", ID1, {"sku": "A-9"})

    assert body_of(route) == {"sku": "A-9"}
    assert items == ITEMS


async def test_replace_item_wraps_a_single_object_answer(api: Api, router: Any) -> None:
    router.put(f"{PATH}/Orders/items/{ID1}").respond(200, json=ITEMS[0])

    items = await api.call("replace_item", ADA, "Orders", ID1, {"sku": "A-1"})

    assert items == [ITEMS[0]]


async def test_update_item_patches_the_fields(api: Api, router: Any) -> None:
    route = router.patch(f"{PATH}/Orders/items/{ID2}").respond(200, json=ITEMS)

    await api.call("update_item", ADA, "Orders", ID2, {"total": None})

    assert body_of(route) == {"total": None}


async def test_update_item_needs_at_least_one_field(api: Api, router: Any) -> None:
    route = router.patch(f"{PATH}/Orders/items/{ID2}").respond(200, json=ITEMS)

    with pytest.raises(ValidationError, match="fields"):
        await api.call("update_item", ADA, "Orders", ID2, {})

    assert not route.called


async def test_a_channel_identifier_sends_its_sender(api: Api, router: Any) -> None:
    route = router.get(PATH).respond(200, json={"Orders": []})
    ref = PersonRef.channel(IdentifierType.LINE, "U4af", sender="1657")

    await api.call("get", ref, "Orders")

    assert query_of(route)[1:] == [("identifier", "U4af"), ("type", "LINE"), ("sender", "1657")]


async def test_a_sender_with_email_is_refused_before_sending(api: Api, router: Any) -> None:
    route = router.get(PATH).respond(200, json={"Orders": []})
    ref = PersonRef("ada@example.com", IdentifierType.EMAIL, "some-sender")

    with pytest.raises(ValidationError, match="sender"):
        await api.call("get", ref, "Orders")

    assert not route.called


async def test_lists_errors_map_to_exceptions_with_their_code(api: Api, router: Any) -> None:
    router.get(PATH).respond(
        404, json={"errorCode": 300103, "message": 'Placeholder with name "X" does not exist'}
    )

    with pytest.raises(NotFoundError) as info:
        await api.call("get", ADA, "X")

    assert info.value.message_id == "300103"


async def test_a_field_type_error_is_a_bad_request(api: Api, router: Any) -> None:
    router.post(f"{PATH}/Orders/items").respond(
        400, json={"errorCode": 300109, "message": "Invalid field value"}
    )

    with pytest.raises(BadRequestError) as info:
        await api.call("append", ADA, "Orders", [{"sku": 1}])

    assert info.value.message_id == "300109"
