"""The type tables of ``infobip_profiles.schema``: Boolean and DateTime properties, and the
chatbot attribute types to profile data types and back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from infobip_profiles import DataType, Person, PersonRef, ProfilesClient, ValidationError
from infobip_profiles.schema import (
    CHATBOT_TYPES,
    PROFILE_TO_CHATBOT,
    PROPERTY_KINDS,
    Boolean,
    DateTime,
    Schema,
    SchemaValidationError,
    chatbot_type,
    profile_type,
    sync_schema,
)

UTC = timezone.utc
ACTIVE = Boolean("Active")
LAST_ORDER = DateTime("Last order")


def test_boolean_takes_only_bools_and_reads_them_back() -> None:
    assert ACTIVE.data_type is DataType.BOOLEAN
    assert ACTIVE.encode(True) is True
    assert ACTIVE.decode("false") is False
    for bad in (1, "yes", 0.0):
        with pytest.raises(SchemaValidationError, match="True or False"):
            ACTIVE.encode(bad)


def test_datetime_is_sent_in_utc_to_the_second() -> None:
    cet = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 1, 10, 30, 15, 999, tzinfo=cet)

    assert LAST_ORDER.data_type is DataType.DATE_TIME
    assert LAST_ORDER.encode(moment) == "2026-03-01T09:30:15"
    assert LAST_ORDER.decode("2026-03-01T09:30:15") == datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)
    with pytest.raises(SchemaValidationError, match="datetime"):
        LAST_ORDER.encode("2026-03-01T09:30:15")


def test_chatbot_types_map_to_profile_types_and_back() -> None:
    assert profile_type("phone number") is DataType.STRING
    assert profile_type("List") is DataType.LIST_OF_OBJECTS
    assert chatbot_type(DataType.INTEGER) == "Number"
    assert chatbot_type("DATE_TIME") == "Text"
    # Every profile type reads back as a chatbot type the forward table knows.
    assert set(PROFILE_TO_CHATBOT.values()) <= set(CHATBOT_TYPES)
    assert set(PROFILE_TO_CHATBOT) == set(DataType)
    with pytest.raises(ValidationError, match="unknown chatbot attribute type"):
        profile_type("Hologram")
    with pytest.raises(ValidationError):
        chatbot_type("NOPE")


def test_every_property_kind_is_in_the_table() -> None:
    assert PROPERTY_KINDS["Boolean"] is ACTIVE.data_type
    assert PROPERTY_KINDS["DateTime"] is LAST_ORDER.data_type
    assert len(PROPERTY_KINDS) == 10


def test_boolean_and_datetime_round_trip_through_the_service(client: ProfilesClient) -> None:
    schema = Schema([ACTIVE, LAST_ORDER])
    report = sync_schema(client, schema)
    assert set(report.created) == {"Active", "Last order"}
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    ref = PersonRef.external_id("p1")

    client.people.create(
        Person(
            external_id="p1",
            custom_attributes=schema.encode({"Active": True, "Last order": moment}),
        )
    )

    values = schema.decode(client.people.get(ref).custom_attributes or {})
    assert values == {"Active": True, "Last order": moment}
