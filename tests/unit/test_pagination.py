"""``Pager``: lazy iteration over the API's three paging styles, sync and async.

* ``page``/``limit`` from 1: ``people.list`` (persons; companies, tags and attributes page alike);
* ``page``/``size`` from 0: segments (``{"results", "paging"}``);
* ``offset``/``limit``: event definitions (a bare array, and 404 once there is nothing left).

The last two are driven through :class:`PageSpec` directly, so they test the paging core whatever
the state of the segments and events resources.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from infobip_profiles import AsyncProfilesClient, NotFoundError, ProfilesClient, ServerError
from infobip_profiles.filters import F
from infobip_profiles.pagination import AsyncPager, Page, Pager, PageSpec
from tests._support.client import client_fixture, router_fixture

KEY = "test-key"
BASE = "https://acme.api.infobip.com"
PERSONS = f"{BASE}/people/2/persons"
SEGMENTS = f"{BASE}/people/3/segments"
DEFINITIONS = f"{BASE}/peopleevents/2/definitions"


client = client_fixture(KEY, BASE)
api = router_fixture()


def pager(client: Any, spec: PageSpec[Any]) -> Any:
    """The pager a resource method would return for ``spec`` on this client."""
    return (
        AsyncPager(client, spec) if isinstance(client, AsyncProfilesClient) else Pager(client, spec)
    )


async def items_of(p: Any) -> list[Any]:
    if isinstance(p, AsyncPager):
        return [item async for item in p]
    return list(p)


async def pages_of(p: Any) -> list[Page[Any]]:
    if isinstance(p, AsyncPager):
        return [page async for page in p.pages()]
    return list(p.pages())


async def first_page_of(p: Any) -> Page[Any]:
    if isinstance(p, AsyncPager):
        return await p.first_page()
    result: Page[Any] = p.first_page()
    return result


def params(call: Any) -> dict[str, str]:
    return dict(parse_qsl(call.request.url.query.decode()))


def people(*ids: int) -> httpx.Response:
    return httpx.Response(200, json={"persons": [{"id": i} for i in ids]})


def segment_page(ids: list[int], total_pages: int | None = None) -> httpx.Response:
    paging = {"page": 0, "size": 2, "totalResults": 5}
    if total_pages is not None:
        paging["totalPages"] = total_pages
    return httpx.Response(200, json={"results": [{"id": i} for i in ids], "paging": paging})


def definitions(*ids: str) -> httpx.Response:
    return httpx.Response(200, json=[{"definitionId": i} for i in ids])


SEGMENT_SPEC = PageSpec("get-segments", lambda d: d["id"], 2, "results")
DEFINITION_SPEC = PageSpec("list-event-definitions", lambda d: d["definitionId"], 2, None)


# -- page/limit from 1 (persons) ----------------------------------------------------------------


async def test_people_list_iterates_every_page(client: Any, api: Any) -> None:
    route = api.get(PERSONS).mock(side_effect=[people(1, 2), people(3, 4), people(5)])

    found = await items_of(client.people.list(page_size=2))

    assert [p.id for p in found] == [1, 2, 3, 4, 5]
    assert [(params(c)["page"], params(c)["limit"]) for c in route.calls] == [
        ("1", "2"),
        ("2", "2"),
        ("3", "2"),
    ]


async def test_people_list_keeps_filter_and_order_on_every_page(client: Any, api: Any) -> None:
    route = api.get(PERSONS).mock(side_effect=[people(1, 2), people(3, 4), people()])

    await items_of(
        client.people.list(filter=F("city") == "Split", order_by="createdAt:desc", page_size=2)
    )

    assert route.call_count == 3
    for call in route.calls:
        assert params(call)["filter"] == '{"city":"Split"}'
        assert params(call)["orderBy"] == "createdAt:desc"


async def test_people_list_ends_on_an_empty_page(client: Any, api: Any) -> None:
    route = api.get(PERSONS).mock(side_effect=[people(1, 2), people()])

    found = await items_of(client.people.list(page_size=2))

    assert [p.id for p in found] == [1, 2]
    assert route.call_count == 2


async def test_people_list_of_nobody_is_empty(client: Any, api: Any) -> None:
    route = api.get(PERSONS).mock(side_effect=[people()])

    assert await items_of(client.people.list()) == []
    assert route.call_count == 1


async def test_default_page_size_is_100(client: Any, api: Any) -> None:
    route = api.get(PERSONS).mock(side_effect=[people(1)])

    await items_of(client.people.list())

    assert params(route.calls[0])["limit"] == "100"


async def test_pager_is_lazy(client: Any, api: Any) -> None:
    route = api.get(PERSONS).mock(side_effect=[people(1, 2), people(3, 4)])

    p = client.people.list(page_size=2)

    assert route.call_count == 0
    if isinstance(p, AsyncPager):
        iterator = p.__aiter__()
        first = await iterator.__anext__()
        second = await iterator.__anext__()
        await iterator.aclose()
    else:
        iterator = iter(p)
        first, second = next(iterator), next(iterator)
    assert [first.id, second.id] == [1, 2]
    assert route.call_count == 1


async def test_pages_yields_each_page_with_its_number(client: Any, api: Any) -> None:
    api.get(PERSONS).mock(side_effect=[people(1, 2), people(3)])

    pages = await pages_of(client.people.list(page_size=2))

    assert [(page.number, [p.id for p in page]) for page in pages] == [(1, [1, 2]), (2, [3])]


async def test_first_page_fetches_one_page_only(client: Any, api: Any) -> None:
    route = api.get(PERSONS).mock(side_effect=[people(1, 2), people(3, 4)])

    page = await first_page_of(client.people.list(page_size=2))

    assert [p.id for p in page.items] == [1, 2]
    assert page.number == 1
    assert route.call_count == 1


async def test_first_page_reads_the_total_count(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(200, json={"persons": [{"id": 1}], "totalCount": 41})

    page = await first_page_of(client.people.list(page_size=1))

    assert page.total == 41


async def test_a_pager_can_be_iterated_again(client: Any, api: Any) -> None:
    route = api.get(PERSONS).mock(side_effect=[people(1), people(1)])
    p = client.people.list(page_size=5)

    first = await items_of(p)
    again = await items_of(p)

    assert [x.id for x in first] == [x.id for x in again] == [1]
    assert route.call_count == 2


async def test_an_error_mid_listing_is_raised(client: Any, api: Any) -> None:
    api.get(PERSONS).mock(side_effect=[people(1, 2), httpx.Response(500)])

    with pytest.raises(ServerError):
        await items_of(client.people.list(page_size=2))


async def test_to_list_collects_everything(client: Any, api: Any) -> None:
    api.get(PERSONS).mock(side_effect=[people(1, 2), people(3)])
    p = client.people.list(page_size=2)

    found = await p.to_list() if isinstance(p, AsyncPager) else p.to_list()

    assert [x.id for x in found] == [1, 2, 3]


# -- page/size from 0 (segments) ---------------------------------------------------------------


async def test_page_size_style_starts_at_zero_and_pages_on(client: Any, api: Any) -> None:
    route = api.get(SEGMENTS).mock(
        side_effect=[segment_page([1, 2]), segment_page([3, 4]), segment_page([5])]
    )

    found = await items_of(pager(client, SEGMENT_SPEC))

    assert found == [1, 2, 3, 4, 5]
    assert [(params(c)["page"], params(c)["size"]) for c in route.calls] == [
        ("0", "2"),
        ("1", "2"),
        ("2", "2"),
    ]


async def test_page_size_style_stops_at_the_last_of_total_pages(client: Any, api: Any) -> None:
    route = api.get(SEGMENTS).mock(
        side_effect=[segment_page([1, 2], total_pages=2), segment_page([3, 4], total_pages=2)]
    )

    found = await items_of(pager(client, SEGMENT_SPEC))

    assert found == [1, 2, 3, 4]
    assert route.call_count == 2


async def test_page_size_style_keeps_its_parameters_on_every_page(client: Any, api: Any) -> None:
    route = api.get(SEGMENTS).mock(side_effect=[segment_page([1, 2]), segment_page([])])
    spec = PageSpec("get-segments", lambda d: d["id"], 2, "results", params=[("sort", "name,asc")])

    await items_of(pager(client, spec))

    assert [params(c)["sort"] for c in route.calls] == ["name,asc", "name,asc"]


async def test_page_size_style_reads_total_results(client: Any, api: Any) -> None:
    api.get(SEGMENTS).mock(side_effect=[segment_page([1, 2], total_pages=3)])

    page = await first_page_of(pager(client, SEGMENT_SPEC))

    assert (page.number, page.total, page.total_pages) == (0, 5, 3)


# -- offset/limit (event definitions) ------------------------------------------------------------


async def test_offset_style_advances_by_the_page_size(client: Any, api: Any) -> None:
    route = api.get(DEFINITIONS).mock(
        side_effect=[definitions("a", "b"), definitions("c", "d"), definitions("e")]
    )

    found = await items_of(pager(client, DEFINITION_SPEC))

    assert found == ["a", "b", "c", "d", "e"]
    assert [(params(c)["offset"], params(c)["limit"]) for c in route.calls] == [
        ("0", "2"),
        ("2", "2"),
        ("4", "2"),
    ]


async def test_offset_style_ends_on_the_404_for_an_empty_page(client: Any, api: Any) -> None:
    route = api.get(DEFINITIONS).mock(side_effect=[definitions("a", "b"), httpx.Response(404)])

    found = await items_of(pager(client, DEFINITION_SPEC))

    assert found == ["a", "b"]
    assert route.call_count == 2


async def test_offset_style_with_nothing_at_all_is_empty(client: Any, api: Any) -> None:
    api.get(DEFINITIONS).respond(404)

    page = await first_page_of(pager(client, DEFINITION_SPEC))

    assert page.items == []


async def test_offset_style_keeps_order_parameters(client: Any, api: Any) -> None:
    route = api.get(DEFINITIONS).mock(side_effect=[definitions("a", "b"), httpx.Response(404)])
    spec = PageSpec(
        "list-event-definitions",
        lambda d: d["definitionId"],
        2,
        None,
        params=[("orderField", "Title"), ("orderType", "Desc")],
    )

    await items_of(pager(client, spec))

    assert [(params(c)["orderField"], params(c)["orderType"]) for c in route.calls] == [
        ("Title", "Desc"),
        ("Title", "Desc"),
    ]


async def test_a_404_on_a_page_limit_listing_is_an_error(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(404)

    with pytest.raises(NotFoundError):
        await items_of(client.people.list())


# -- the twins agree -----------------------------------------------------------------------------


def test_sync_and_async_pagers_offer_the_same_methods() -> None:
    public = {n for n in dir(Pager) if not n.startswith("_")}

    assert public == {n for n in dir(AsyncPager) if not n.startswith("_")}
    assert hasattr(Pager, "__iter__")
    assert hasattr(AsyncPager, "__aiter__")


def test_list_returns_the_pager_of_its_client() -> None:
    sync = ProfilesClient(api_key=KEY, throttle=False)
    asynchronous = AsyncProfilesClient(api_key=KEY, throttle=False)

    assert isinstance(sync.people.list(), Pager)
    assert isinstance(asynchronous.people.list(), AsyncPager)
