"""Exact decimals (in-process and over HTTP): a number with a fraction or an exponent keeps every
digit from request to response (``12345678901234567.89``, ``24.90``); integers stay integers;
filters, segments and computed attributes still compare numbers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from infobip_profiles.testing._wire import JSONDecimal, dumps
from tests._support.persons import PERSONS, by
from tests._support.wire import Wire

ATTRIBUTES = [
    {"name": "price", "dataType": "DECIMAL"},
    {"name": "count", "dataType": "INTEGER"},
    {"name": "cart", "dataType": "LIST_OF_OBJECTS", "objectSchema": {"amount": "DECIMAL"}},
]
JSON = {"Content-Type": "application/json"}


@pytest.fixture(autouse=True)
def attributes(wire: Wire) -> None:
    wire.fake.seed(custom_attributes=ATTRIBUTES)


def send(wire: Wire, method: str, path: str, text: str, **params: str) -> httpx.Response:
    """Send ``text`` as the JSON body exactly as written (no float on the way)."""
    return wire.request(method, path, content=text.encode(), headers=JSON, params=params)


def exact(response: httpx.Response) -> Any:
    """The response body read with every non-integer number as a Decimal."""
    return json.loads(response.text, parse_float=Decimal)


def create(wire: Wire, custom: str, external_id: str = "a") -> httpx.Response:
    body = f'{{"externalId": "{external_id}", "customAttributes": {custom}}}'
    return send(wire, "POST", PERSONS, body)


@pytest.mark.parametrize("literal", ["12345678901234567.89", "24.90", "0.1", "-0.000001", "1E+3"])
def test_decimal_attribute_keeps_every_digit(wire: Wire, literal: str) -> None:
    created = create(wire, f'{{"price": {literal}}}')
    assert created.status_code == 200, created.text

    fetched = wire.get(PERSONS, params=by("EXTERNAL_ID", "a"))

    for response in (created, fetched):
        assert f'"price":{Decimal(literal)}' in response.text.replace(" ", "")
        assert exact(response)["customAttributes"]["price"] == Decimal(literal)
    assert str(exact(fetched)["customAttributes"]["price"]) == str(Decimal(literal))


def test_trailing_zero_is_kept(wire: Wire) -> None:
    create(wire, '{"price": 24.90}')

    fetched = wire.get(PERSONS, params=by("EXTERNAL_ID", "a"))

    assert '"price":24.90' in fetched.text


def test_integers_stay_integers(wire: Wire) -> None:
    created = create(wire, '{"price": 24, "count": 9223372036854775807}')

    custom = created.json()["customAttributes"]
    assert custom == {"price": 24, "count": 9223372036854775807}
    assert isinstance(custom["price"], int)
    assert '"count":9223372036854775807' in created.text


def test_put_and_patch_keep_the_digits(wire: Wire) -> None:
    create(wire, '{"price": 1.10}')

    patched = send(
        wire,
        "PATCH",
        PERSONS,
        '{"customAttributes": {"price": 99999999999999999.99}}',
        **by("EXTERNAL_ID", "a"),
    )
    assert '"price":99999999999999999.99' in patched.text
    put = send(
        wire,
        "PUT",
        PERSONS,
        '{"externalId": "a", "customAttributes": {"price": 3.30}}',
        **by("EXTERNAL_ID", "a"),
    )
    assert '"price":3.30' in put.text


def test_inspection_compares_with_float_literals(wire: Wire) -> None:
    create(wire, '{"price": 24.90}')

    [person] = wire.fake.people()
    price = person["customAttributes"]["price"]

    assert price == 24.9  # what a JSON reader makes of 24.90
    assert str(price) == "24.90"  # and every digit is still there


@pytest.mark.nonconforming  # sends a value the attribute's type refuses, on purpose
@pytest.mark.parametrize("value", ['"24.90"', "true", "1e400", "1" + "0" * 400])
def test_bad_decimal_values_are_still_400(wire: Wire, value: str) -> None:
    response = create(wire, f'{{"price": {value}}}')

    assert response.status_code == 400
    assert wire.fake.people() == ()


@pytest.mark.nonconforming  # sends a fraction to an INTEGER attribute, on purpose
def test_integer_attribute_refuses_a_fraction(wire: Wire) -> None:
    assert create(wire, '{"count": 1.5}').status_code == 400


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ('{"price": 24.9}', True),
        ('{"price": 24.90}', True),
        ('{"#gt": {"price": 24.89}}', True),
        ('{"#lt": {"price": 24.9}}', False),
        ('{"#in": {"price": [1, 24.9]}}', True),
    ],
)
def test_filters_compare_exact_decimals(wire: Wire, query: str, matches: bool) -> None:
    create(wire, '{"price": 24.90}')

    response = wire.get(PERSONS, params={"filter": query})

    assert response.status_code == 200, response.text
    assert [p["externalId"] for p in response.json()["persons"]] == (["a"] if matches else [])


def test_filters_order_large_decimals_exactly(wire: Wire) -> None:
    create(wire, '{"price": 12345678901234567.89}', "a")
    create(wire, '{"price": 12345678901234567.88}', "b")

    response = wire.get(PERSONS, params={"filter": '{"#gt": {"price": 12345678901234567.885}}'})

    assert response.status_code == 200, response.text
    assert [p["externalId"] for p in response.json()["persons"]] == ["a"]


def test_list_items_keep_the_digits(wire: Wire) -> None:
    create(wire, "{}")

    response = send(
        wire, "POST", "/people/3/lists/cart/items", '[{"amount": 10.10}]', **by("EXTERNAL_ID", "a")
    )

    assert response.status_code == 200, response.text
    assert '"amount":10.10' in response.text


@pytest.mark.nonconforming  # a number where the spec wants an item id, on purpose
def test_numeric_list_item_id_is_a_400_not_a_crash(wire: Wire) -> None:
    create(wire, "{}")

    response = send(
        wire,
        "PATCH",
        "/people/3/lists/cart",
        '[{"__id": 1.50, "amount": 1.0}]',
        **by("EXTERNAL_ID", "a"),
    )

    assert response.status_code == 400
    assert "1.50" in response.json()["message"]


# -- events ----------------------------------------------------------------------------------------

CART = {
    "definitionId": "AddedToCart",
    "title": "Added to cart",
    "fields": [{"name": "price", "type": "Decimal"}, {"name": "qty", "type": "Numeric"}],
}


def test_event_decimal_property_keeps_every_digit(wire: Wire) -> None:
    assert wire.post("/peopleevents/2/definitions", json=CART).status_code == 201
    create(wire, "{}")
    path = "/peopleevents/2/persons/a/definitions/AddedToCart/events"

    response = send(
        wire,
        "POST",
        path,
        '{"properties": {"price": 12345678901234567.89, "qty": 2}}',
        identifierType="EXTERNAL_ID",
    )

    assert response.status_code == 201, response.text
    [event] = wire.fake.events()
    assert str(event["properties"]["price"]) == "12345678901234567.89"
    assert event["properties"]["qty"] == 2
    assert '"price":12345678901234567.89' in dumps(event["properties"])


def test_computed_sum_over_decimal_properties(wire: Wire) -> None:
    assert wire.post("/peopleevents/2/definitions", json=CART).status_code == 201
    create(wire, "{}")
    wire.fake.define_computed_attribute("spend", "AddedToCart", "sum", "price")
    path = "/peopleevents/2/persons/a/definitions/AddedToCart/events"
    for price in ("0.10", "0.20"):
        response = send(
            wire,
            "POST",
            path,
            f'{{"properties": {{"price": {price}}}}}',
            identifierType="EXTERNAL_ID",
        )
        assert response.status_code == 201, response.text

    person = wire.get(PERSONS, params=by("EXTERNAL_ID", "a")).json()

    assert person["computedAttributes"]["spend"] == 0.3  # exact sum: not 0.30000000000000004


# -- the encoder -----------------------------------------------------------------------------------


def test_dumps_writes_decimals_as_numbers_and_leaves_strings_alone() -> None:
    value = {"a": Decimal("24.90"), "b": ["dec-24.90", JSONDecimal("1E+3")], "c": 1, "d": 0.5}

    assert dumps(value) == '{"a":24.90,"b":["dec-24.90",1E+3],"c":1,"d":0.5}'
    assert json.loads(dumps(value), parse_float=Decimal)["a"] == Decimal("24.90")


def test_dumps_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        dumps({"a": Decimal("NaN")})
    with pytest.raises(TypeError):
        dumps({"a": object()})


def test_json_decimal_beside_floats_ints_and_decimals() -> None:
    value = JSONDecimal("24.90")

    assert value == 24.9
    assert value != 24.91
    assert value < 24.91
    assert value > 24.89
    assert value <= 24.9
    assert value >= 24.9
    assert value == Decimal("24.9")
    assert JSONDecimal("2.0") == 2
    assert hash(JSONDecimal("2.0")) == hash(2)
    assert len({JSONDecimal("2.0"), 2, Decimal("2.00")}) == 1
