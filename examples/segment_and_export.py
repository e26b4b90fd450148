"""Segments: turn a hand-picked selection of people into a segment, then export one person's data.

A sales rep picks people for a campaign. Segments are defined by a query, so the selection is
marked with a tag and the segment selects that tag: it stays live (tag someone else later and
they join). Then one of them asks for a copy of their data (a data-subject access request): the
profile is exported as the API returns it, with the segments it belongs to.

Run it as it is (against the embedded fake, no account needed)::

    python examples/segment_and_export.py

Against your account: use ``ProfilesClient()`` instead of ``fake.client()``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from infobip_profiles import ContactInformation, Person, PersonRef, ProfilesClient
from infobip_profiles.filters import F, tags
from infobip_profiles.testing import FakeProfiles

CAMPAIGN_TAG = "Spring campaign 2026"

PEOPLE = [
    ("Ada", "Lovelace", "London", "ada@example.com"),
    ("Charles", "Babbage", "London", "charles@example.com"),
    ("Grace", "Hopper", "New York", "grace@example.com"),
    ("Alan", "Turing", "Manchester", "alan@example.com"),
    ("Mary", "Somerville", "London", "mary@example.com"),
]


def build_segment(client: ProfilesClient, selection: list[PersonRef]) -> int:
    """Tag the selection and create a segment of everyone carrying the tag; returns its id."""
    client.tags.create(CAMPAIGN_TAG)
    client.tags.add_to_people(CAMPAIGN_TAG, selection)
    segment = client.segments.create(
        "Spring campaign: London picks",
        description="Hand-picked by sales for the spring campaign",
        query=tags.contains(CAMPAIGN_TAG),
    )
    assert segment.id is not None
    return segment.id


def export_person(client: ProfilesClient, ref: PersonRef, segment_ids: list[int]) -> dict[str, Any]:
    """Everything stored about one person, exactly as the API returns it, plus its segments."""
    raw = client.people.with_raw_response.get(ref)
    profile = json.loads(raw.content)
    member_of = [
        client.segments.get(sid).name
        for sid in segment_ids
        if any(p.id == profile["id"] for p in client.segments.people(sid))
    ]
    return {"profile": profile, "segments": member_of}


def main() -> None:
    fake = FakeProfiles()
    with fake.client() as client, tempfile.TemporaryDirectory() as tmp:
        client.people.create_many(
            Person(
                first_name=first,
                last_name=last,
                city=city,
                contact_information=ContactInformation.of(emails=[email]),
            )
            for first, last, city, email in PEOPLE
        )

        # The selection: Londoners, minus one the rep left out.
        londoners = client.people.list(filter=F("city") == "London", order_by="firstName")
        selection = [p.ref() for p in londoners if p.first_name != "Charles"]
        segment_id = build_segment(client, selection)

        members = sorted(p.first_name or "" for p in client.segments.people(segment_id))
        print("segment members:", members)
        assert members == ["Ada", "Mary"]

        export = export_person(client, PersonRef.email("mary@example.com"), [segment_id])
        path = Path(tmp) / "mary-export.json"
        path.write_text(json.dumps(export, indent=2), encoding="utf-8")
        print(f"exported {path.name}:")
        print(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
