"""Deterministic test data for the benchmarks: persons as the wire carries them, and as models."""

from __future__ import annotations

from typing import Any

from infobip_profiles import ContactInformation, Person

__all__ = ["wire_person", "list_page", "new_person", "TIERS", "TAGS"]

TIERS = ("bronze", "silver", "gold", "platinum")
TAGS = ("VIP", "newsletter", "beta", "churn-risk", "b2b")


def wire_person(i: int) -> dict[str, Any]:
    """A stored person as the API returns it: every common field set, two custom attributes."""
    return {
        "id": 1000 + i,
        "externalId": f"crm-{i}",
        "type": "CUSTOMER",
        "firstName": f"First{i}",
        "lastName": f"Last{i}",
        "middleName": "",
        "gender": "FEMALE" if i % 2 else "MALE",
        "birthDate": f"19{50 + i % 50:02d}-0{1 + i % 9}-1{i % 10}",
        "preferredLanguage": "en-GB",
        "profilePicture": f"https://cdn.example.com/p/{i}.png",
        "address": f"{i} Long Street",
        "city": "Zagreb",
        "country": "Croatia",
        "origin": "API",
        "modifiedFrom": "API",
        "createdAt": "2026-01-02T03:04:05",
        "modifiedAt": "2026-02-03T04:05:06",
        "tags": [TAGS[i % len(TAGS)]],
        "customAttributes": {"Tier": TIERS[i % len(TIERS)], "Score": i % 100},
        "contactInformation": {
            "email": [{"address": f"person{i}@example.com"}],
            "phone": [{"number": f"3859{i:08d}"}],
        },
        "computedAttributes": {},
    }


def list_page(count: int) -> dict[str, Any]:
    """A persons list page (``GET /people/2/persons``) of ``count`` persons."""
    return {
        "persons": [wire_person(i) for i in range(count)],
        "limit": count,
        "page": 1,
        "orderBy": "createdAt:asc",
    }


def new_person(i: int, *, tag: bool = False) -> Person:
    """A person to create or upsert: an external id, names, one email, a custom attribute.

    ``tag=True`` adds a tag (the tag must exist first on the real service and on the fake).
    """
    extra: dict[str, Any] = {"tags": [TAGS[i % len(TAGS)]]} if tag else {}
    return Person(
        external_id=f"bulk-{i}",
        first_name=f"First{i}",
        last_name=f"Last{i}",
        contact_information=ContactInformation.of(emails=[f"bulk{i}@example.com"]),
        **extra,
    )
