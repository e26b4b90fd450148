"""Read-only person fields set by the caller are refused on the v3 writes too (upsert, merge),
not dropped by the one-pass encoder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from infobip_profiles import ContactInformation, Person, ValidationError
from infobip_profiles.models import PushContact
from infobip_profiles.resources.people import validate_person_for_upsert
from infobip_profiles.testing import FakeProfiles

READ_ONLY: list[dict[str, Any]] = [
    {"id": 7},
    {"computed_attributes": {"Visits": 3}},
    {"created_at": datetime(2026, 1, 2, 3, 4, 5)},
    {"origin": "API"},
]


@pytest.mark.parametrize("extra", READ_ONLY, ids=lambda e: next(iter(e)))
def test_validator_names_a_read_only_field(extra: dict[str, Any]) -> None:
    problems = validate_person_for_upsert(Person(external_id="crm-1", **extra))
    assert problems, extra
    assert "read-only" in problems[0] or "read only" in problems[0]


def test_validator_names_a_read_only_contact() -> None:
    info = ContactInformation(
        email=ContactInformation.of(emails=["a@example.com"]).email,
        push=[PushContact(application_id="app", registration_id="reg")],
    )
    assert validate_person_for_upsert(Person(external_id="crm-1", contact_information=info))


@pytest.mark.parametrize("extra", READ_ONLY, ids=lambda e: next(iter(e)))
def test_upsert_refuses_a_read_only_field_before_sending(extra: dict[str, Any]) -> None:
    fake = FakeProfiles(api_key="test-key")
    with fake.client() as client, pytest.raises(ValidationError):
        client.people.upsert(Person(external_id="crm-1", **extra))
    assert len(fake.calls) == 0
    assert fake.people() == ()


async def test_upsert_many_fails_only_the_item_with_a_read_only_field() -> None:
    fake = FakeProfiles(api_key="test-key")
    persons = [
        Person(external_id="crm-1"),
        Person(external_id="crm-2", computed_attributes={"Visits": 3}),
    ]
    async with fake.async_client() as client:
        result = await client.people.upsert_many(persons)
    assert [item.ok for item in result.items] == [True, False]
    assert [p["externalId"] for p in fake.people()] == ["crm-1"]
