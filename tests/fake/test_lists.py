"""v3 lists at the wire level (docs/fake-semantics.md), in-process and over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

LISTS = "/people/3/lists"
ORDERS = f"{LISTS}/Orders"
ITEMS = f"{ORDERS}/items"
ADA = {"identifier": "ada@example.com", "type": "EMAIL"}
SCHEMA = {"sku": "STRING", "qty": "INTEGER", "total": "DECIMAL", "on": "DATE"}


@pytest.fixture
def ada(wire: Any) -> dict[str, Any]:
    """A person with the ``Orders`` LIST_OF_OBJECTS attribute defined on the account."""
    defined = wire.post(
        "/people/2/customAttributes",
        json={"name": "Orders", "dataType": "LIST_OF_OBJECTS", "objectSchema": SCHEMA},
    )
    assert defined.status_code == 200, defined.text
    created = wire.post(
        "/people/2/persons",
        json={"contactInformation": {"email": [{"address": "ada@example.com"}]}},
    )
    assert created.status_code == 200, created.text
    return dict(created.json())


def append(wire: Any, *items: dict[str, Any]) -> list[dict[str, Any]]:
    response = wire.post(ITEMS, params=ADA, json=list(items))
    assert response.status_code == 200, response.text
    return list(response.json())


def stored(wire: Any) -> Any:
    return wire.fake.people()[0].get("customAttributes", {}).get("Orders")


def error(response: Any) -> tuple[int, int]:
    body = response.json()
    return response.status_code, body["errorCode"]


# -- reading --------------------------------------------------------------------------------------


def test_get_lists_returns_each_named_list(wire, ada) -> None:
    append(wire, {"sku": "A-1"})

    response = wire.get(LISTS, params={**ADA, "listNames": "Orders"})

    assert response.status_code == 200
    assert [i["sku"] for i in response.json()["Orders"]] == ["A-1"]


def test_get_lists_of_an_empty_list_is_an_empty_array(wire, ada) -> None:
    response = wire.get(LISTS, params={**ADA, "listNames": "Orders"})

    assert response.json() == {"Orders": []}


def test_get_lists_accepts_repeated_and_comma_separated_names(wire, ada) -> None:
    wire.post(
        "/people/2/customAttributes",
        json={"name": "Visits", "dataType": "LIST_OF_OBJECTS", "objectSchema": {"at": "DATE"}},
    )

    comma = wire.get(LISTS, params={**ADA, "listNames": "Orders,Visits"})
    repeated = wire.get(
        LISTS, params=[*ADA.items(), ("listNames", "Orders"), ("listNames", "Visits")]
    )

    assert comma.json() == repeated.json() == {"Orders": [], "Visits": []}


def test_unknown_list_is_a_404_300103(wire, ada) -> None:
    response = wire.get(LISTS, params={**ADA, "listNames": "Missing"})

    assert error(response) == (404, 300103)
    assert response.json()["message"] == 'Placeholder with name "Missing" does not exist'


def test_a_scalar_attribute_is_not_a_list(wire, ada) -> None:
    wire.post("/people/2/customAttributes", json={"name": "Plan", "dataType": "STRING"})

    response = wire.get(LISTS, params={**ADA, "listNames": "Plan"})

    assert error(response) == (404, 300103)


def test_unknown_person_is_a_404_300101(wire, ada) -> None:
    params = {"identifier": "ghost@example.com", "type": "EMAIL", "listNames": "Orders"}

    response = wire.get(LISTS, params=params)

    assert error(response) == (404, 300101)


@pytest.mark.nonconforming
def test_missing_identifier_is_400116(wire, ada) -> None:
    response = wire.get(LISTS, params={"type": "EMAIL", "listNames": "Orders"})

    assert error(response) == (400, 400116)
    assert response.json()["message"] == "Missing parameter: identifier"


@pytest.mark.nonconforming
def test_missing_list_names_is_400116(wire, ada) -> None:
    response = wire.get(LISTS, params=ADA)

    assert error(response) == (400, 400116)


def test_sender_with_email_is_400117_unlike_v2(wire, ada) -> None:
    response = wire.get(LISTS, params={**ADA, "sender": "x", "listNames": "Orders"})

    assert error(response) == (400, 400117)
    assert response.json()["message"] == "For type EMAIL sender shouldn't be specified"


def test_a_channel_type_without_sender_is_400117(wire, ada) -> None:
    params = {"identifier": "U4af", "type": "LINE", "listNames": "Orders"}

    response = wire.get(LISTS, params=params)

    assert error(response) == (400, 400117)


# -- append / replace -----------------------------------------------------------------------------


def test_append_gives_each_item_a_uuid_and_returns_the_whole_list(wire, ada) -> None:
    append(wire, {"sku": "A-1"})

    items = append(wire, {"sku": "B-2", "qty": 2}, {"sku": "C-3"})

    assert [i["sku"] for i in items] == ["A-1", "B-2", "C-3"]
    assert len({i["__id"] for i in items}) == 3
    assert all(uuid.UUID(i["__id"]) for i in items)
    assert stored(wire) == items


def test_item_ids_are_deterministic_per_fake(wire, ada) -> None:
    first, second = append(wire, {"sku": "A"}, {"sku": "B"})

    assert uuid.UUID(second["__id"]).int == uuid.UUID(first["__id"]).int + 1


def test_append_with_an_id_is_429002(wire, ada) -> None:
    response = wire.post(ITEMS, params=ADA, json=[{"__id": str(uuid.uuid4()), "sku": "x"}])

    assert error(response) == (400, 429002)
    assert stored(wire) is None


def test_a_field_of_the_wrong_type_is_300109_and_changes_nothing(wire, ada) -> None:
    append(wire, {"sku": "A-1"})

    response = wire.post(ITEMS, params=ADA, json=[{"sku": "ok"}, {"sku": 5}])

    assert error(response) == (400, 300109)
    assert [i["sku"] for i in stored(wire)] == ["A-1"]


def test_a_field_outside_the_object_schema_is_300109(wire, ada) -> None:
    response = wire.post(ITEMS, params=ADA, json=[{"colour": "red"}])

    assert error(response) == (400, 300109)


def test_an_empty_array_is_refused(wire, ada) -> None:
    response = wire.post(ITEMS, params=ADA, json=[])

    assert error(response) == (400, 400101)


def test_more_than_128_items_are_refused(wire, ada) -> None:
    response = wire.post(ITEMS, params=ADA, json=[{"sku": str(i)} for i in range(129)])

    assert error(response) == (400, 400101)
    assert stored(wire) is None


def test_128_items_are_accepted(wire, ada) -> None:
    assert len(append(wire, *({"sku": str(i)} for i in range(128)))) == 128


@pytest.mark.nonconforming
def test_malformed_json_is_400101(wire, ada) -> None:
    response = wire.post(
        ITEMS, params=ADA, content=b"[{", headers={"content-type": "application/json"}
    )

    assert error(response) == (400, 400101)


def test_replace_swaps_every_item_for_new_ones(wire, ada) -> None:
    (old,) = append(wire, {"sku": "A-1"})

    response = wire.put(ORDERS, params=ADA, json=[{"sku": "Z-9"}])

    assert response.status_code == 200
    (new,) = response.json()
    assert new["sku"] == "Z-9"
    assert new["__id"] != old["__id"]
    assert stored(wire) == [new]


def test_replace_with_ids_is_429002(wire, ada) -> None:
    (old,) = append(wire, {"sku": "A-1"})

    response = wire.put(ORDERS, params=ADA, json=[old])

    assert error(response) == (400, 429002)


# -- update ---------------------------------------------------------------------------------------


def test_patch_by_id_keeps_omitted_fields_and_null_deletes_one(wire, ada) -> None:
    first, second = append(wire, {"sku": "A-1", "qty": 1, "on": "2024-01-31"}, {"sku": "B-2"})

    response = wire.patch(ORDERS, params=ADA, json=[{"__id": first["__id"], "qty": 5, "on": None}])

    assert response.status_code == 200
    assert response.json() == [{"__id": first["__id"], "sku": "A-1", "qty": 5}, second]


def test_patch_needs_an_id_on_every_item(wire, ada) -> None:
    (item,) = append(wire, {"sku": "A-1"})

    response = wire.patch(ORDERS, params=ADA, json=[{"__id": item["__id"], "qty": 1}, {"qty": 2}])

    assert error(response) == (400, 429002)
    assert stored(wire) == [item]


@pytest.mark.nonconforming
@pytest.mark.parametrize("bad_id", [["x"], {"id": "x"}, 7])
def test_patch_with_an_id_that_is_not_a_string_is_a_400_429002(wire, ada, bad_id: Any) -> None:
    (item,) = append(wire, {"sku": "A-1"})

    response = wire.patch(ORDERS, params=ADA, json=[{"__id": bad_id, "qty": 1}])

    assert error(response) == (400, 429002)
    assert stored(wire) == [item]


def test_patch_with_an_unknown_id_is_a_404_300130(wire, ada) -> None:
    (item,) = append(wire, {"sku": "A-1"})
    ghost = str(uuid.uuid4())

    response = wire.patch(ORDERS, params=ADA, json=[{"__id": ghost, "qty": 1}])

    assert error(response) == (404, 300130)
    assert ghost in response.json()["message"]
    assert stored(wire) == [item]


def test_patch_with_a_wrong_type_changes_no_item(wire, ada) -> None:
    first, second = append(wire, {"sku": "A"}, {"sku": "B"})

    response = wire.patch(
        ORDERS,
        params=ADA,
        json=[{"__id": first["__id"], "qty": 1}, {"__id": second["__id"], "qty": "many"}],
    )

    assert error(response) == (400, 300109)
    assert stored(wire) == [first, second]


# -- items by id ----------------------------------------------------------------------------------


def test_get_items_returns_the_asked_items_in_order(wire, ada) -> None:
    a, _, c = append(wire, {"sku": "A"}, {"sku": "B"}, {"sku": "C"})

    response = wire.get(ITEMS, params={**ADA, "itemIds": f"{c['__id']},{a['__id']}"})

    assert response.json() == [c, a]


def test_get_items_with_a_missing_id_is_300130(wire, ada) -> None:
    append(wire, {"sku": "A"})

    response = wire.get(ITEMS, params={**ADA, "itemIds": str(uuid.uuid4())})

    assert error(response) == (404, 300130)


def test_an_item_id_that_is_not_a_uuid_is_429002(wire, ada) -> None:
    response = wire.get(ITEMS, params={**ADA, "itemIds": "123456L"})

    assert error(response) == (400, 429002)
    assert response.json()["message"] == "Item id is invalid: 123456L"


def test_delete_items_returns_the_remaining_items(wire, ada) -> None:
    a, b = append(wire, {"sku": "A"}, {"sku": "B"})

    response = wire.delete(ITEMS, params={**ADA, "itemIds": a["__id"]})

    assert response.status_code == 200
    assert response.json() == [b]
    assert stored(wire) == [b]


def test_put_item_replaces_its_fields_and_keeps_its_id(wire, ada) -> None:
    a, b = append(wire, {"sku": "A", "qty": 1}, {"sku": "B"})

    response = wire.put(f"{ITEMS}/{a['__id']}", params=ADA, json={"sku": "A-2"})

    assert response.status_code == 200
    assert response.json() == [{"__id": a["__id"], "sku": "A-2"}, b]


def test_patch_item_merges_and_null_deletes(wire, ada) -> None:
    (a,) = append(wire, {"sku": "A", "qty": 1})

    response = wire.patch(f"{ITEMS}/{a['__id']}", params=ADA, json={"qty": None, "total": 2.5})

    assert response.json() == [{"__id": a["__id"], "sku": "A", "total": 2.5}]


def test_patch_item_with_an_empty_body_is_400101(wire, ada) -> None:
    (a,) = append(wire, {"sku": "A"})

    response = wire.patch(f"{ITEMS}/{a['__id']}", params=ADA, json={})

    assert error(response) == (400, 400101)


def test_patch_unknown_item_is_300130(wire, ada) -> None:
    append(wire, {"sku": "A"})

    response = wire.patch(f"{ITEMS}/{uuid.uuid4()}", params=ADA, json={"qty": 1})

    assert error(response) == (404, 300130)


# -- delete lists and interplay with v2 -----------------------------------------------------------


def test_delete_lists_answers_204_and_empties_them(wire, ada) -> None:
    append(wire, {"sku": "A"})

    response = wire.delete(LISTS, params={**ADA, "listNames": "Orders"})

    assert response.status_code == 204
    assert response.content == b""
    assert stored(wire) is None


def test_items_written_through_v2_get_ids_when_lists_reads_them(wire, ada) -> None:
    wire.patch(
        "/people/2/persons",
        params={"identifier": "ada@example.com", "type": "EMAIL"},
        json={"customAttributes": {"Orders": [{"sku": "V2"}]}},
    )

    response = wire.get(LISTS, params={**ADA, "listNames": "Orders"})

    (item,) = response.json()["Orders"]
    assert item["sku"] == "V2"
    again = wire.get(ITEMS, params={**ADA, "itemIds": item["__id"]})
    assert again.json() == [item]


def test_list_names_match_ignoring_case(wire, ada) -> None:
    append(wire, {"sku": "A"})

    response = wire.get(f"{LISTS}/orders/items", params={**ADA, "itemIds": stored(wire)[0]["__id"]})

    assert response.status_code == 200


# -- through the SDK ------------------------------------------------------------------------------


def test_sdk_edits_a_list_item_by_item(client, ada) -> None:
    from datetime import date

    from infobip_profiles import PersonRef

    ref = PersonRef.email("ADA@example.com")
    items = client.lists.append(ref, "Orders", [{"sku": "A", "on": date(2026, 1, 31)}])
    item_id = items[0]["__id"]

    client.lists.update_item(ref, "Orders", item_id, {"qty": 3, "on": None})
    client.lists.append(ref, "Orders", [{"sku": "B"}])

    (orders,) = client.lists.get(ref, "Orders").values()
    assert orders[0] == {"__id": item_id, "sku": "A", "qty": 3}
    assert orders[1]["sku"] == "B"
    assert orders[1]["__id"] != item_id


async def test_sdk_async_unknown_item_is_not_found(aclient, ada) -> None:
    from infobip_profiles import NotFoundError, PersonRef

    with pytest.raises(NotFoundError) as info:
        await aclient.lists.get_items(
            PersonRef.email("ada@example.com"), "Orders", [str(uuid.uuid4())]
        )

    assert info.value.message_id == "300130"
