"""The list writes check their arguments in a fixed order (list name, item id, person, items), so
a call with several bad arguments always names the same one first; nothing is sent."""

from __future__ import annotations

from typing import Any

import pytest

from infobip_profiles import IdentifierType, PersonRef, ValidationError
from tests._support.client import Api, api_fixture, router_fixture

BASE = "https://api.lists-order.test"
BAD_PERSON = PersonRef("ada@example.com", IdentifierType.EMAIL, "some-sender")
GOOD_PERSON = PersonRef.email("ada@example.com")
NO_ITEMS: list[dict[str, Any]] = []

api = api_fixture(BASE, "lists")
router = router_fixture("router", BASE)


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("replace", (BAD_PERSON, " ", NO_ITEMS)),
        ("update", (BAD_PERSON, " ", NO_ITEMS)),
        ("append", (BAD_PERSON, " ", NO_ITEMS)),
        ("replace_item", (BAD_PERSON, " ", " ", {})),
        ("update_item", (BAD_PERSON, " ", " ", {})),
    ],
)
async def test_a_blank_list_name_is_named_before_anything_else(
    api: Api, router: Any, method: str, args: tuple[Any, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        await api.call(method, *args)

    assert caught.value.field == "listName"
    assert not router.calls


@pytest.mark.parametrize("method", ["replace_item", "update_item"])
async def test_then_the_item_id_then_the_person(api: Api, router: Any, method: str) -> None:
    with pytest.raises(ValidationError) as bad_id:
        await api.call(method, BAD_PERSON, "Orders", " ", {})
    with pytest.raises(ValidationError) as bad_person:
        await api.call(method, BAD_PERSON, "Orders", "x1", {})

    assert bad_id.value.field == "itemId"
    assert bad_person.value.field == "sender"
    assert not router.calls


@pytest.mark.parametrize("method", ["replace", "update", "append"])
async def test_the_items_are_checked_last(api: Api, router: Any, method: str) -> None:
    with pytest.raises(ValidationError) as bad_person:
        await api.call(method, BAD_PERSON, "Orders", NO_ITEMS)
    with pytest.raises(ValidationError) as bad_items:
        await api.call(method, GOOD_PERSON, "Orders", NO_ITEMS)

    assert bad_person.value.field == "sender"
    assert bad_items.value.field == "items"
    assert not router.calls
