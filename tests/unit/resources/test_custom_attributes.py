"""The ``custom_attributes`` resource: requests and decoding (respx), sync and async."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from infobip_profiles import (
    CustomAttribute,
    DataType,
    NotFoundError,
    ValidationError,
)
from tests._support.client import Api, api_fixture, body_of, router_fixture

BASE = "https://api.attributes.test"
PATH = f"{BASE}/people/2/customAttributes"
ORDERS = {
    "name": "Orders",
    "dataType": "LIST_OF_OBJECTS",
    "objectSchema": {"sku": "STRING", "total": "DECIMAL"},
    "createdAt": "2024-05-01T10:00:00",
    "modifiedAt": "2024-05-01T10:00:00",
}
PLAN = {"name": "Plan", "dataType": "STRING"}


api = api_fixture(BASE, "custom_attributes")
router = router_fixture("router", BASE)


async def test_list_reads_the_custom_attributes_wrapper(api: Api, router: Any) -> None:
    route = router.get(PATH).mock(
        side_effect=[
            httpx.Response(200, json={"customAttributes": [ORDERS, PLAN], "limit": 2, "page": 1}),
            httpx.Response(200, json={"customAttributes": [], "limit": 2, "page": 2}),
        ]
    )

    attributes = await api.collect("list", page_size=2)

    assert [a.name for a in attributes] == ["Orders", "Plan"]
    assert attributes[0].data_type is DataType.LIST_OF_OBJECTS
    assert attributes[0].object_schema == {"sku": DataType.STRING, "total": DataType.DECIMAL}
    assert route.call_count == 2


async def test_list_keeps_a_data_type_this_version_does_not_know(api: Api, router: Any) -> None:
    router.get(PATH).respond(200, json={"customAttributes": [{"name": "Geo", "dataType": "GEO"}]})

    (attribute,) = await api.collect("list")

    assert attribute.data_type == "GEO"


async def test_create_sends_name_and_data_type(api: Api, router: Any) -> None:
    route = router.post(PATH).respond(200, json=PLAN)

    attribute = await api.call("create", "Plan", DataType.STRING)

    assert body_of(route) == {"name": "Plan", "dataType": "STRING"}
    assert isinstance(attribute, CustomAttribute)
    assert attribute.data_type is DataType.STRING


async def test_create_accepts_the_data_type_as_text(api: Api, router: Any) -> None:
    route = router.post(PATH).respond(200, json=PLAN)

    await api.call("create", "Plan", "string")

    assert body_of(route)["dataType"] == "STRING"


async def test_create_list_of_objects_sends_the_object_schema(api: Api, router: Any) -> None:
    route = router.post(PATH).respond(200, json=ORDERS)

    await api.call(
        "create",
        "Orders",
        DataType.LIST_OF_OBJECTS,
        object_schema={"sku": DataType.STRING, "total": "DECIMAL"},
    )

    assert body_of(route) == {
        "name": "Orders",
        "dataType": "LIST_OF_OBJECTS",
        "objectSchema": {"sku": "STRING", "total": "DECIMAL"},
    }


@pytest.mark.parametrize(
    ("name", "data_type", "schema"),
    [
        ("", DataType.STRING, None),
        ("x" * 257, DataType.STRING, None),
        ("bad[name]", DataType.STRING, None),
        ("Plan", "TEXT", None),
        ("Orders", DataType.LIST_OF_OBJECTS, None),
        ("Orders", DataType.LIST_OF_OBJECTS, {"nested": DataType.LIST_OF_OBJECTS}),
        ("Plan", DataType.STRING, {"sku": DataType.STRING}),
    ],
    ids=[
        "blank",
        "too-long",
        "brackets",
        "unknown-type",
        "list-without-schema",
        "nested-list",
        "schema-on-scalar",
    ],
)
async def test_create_refuses_a_definition_the_api_rejects(
    api: Api, router: Any, name: str, data_type: Any, schema: Any
) -> None:
    route = router.post(PATH).respond(200, json=PLAN)

    with pytest.raises(ValidationError):
        await api.call("create", name, data_type, object_schema=schema)

    assert not route.called


async def test_get_fetches_by_name_in_the_path(api: Api, router: Any) -> None:
    route = router.get(f"{PATH}/Contract%20Expiry").respond(
        200, json={"name": "Contract Expiry", "dataType": "DATE"}
    )

    attribute = await api.call("get", "Contract Expiry")

    assert route.called
    assert attribute.data_type is DataType.DATE


async def test_get_unknown_is_not_found(api: Api, router: Any) -> None:
    error = {"requestError": {"serviceException": {"messageId": "NOT_FOUND", "text": "no"}}}
    router.get(f"{PATH}/Nope").respond(404, json=error)

    with pytest.raises(NotFoundError):
        await api.call("get", "Nope")


async def test_delete_accepts_the_string_body(api: Api, router: Any) -> None:
    route = router.delete(f"{PATH}/Plan").respond(200, json="Custom attribute Plan deleted")

    assert await api.call("delete", "Plan") is None
    assert route.called
