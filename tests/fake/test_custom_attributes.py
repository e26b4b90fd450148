"""Custom attribute definitions and the append call at the wire level (docs/fake-semantics.md)."""

from __future__ import annotations

import pytest

from tests._support.persons import by, create, fetch
from tests._support.wire import Wire

ATTRS = "/people/2/customAttributes"
CART = {
    "name": "cart",
    "dataType": "LIST_OF_OBJECTS",
    "objectSchema": {"sku": "STRING", "qty": "INTEGER"},
}


def define(wire: Wire, body: dict) -> dict:
    response = wire.post(ATTRS, json=body)
    assert response.status_code == 200, response.text
    definition: dict = response.json()
    return definition


def test_create_answers_200_with_the_definition(wire: Wire) -> None:
    definition = define(wire, {"name": "Contract Expiry", "dataType": "DATE"})

    assert definition["name"] == "Contract Expiry"
    assert definition["dataType"] == "DATE"
    assert "createdAt" in definition


def test_list_of_objects_keeps_its_schema(wire: Wire) -> None:
    assert define(wire, CART)["objectSchema"] == CART["objectSchema"]


def test_duplicate_name_ignoring_case_is_400(wire: Wire) -> None:
    define(wire, {"name": "Tier", "dataType": "STRING"})

    response = wire.post(ATTRS, json={"name": "tier", "dataType": "INTEGER"})

    assert response.status_code == 400
    assert wire.get(f"{ATTRS}/tier").json()["dataType"] == "STRING"


@pytest.mark.nonconforming
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "a{b}", "dataType": "STRING"}, "name"),
        ({"name": "x", "dataType": "COLOUR"}, "dataType"),
        ({"name": "x", "dataType": "LIST_OF_OBJECTS"}, "objectSchema"),
    ],
)
def test_invalid_definitions_are_400_naming_the_field(wire: Wire, body: dict, field: str) -> None:
    response = wire.post(ATTRS, json=body)

    assert response.status_code == 400
    assert field in response.json()["requestError"]["serviceException"]["validationErrors"]
    assert wire.fake.custom_attributes() == ()


def test_get_by_name(wire: Wire) -> None:
    created = define(wire, {"name": "Tier", "dataType": "STRING"})

    assert wire.get(f"{ATTRS}/Tier").json() == created


def test_get_unknown_is_404(wire: Wire) -> None:
    assert wire.get(f"{ATTRS}/nope").status_code == 404


def test_list_wrapper(wire: Wire) -> None:
    define(wire, {"name": "b", "dataType": "STRING"})
    define(wire, {"name": "a", "dataType": "BOOLEAN"})

    body = wire.get(ATTRS, params={"orderBy": "name:asc"}).json()

    assert [d["name"] for d in body["customAttributes"]] == ["a", "b"]
    assert body["limit"] == 20
    assert body["page"] == 1
    assert body["orderBy"] == "name:asc"
    assert body["totalCount"] == 2


def test_list_pages(wire: Wire) -> None:
    for name in "abc":
        define(wire, {"name": name, "dataType": "STRING"})

    body = wire.get(ATTRS, params={"limit": "2", "page": "2"}).json()

    assert [d["name"] for d in body["customAttributes"]] == ["c"]
    assert body["totalCount"] == 3


@pytest.mark.nonconforming
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "2147483648"}, "page"),  # past int32: was echoed back as an invalid page
        ({"page": ""}, "page"),
        ({"includeTotalCount": ""}, "includeTotalCount"),
    ],
)
def test_list_with_a_paging_parameter_the_spec_forbids_is_a_400(
    wire: Wire, params: dict[str, str], field: str
) -> None:
    response = wire.get(ATTRS, params=params)

    assert response.status_code == 400
    exc = response.json()["requestError"]["serviceException"]
    assert list(exc["validationErrors"]) == [field]


def test_delete_answers_200_with_a_string_and_drops_values(wire: Wire) -> None:
    define(wire, {"name": "Tier", "dataType": "STRING"})
    create(wire, externalId="a", customAttributes={"Tier": "gold"})

    response = wire.delete(f"{ATTRS}/tier")

    assert response.status_code == 200
    assert isinstance(response.json(), str)
    assert fetch(wire, "EXTERNAL_ID", "a").json()["customAttributes"] == {}
    assert wire.get(f"{ATTRS}/Tier").status_code == 404


def test_delete_unknown_is_404(wire: Wire) -> None:
    assert wire.delete(f"{ATTRS}/nope").status_code == 404


# -- append ----------------------------------------------------------------------------------------


def test_append_returns_the_whole_list(wire: Wire) -> None:
    define(wire, CART)
    create(wire, externalId="a", customAttributes={"cart": [{"sku": "1", "qty": 1}]})

    response = wire.post(
        f"{ATTRS}/cart/append", params=by("EXTERNAL_ID", "a"), json={"sku": "2", "qty": 3}
    )

    assert response.status_code == 200
    assert response.json() == [{"sku": "1", "qty": 1}, {"sku": "2", "qty": 3}]
    assert fetch(wire, "EXTERNAL_ID", "a").json()["customAttributes"]["cart"] == response.json()


def test_append_to_an_empty_list(wire: Wire) -> None:
    define(wire, CART)
    create(wire, externalId="a")

    response = wire.post(f"{ATTRS}/cart/append", params=by("EXTERNAL_ID", "a"), json={"sku": "1"})

    assert response.json() == [{"sku": "1"}]


def test_append_to_unknown_person_is_404(wire: Wire) -> None:
    define(wire, CART)

    response = wire.post(
        f"{ATTRS}/cart/append", params=by("EXTERNAL_ID", "nobody"), json={"sku": "1"}
    )

    assert response.status_code == 404


def test_append_to_unknown_attribute_is_404(wire: Wire) -> None:
    create(wire, externalId="a")

    response = wire.post(f"{ATTRS}/nope/append", params=by("EXTERNAL_ID", "a"), json={"sku": "1"})

    assert response.status_code == 404


def test_append_to_a_non_list_attribute_is_400(wire: Wire) -> None:
    define(wire, {"name": "Tier", "dataType": "STRING"})
    create(wire, externalId="a")

    response = wire.post(f"{ATTRS}/Tier/append", params=by("EXTERNAL_ID", "a"), json={"sku": "1"})

    assert response.status_code == 400


def test_append_item_not_fitting_the_schema_is_400_and_changes_nothing(wire: Wire) -> None:
    define(wire, CART)
    create(wire, externalId="a", customAttributes={"cart": [{"sku": "1"}]})

    response = wire.post(
        f"{ATTRS}/cart/append", params=by("EXTERNAL_ID", "a"), json={"colour": "red"}
    )

    assert response.status_code == 400
    assert "cart" in response.json()["requestError"]["serviceException"]["validationErrors"]
    assert fetch(wire, "EXTERNAL_ID", "a").json()["customAttributes"]["cart"] == [{"sku": "1"}]
