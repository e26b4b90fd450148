"""Chat and inbox sessions for computed-attribute tests: two event definitions with a ``topic`` and
``minutes``, two people (Jane Smith, ``jane``; Bob, ``bob``), and sending one session event."""

from __future__ import annotations

from typing import Any

from infobip_profiles.testing import FakeProfiles
from tests._support.wire import Wire

#: The fields of both session definitions.
SESSION_FIELDS: list[dict[str, Any]] = [
    {"name": "topic", "type": "String"},
    {"name": "minutes", "type": "Numeric"},
]

#: The session definitions and their titles.
SESSIONS = {"chatStarted": "Chat started", "inboxStarted": "Inbox started"}


def define_sessions(fake: FakeProfiles) -> None:
    """Create both session definitions in the default tenant."""
    for def_id, title in SESSIONS.items():
        fake.tenant().events.create_definition(
            {"definitionId": def_id, "title": title, "fields": SESSION_FIELDS}
        )


def seed_jane_and_bob(fake: FakeProfiles) -> None:
    """Seed Jane Smith (external id ``jane``) and Bob (``bob``)."""
    fake.seed(
        people=[
            {"firstName": "Jane", "lastName": "Smith", "externalId": "jane"},
            {"firstName": "Bob", "externalId": "bob"},
        ]
    )


def send_session(
    wire: Wire, person: str, definition: str, topic: str, minutes: int, when: str
) -> None:
    """Send one session event for ``person`` (an external id) at ``when``; expect a 202."""
    response = wire.post(
        "/people/3/events",
        json=[
            {
                "definitionId": definition,
                "occurredTime": when,
                "identifier": {"id": person, "type": "EXTERNAL_ID"},
                "properties": {"topic": topic, "minutes": minutes},
            }
        ],
    )
    assert response.status_code == 202, response.text
