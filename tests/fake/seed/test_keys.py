"""A seeded person's keys: a typo or a field the fake sets itself is a ``SeedError`` naming the
person and the field (the API would ignore an unknown key; a seed must never drop one silently),
and nothing of the seed is stored."""

from __future__ import annotations

from typing import Any

import pytest

from infobip_profiles.testing import FakeProfiles, SeedError
from tests._support.wire import Wire

ADA: dict[str, Any] = {"firstName": "Ada", "externalId": "crm-1"}


@pytest.mark.parametrize(
    ("extra", "field", "says"),
    [
        ({"firstname": "Ada"}, "firstname", "not a person field"),
        ({"emails": ["ada@example.com"]}, "emails", "not a person field"),
        ({"id": 42}, "id", "set by the fake"),
        ({"createdAt": "2020-01-01T00:00:00"}, "createdAt", "set by the fake"),
    ],
)
def test_a_key_the_fake_cannot_honour_is_a_seed_error(
    extra: dict[str, Any], field: str, says: str
) -> None:
    fake = FakeProfiles(api_key="test-key")
    with pytest.raises(SeedError, match=rf"people\[1\]\.{field}: .*{says}"):
        fake.seed(people=[dict(ADA), {"externalId": "crm-2", **extra}])
    assert fake.people() == ()


def test_every_writable_field_is_accepted() -> None:
    fake = FakeProfiles(api_key="test-key")
    person = {
        "externalId": "crm-1",
        "type": "LEAD",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "middleName": "B",
        "gender": "FEMALE",
        "birthDate": "1815-12-10",
        "preferredLanguage": "en-GB",
        "profilePicture": "https://example.com/ada.png",
        "address": "12 St James's Square",
        "city": "London",
        "country": "United Kingdom",
        "tags": ["VIP"],
        "customAttributes": {},
        "contactInformation": {"email": [{"address": "ada@example.com"}]},
    }
    seeded = fake.seed(people=[person])
    assert seeded.people[0]["firstName"] == "Ada"


def test_a_typo_over_the_control_plane_is_a_400_naming_it(wire: Wire) -> None:
    response = wire.post(
        "/_fake/seed", json={"people": [{"externalId": "crm-1", "fristName": "A"}]}
    )
    assert response.status_code == 400
    assert "people[0].fristName" in response.text
    assert wire.fake.people() == ()
