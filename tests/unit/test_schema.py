"""Typed attribute schemas (``infobip_profiles.schema``): validation of every property kind,
wire conversion both ways, and ``sync_schema`` against the fake."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    DataType,
    Person,
    PersonRef,
    ProfilesClient,
    ValidationError,
)
from infobip_profiles.schema import (
    Date,
    GeoPoint,
    Location,
    MultipleChoice,
    Number,
    Property,
    Schema,
    SchemaConflict,
    SchemaValidationError,
    SingleChoice,
    Text,
    Time,
    Word,
    sync_schema,
    sync_schema_async,
)

CHANNELS = MultipleChoice("Channels", ["email", "sms", "whatsapp"])
PLAN = SingleChoice("Plan", ["free", "pro"])

VALID = [
    pytest.param(Number("Score"), Decimal("12.50"), Decimal("12.50"), id="number-decimal"),
    pytest.param(Number("Score"), 3, 3, id="number-int"),
    pytest.param(Number("Score"), 2.5, 2.5, id="number-float"),
    pytest.param(Number("Age", integer=True), 41, 41, id="number-integer"),
    pytest.param(Number("Age", integer=True), Decimal("41"), 41, id="number-integral-decimal"),
    pytest.param(Number("Pct", minimum=0, maximum=100), 100, 100, id="number-at-maximum"),
    pytest.param(Text("Bio"), "Likes tea.\nAnd cake.", "Likes tea.\nAnd cake.", id="text"),
    pytest.param(Text("Bio", max_length=5), "abcde", "abcde", id="text-at-limit"),
    pytest.param(Word("Nick"), "ada_l", "ada_l", id="word"),
    pytest.param(PLAN, "pro", "pro", id="single-choice"),
    pytest.param(CHANNELS, ["whatsapp", "email"], "email;whatsapp", id="multiple-choice"),
    pytest.param(CHANNELS, {"sms"}, "sms", id="multiple-choice-set"),
    pytest.param(CHANNELS, [], "", id="multiple-choice-none"),
    pytest.param(Location("Store"), (45.815, 15.9819), "45.815,15.9819", id="location"),
    pytest.param(Location("Store"), GeoPoint(-90, 180), "-90,180", id="location-edges"),
    pytest.param(Date("Renewal"), date(2026, 1, 31), "2026-01-31", id="date"),
    pytest.param(Time("Opens"), time(9, 5), "09:05", id="time"),
    pytest.param(Time("Opens"), "23:59", "23:59", id="time-text"),
]

INVALID = [
    pytest.param(Number("Score"), "12", "must be a number", id="number-text"),
    pytest.param(Number("Score"), True, "must be a number", id="number-bool"),
    pytest.param(Number("Score"), float("inf"), "finite", id="number-infinite"),
    pytest.param(Number("Age", integer=True), 4.5, "whole number", id="integer-fraction"),
    pytest.param(Number("Pct", minimum=0), -1, "at least 0", id="number-below-minimum"),
    pytest.param(Number("Pct", maximum=100), 101, "at most 100", id="number-above-maximum"),
    pytest.param(Text("Bio"), 5, "must be text", id="text-number"),
    pytest.param(Text("Bio", max_length=5), "abcdef", "at most 5", id="text-too-long"),
    pytest.param(Text("Bio"), "x" * 4097, "at most 4096", id="text-over-service-limit"),
    pytest.param(Word("Nick"), "two words", "without whitespace", id="word-space"),
    pytest.param(Word("Nick"), "tab\there", "without whitespace", id="word-tab"),
    pytest.param(Word("Nick"), "", "not empty", id="word-empty"),
    pytest.param(PLAN, "Pro", "must be one of free, pro", id="single-choice-case"),
    pytest.param(PLAN, ["pro"], "must be one of", id="single-choice-list"),
    pytest.param(CHANNELS, ["fax"], "may only hold", id="multiple-choice-unknown"),
    pytest.param(CHANNELS, ["sms", "sms"], "must not repeat", id="multiple-choice-repeat"),
    pytest.param(CHANNELS, "sms", "list or set", id="multiple-choice-text"),
    pytest.param(Location("Store"), (91, 0), "latitude", id="location-latitude"),
    pytest.param(Location("Store"), (0, -181), "longitude", id="location-longitude"),
    pytest.param(Location("Store"), "45.8,15.9", "pair", id="location-text"),
    pytest.param(Location("Store"), (1, 2, 3), "pair", id="location-triple"),
    pytest.param(Location("Store"), ("45", 15), "numbers", id="location-text-part"),
    pytest.param(Date("Renewal"), datetime(2026, 1, 31), "datetime.date", id="date-datetime"),
    pytest.param(Date("Renewal"), "2026-01-31", "datetime.date", id="date-text"),
    pytest.param(Time("Opens"), time(9, 5, 30), "no seconds", id="time-seconds"),
    pytest.param(Time("Opens"), "9:05", "HH:MM", id="time-short"),
    pytest.param(Time("Opens"), "24:00", "HH:MM", id="time-24"),
    pytest.param(
        Time("Opens"), time(9, 5, tzinfo=timezone.utc), "without a time zone", id="time-zone"
    ),
]


@pytest.mark.parametrize(("prop", "value", "wire"), VALID)
def test_a_valid_value_converts_to_its_wire_form(prop: Property, value: Any, wire: Any) -> None:
    prop.validate(value)

    assert prop.encode(value) == wire


@pytest.mark.parametrize(("prop", "value", "rule"), INVALID)
def test_an_invalid_value_names_the_property_and_the_rule(
    prop: Property, value: Any, rule: str
) -> None:
    with pytest.raises(SchemaValidationError) as info:
        prop.validate(value)

    assert info.value.property == prop.name
    assert rule in info.value.rule
    assert prop.name in str(info.value)
    assert isinstance(info.value, ValidationError)


@pytest.mark.parametrize(
    ("prop", "data_type"),
    [
        (Number("N"), DataType.DECIMAL),
        (Number("N", integer=True), DataType.INTEGER),
        (Text("T"), DataType.STRING),
        (Word("W"), DataType.STRING),
        (SingleChoice("S", ["a"]), DataType.STRING),
        (MultipleChoice("M", ["a"]), DataType.STRING),
        (Location("L"), DataType.STRING),
        (Date("D"), DataType.DATE),
        (Time("T"), DataType.STRING),
    ],
)
def test_each_property_maps_to_a_data_type(prop: Property, data_type: DataType) -> None:
    assert prop.data_type is data_type


@pytest.mark.parametrize(
    ("prop", "wire", "value"),
    [
        (Number("N"), 2.5, Decimal("2.5")),
        (Number("N", integer=True), 7, 7),
        (CHANNELS, "email;sms", ["email", "sms"]),
        (CHANNELS, "", []),
        (Location("L"), "45.815,15.9819", GeoPoint(45.815, 15.9819)),
        (Date("D"), "2026-01-31", date(2026, 1, 31)),
        (Time("T"), "07:30", time(7, 30)),
        (Time("T"), "7 thirty", "7 thirty"),
    ],
    ids=["number", "integer", "choices", "no-choices", "location", "date", "time", "malformed"],
)
def test_decode_reads_the_wire_form_back(prop: Property, wire: Any, value: Any) -> None:
    assert prop.decode(wire) == value


def test_none_is_valid_for_every_property_and_clears() -> None:
    assert Location("L").encode(None) is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: Text(""),
        lambda: Text("bad{name}"),
        lambda: SingleChoice("S", []),
        lambda: SingleChoice("S", ["a", "a"]),
        lambda: MultipleChoice("M", ["a;b"]),
        lambda: Schema([Text("Plan"), Word("plan")]),
    ],
    ids=["blank-name", "braces", "no-choices", "repeated-choice", "separator", "duplicate-name"],
)
def test_a_malformed_schema_is_refused_when_declared(make: Any) -> None:
    with pytest.raises(ValidationError):
        make()


# -- Schema ---------------------------------------------------------------------------------------

SCHEMA = Schema(
    [
        Number("Lifetime value"),
        PLAN,
        CHANNELS,
        Location("Store"),
        Date("Renewal"),
        Time("Opens"),
        Word("Nick"),
    ]
)


def test_schema_encode_validates_and_converts_every_value() -> None:
    wire = SCHEMA.encode({"Plan": "pro", "Channels": ["sms"], "Store": (1.5, 2.5)})

    assert wire == {"Plan": "pro", "Channels": "sms", "Store": "1.5,2.5"}


def test_schema_encode_uses_the_declared_spelling() -> None:
    assert SCHEMA.encode({"plan": "free"}) == {"Plan": "free"}


def test_schema_refuses_a_name_it_does_not_declare() -> None:
    with pytest.raises(SchemaValidationError) as info:
        SCHEMA.validate({"Colour": "red"})

    assert info.value.property == "Colour"
    assert info.value.rule == "is not in the schema"


def test_schema_validate_stops_at_the_first_broken_rule() -> None:
    with pytest.raises(SchemaValidationError) as info:
        SCHEMA.validate({"Plan": "pro", "Nick": "two words"})

    assert info.value.property == "Nick"


def test_schema_decode_leaves_other_attributes_as_they_are() -> None:
    decoded = SCHEMA.decode({"Opens": "08:00", "Other": "x"})

    assert decoded == {"Opens": time(8, 0), "Other": "x"}


def test_schema_definitions_list_what_the_account_needs() -> None:
    definitions = {d.name: d.data_type for d in SCHEMA.definitions()}

    assert definitions["Lifetime value"] is DataType.DECIMAL
    assert definitions["Renewal"] is DataType.DATE
    assert definitions["Store"] is DataType.STRING


# -- against the fake -----------------------------------------------------------------------------


def test_sync_schema_creates_what_is_missing(client: ProfilesClient) -> None:
    report = sync_schema(client, SCHEMA)

    assert set(report.created) == {p.name for p in SCHEMA}
    assert report.found == ()
    assert report.ok
    stored = {a.name: a.data_type for a in client.custom_attributes.list()}
    assert stored == {p.name: p.data_type for p in SCHEMA}


def test_sync_schema_reports_found_and_conflicting_attributes(client: ProfilesClient) -> None:
    client.custom_attributes.create("plan", DataType.STRING)
    client.custom_attributes.create("Renewal", DataType.DATE_TIME)

    report = sync_schema(client, SCHEMA)

    assert report.found == ("Plan",)
    assert report.conflicts == (
        SchemaConflict("Renewal", expected=DataType.DATE, actual=DataType.DATE_TIME),
    )
    assert "Renewal" not in report.created
    assert not report.ok
    assert client.custom_attributes.get("Renewal").data_type is DataType.DATE_TIME


def test_sync_schema_twice_creates_nothing_the_second_time(client: ProfilesClient) -> None:
    sync_schema(client, SCHEMA)

    again = sync_schema(client, SCHEMA)

    assert again.created == ()
    assert len(again.found) == len(SCHEMA)


async def test_sync_schema_async_creates_what_is_missing(aclient: AsyncProfilesClient) -> None:
    await aclient.custom_attributes.create("Nick", DataType.STRING)

    report = await sync_schema_async(aclient, SCHEMA)

    assert report.found == ("Nick",)
    assert len(report.created) == len(SCHEMA) - 1


def test_schema_values_round_trip_through_the_service(client: ProfilesClient) -> None:
    sync_schema(client, SCHEMA)
    values = {
        "Lifetime value": Decimal("1499.95"),
        "Plan": "pro",
        "Channels": ["email", "whatsapp"],
        "Store": GeoPoint(45.815, 15.9819),
        "Renewal": date(2026, 6, 30),
        "Opens": time(9, 0),
        "Nick": "ada",
    }
    client.people.create(Person(external_id="p-1", custom_attributes=SCHEMA.encode(values)))

    stored = client.people.get(PersonRef.external_id("p-1"))

    assert SCHEMA.decode(stored.custom_attributes) == values
