"""Python values <-> custom attribute data types, in both directions.

The round trips go through the fake with the real client (in-process and over HTTP): define the
attribute, write a person with a Python value, read the person back, decode, compare.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    CustomAttribute,
    DataType,
    Gender,
    Person,
    PersonRef,
    ProfilesClient,
    ValidationError,
    decode_attributes,
    encode_attributes,
)
from infobip_profiles.models import decode_value, encode_value, infer_data_type

UTC = timezone.utc
ORDER_SCHEMA = {
    "sku": DataType.STRING,
    "qty": DataType.INTEGER,
    "total": DataType.DECIMAL,
    "paid": DataType.BOOLEAN,
    "on": DataType.DATE,
    "at": DataType.DATE_TIME,
}
ORDERS = [
    {
        "sku": "A-1",
        "qty": 2,
        "total": Decimal("19.90"),
        "paid": True,
        "on": date(2026, 1, 31),
        "at": datetime(2026, 1, 31, 9, 15, 0, tzinfo=UTC),
    },
    {"sku": "B-2", "qty": 1},
]

ROUND_TRIPS = [
    pytest.param(DataType.STRING, "Grüße, 世界", id="string"),
    pytest.param(DataType.INTEGER, 9223372036854775807, id="integer-max"),
    pytest.param(DataType.INTEGER, -42, id="integer-negative"),
    pytest.param(DataType.DECIMAL, Decimal("1234.5678"), id="decimal"),
    pytest.param(DataType.BOOLEAN, True, id="true"),
    pytest.param(DataType.BOOLEAN, False, id="false"),
    pytest.param(DataType.DATE, date(2026, 2, 28), id="date"),
    pytest.param(DataType.DATE_TIME, datetime(2026, 2, 28, 23, 59, 58, tzinfo=UTC), id="datetime"),
    pytest.param(DataType.LIST_OF_OBJECTS, ORDERS, id="list-of-objects"),
]


def define(client: ProfilesClient, data_type: DataType) -> CustomAttribute:
    schema = ORDER_SCHEMA if data_type is DataType.LIST_OF_OBJECTS else None
    return client.custom_attributes.create("Value", data_type, object_schema=schema)


@pytest.mark.parametrize(("data_type", "value"), ROUND_TRIPS)
def test_every_data_type_round_trips_through_the_service(
    client: ProfilesClient, data_type: DataType, value: Any
) -> None:
    define(client, data_type)
    client.people.create(Person(external_id="p-1", custom_attributes={"Value": value}))

    stored = client.people.get(PersonRef.external_id("p-1"))
    decoded = decode_attributes(stored.custom_attributes, client.custom_attributes.list())

    assert decoded == {"Value": value}
    assert type(decoded["Value"]) is type(value)


@pytest.mark.parametrize(("data_type", "value"), ROUND_TRIPS)
async def test_every_data_type_round_trips_with_the_async_client(
    aclient: AsyncProfilesClient, data_type: DataType, value: Any
) -> None:
    schema = ORDER_SCHEMA if data_type is DataType.LIST_OF_OBJECTS else None
    await aclient.custom_attributes.create("Value", data_type, object_schema=schema)
    await aclient.people.create(Person(external_id="p-1", custom_attributes={"Value": value}))

    stored = await aclient.people.get(PersonRef.external_id("p-1"))
    definitions = [d async for d in aclient.custom_attributes.list()]

    assert decode_attributes(stored.custom_attributes, definitions) == {"Value": value}


def test_gender_is_stored_as_string(client: ProfilesClient) -> None:
    client.custom_attributes.create("Gender", DataType.STRING)
    client.people.create(Person(external_id="p-1", custom_attributes={"Gender": Gender.FEMALE}))

    stored = client.people.get(PersonRef.external_id("p-1"))

    assert stored.custom_attributes == {"Gender": "FEMALE"}


def test_an_aware_datetime_is_stored_in_utc(client: ProfilesClient) -> None:
    client.custom_attributes.create("Seen", DataType.DATE_TIME)
    zagreb = timezone(timedelta(hours=1))
    seen = datetime(2026, 3, 1, 10, 30, tzinfo=zagreb)
    client.people.create(Person(external_id="p-1", custom_attributes={"Seen": seen}))

    stored = client.people.get(PersonRef.external_id("p-1")).custom_attributes

    assert stored == {"Seen": "2026-03-01T09:30:00"}
    assert decode_attributes(stored, {"Seen": DataType.DATE_TIME})["Seen"] == seen


def test_a_value_of_the_wrong_type_is_refused_by_the_service(client: ProfilesClient) -> None:
    from infobip_profiles import BadRequestError

    client.custom_attributes.create("Age", DataType.INTEGER)

    with pytest.raises(BadRequestError) as info:
        client.people.create(Person(external_id="p-1", custom_attributes={"Age": "forty"}))

    assert "customAttributes.Age" in info.value.validation_errors


# -- encoding (no service) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", DataType.STRING),
        (Gender.MALE, DataType.STRING),
        (7, DataType.INTEGER),
        (Decimal("1.5"), DataType.DECIMAL),
        (1.5, DataType.DECIMAL),
        (True, DataType.BOOLEAN),
        (date(2026, 1, 1), DataType.DATE),
        (datetime(2026, 1, 1, tzinfo=UTC), DataType.DATE_TIME),
        ([{"a": 1}], DataType.LIST_OF_OBJECTS),
    ],
)
def test_infer_data_type(value: Any, expected: DataType) -> None:
    assert infer_data_type(value) is expected


def test_infer_refuses_a_value_with_no_data_type() -> None:
    with pytest.raises(ValidationError):
        infer_data_type(object())


@pytest.mark.parametrize(
    ("value", "data_type", "wire"),
    [
        (date(2026, 1, 31), DataType.DATE, "2026-01-31"),
        (
            datetime(2026, 1, 31, 8, 0, 5, 999, tzinfo=UTC),
            DataType.DATE_TIME,
            "2026-01-31T08:00:05",
        ),
        (datetime(2026, 1, 31, 8, 0), DataType.DATE_TIME, "2026-01-31T08:00:00"),
        (Decimal("2"), DataType.INTEGER, 2),
        (3, DataType.DECIMAL, 3),
        (Gender.FEMALE, DataType.STRING, "FEMALE"),
        (None, DataType.BOOLEAN, None),
    ],
    ids=[
        "date",
        "datetime-drops-micros",
        "naive-is-utc",
        "integral-decimal",
        "int-as-decimal",
        "enum",
        "none-clears",
    ],
)
def test_encode_value(value: Any, data_type: DataType, wire: Any) -> None:
    assert encode_value(value, data_type) == wire


@pytest.mark.parametrize(
    ("value", "data_type"),
    [
        (True, DataType.INTEGER),
        (1.5, DataType.INTEGER),
        (2**63, DataType.INTEGER),
        ("7", DataType.INTEGER),
        (True, DataType.DECIMAL),
        (Decimal("NaN"), DataType.DECIMAL),
        (1, DataType.BOOLEAN),
        (datetime(2026, 1, 1), DataType.DATE),
        (date(2026, 1, 1), DataType.DATE_TIME),
        ("x" * 4097, DataType.STRING),
        (42, DataType.STRING),
        ({"a": 1}, DataType.LIST_OF_OBJECTS),
        (["a"], DataType.LIST_OF_OBJECTS),
    ],
)
def test_encode_refuses_a_value_that_does_not_fit(value: Any, data_type: DataType) -> None:
    with pytest.raises(ValidationError):
        encode_value(value, data_type, name="Attr")


def test_encode_names_the_attribute_in_the_error() -> None:
    with pytest.raises(ValidationError) as info:
        encode_value(True, DataType.INTEGER, name="Age")

    assert info.value.field == "customAttributes.Age"
    assert "Age" in str(info.value)


def test_encode_list_items_by_the_object_schema() -> None:
    wire = encode_value(ORDERS, DataType.LIST_OF_OBJECTS, ORDER_SCHEMA)

    assert wire[0] == {
        "sku": "A-1",
        "qty": 2,
        "total": Decimal("19.90"),
        "paid": True,
        "on": "2026-01-31",
        "at": "2026-01-31T09:15:00",
    }


def test_encode_list_refuses_an_item_field_of_the_wrong_type() -> None:
    with pytest.raises(ValidationError, match=r"Orders\.qty"):
        encode_value([{"qty": "two"}], DataType.LIST_OF_OBJECTS, ORDER_SCHEMA, name="Orders")


def test_encode_attributes_refuses_an_undefined_name_when_given_definitions() -> None:
    with pytest.raises(ValidationError, match="not defined"):
        encode_attributes({"Unknown": 1}, {"Known": DataType.INTEGER})


def test_encode_attributes_matches_definitions_ignoring_case() -> None:
    definitions = [CustomAttribute(name="Renewal", data_type=DataType.DATE)]

    assert encode_attributes({"renewal": date(2026, 5, 1)}, definitions) == {
        "renewal": "2026-05-01"
    }


# -- decoding (no service) ------------------------------------------------------------------------


def test_decode_by_definition_keeps_date_looking_text_a_string() -> None:
    raw = {"Code": "2026-01-01"}

    assert decode_attributes(raw, {"Code": DataType.STRING}) == {"Code": "2026-01-01"}


def test_decode_without_definitions_infers_dates_and_datetimes() -> None:
    raw = {"On": "2026-01-01", "At": "2026-01-01T10:00:00", "Text": "2026-01-01 is a date"}

    assert decode_attributes(raw) == {
        "On": date(2026, 1, 1),
        "At": datetime(2026, 1, 1, 10, 0, tzinfo=UTC),
        "Text": "2026-01-01 is a date",
    }


def test_decode_without_definitions_keeps_numbers_and_booleans() -> None:
    raw = {"N": 3, "D": Decimal("0.1"), "B": False}

    assert decode_attributes(raw) == {"N": 3, "D": Decimal("0.1"), "B": False}


def test_decode_never_fails_on_a_value_that_does_not_fit() -> None:
    assert decode_value("not a date", DataType.DATE) == "not a date"


def test_decode_keeps_list_item_ids() -> None:
    raw = [{"__id": "78f47a5a-b9c4-4802-8bed-e81cf5fde0b4", "on": "2026-01-31"}]

    decoded = decode_value(raw, DataType.LIST_OF_OBJECTS, {"on": DataType.DATE})

    assert decoded == [{"__id": "78f47a5a-b9c4-4802-8bed-e81cf5fde0b4", "on": date(2026, 1, 31)}]


def test_custom_attribute_encode_and_decode_use_its_type() -> None:
    attribute = CustomAttribute(name="Score", data_type=DataType.DECIMAL)

    assert attribute.decode(attribute.encode(Decimal("2.50"))) == Decimal("2.50")
