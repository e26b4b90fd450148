"""The ``tags`` resource: the request each method sends and how it decodes the answer (respx).

Every test runs with the sync and the async client.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    BadRequestError,
    NotFoundError,
    PersonRef,
    Tag,
    ValidationError,
)
from tests._support.client import Api, api_fixture, body_of, router_fixture

BASE = "https://api.tags.test"
PATH = f"{BASE}/people/2/tags"
VIP = {
    "id": 3,
    "name": "VIP",
    "createdAt": "2024-05-01T10:00:00",
    "modifiedAt": "2024-05-01T10:00:00",
}
V2_404 = {"requestError": {"serviceException": {"messageId": "NOT_FOUND", "text": "Tag x"}}}


api = api_fixture(BASE, "tags")
router = router_fixture("router", BASE)


async def test_list_reads_the_bare_array_across_pages(api: Api, router: Any) -> None:
    gold = {**VIP, "id": 4, "name": "Gold"}
    route = router.get(PATH).mock(
        side_effect=[httpx.Response(200, json=[VIP, gold]), httpx.Response(200, json=[])]
    )

    tags = await api.collect("list", page_size=2, order_by="name")

    assert [t.name for t in tags] == ["VIP", "Gold"]
    assert all(isinstance(t, Tag) for t in tags)
    first = dict(route.calls[0].request.url.params)
    assert first == {"orderBy": "name:asc", "page": "1", "limit": "2"}


async def test_create_posts_the_name_and_decodes_the_tag(api: Api, router: Any) -> None:
    route = router.post(PATH).respond(200, json=VIP)

    tag = await api.call("create", "VIP")

    assert body_of(route) == {"name": "VIP"}
    assert tag.id == 3
    assert tag.created_at == datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("name", ["", "  ", "x" * 257], ids=["empty", "blank", "too-long"])
async def test_create_refuses_a_bad_name_before_sending(api: Api, router: Any, name: str) -> None:
    route = router.post(PATH).respond(200, json=VIP)

    with pytest.raises(ValidationError):
        await api.call("create", name)

    assert not route.called


async def test_create_accepts_a_256_character_name(api: Api, router: Any) -> None:
    route = router.post(PATH).respond(200, json={**VIP, "name": "x" * 256})

    await api.call("create", "x" * 256)

    assert body_of(route) == {"name": "x" * 256}


async def test_create_duplicate_is_a_bad_request(api: Api, router: Any) -> None:
    error = {"requestError": {"serviceException": {"messageId": "BAD_REQUEST", "text": "dup"}}}
    router.post(PATH).respond(400, json=error)

    with pytest.raises(BadRequestError):
        await api.call("create", "vip")


async def test_get_puts_the_name_in_the_path_encoded(api: Api, router: Any) -> None:
    route = router.get(f"{PATH}/Big%20Spender").respond(200, json={**VIP, "name": "Big Spender"})

    tag = await api.call("get", "Big Spender")

    assert route.called
    assert tag.name == "Big Spender"


async def test_get_unknown_tag_is_not_found(api: Api, router: Any) -> None:
    router.get(f"{PATH}/Nope").respond(404, json=V2_404)

    with pytest.raises(NotFoundError):
        await api.call("get", "Nope")


async def test_delete_accepts_the_string_body(api: Api, router: Any) -> None:
    route = router.delete(f"{PATH}/VIP").respond(200, json="Tag VIP deleted")

    result = await api.call("delete", "VIP")

    assert route.called
    assert result is None


async def test_add_to_people_sends_identity_queries(api: Api, router: Any) -> None:
    route = router.patch(f"{PATH}/VIP/persons").respond(200)

    await api.call("add_to_people", "VIP", [PersonRef.external_id("crm-1"), PersonRef.id(2)])

    assert body_of(route) == {
        "people": [
            {"query": {"identifier": "crm-1", "type": "EXTERNAL_ID"}},
            {"query": {"identifier": "2", "type": "ID"}},
        ]
    }


async def test_add_to_people_splits_by_1000(api: Api, router: Any) -> None:
    route = router.patch(f"{PATH}/VIP/persons").respond(200)

    await api.call("add_to_people", "VIP", (PersonRef.id(i) for i in range(1, 2002)))

    assert [len(body_of(route, i)["people"]) for i in range(3)] == [1000, 1000, 1]


async def test_remove_from_people_uses_delete_with_a_body(api: Api, router: Any) -> None:
    route = router.delete(f"{PATH}/VIP/persons").respond(200)

    await api.call("remove_from_people", "VIP", [PersonRef.phone("41793026727")])

    assert body_of(route) == {"people": [{"query": {"identifier": "41793026727", "type": "PHONE"}}]}


async def test_remove_from_people_with_unknown_tag_is_not_found(api: Api, router: Any) -> None:
    router.delete(f"{PATH}/Nope/persons").respond(404, json=V2_404)

    with pytest.raises(NotFoundError):
        await api.call("remove_from_people", "Nope", [PersonRef.id(1)])
