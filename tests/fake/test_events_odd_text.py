"""Event batches carrying text that is valid JSON but not valid UTF-8 once decoded (a lone
surrogate escape, ``"\\ud800"``) are measured and answered, never a 500 (in-process and over
HTTP)."""

from __future__ import annotations

from datetime import datetime, timezone

from infobip_profiles.testing import FakeClock, FakeProfiles
from tests._support.wire import Wire


def test_a_lone_surrogate_in_a_batch_item_is_not_a_server_error(wire: Wire) -> None:
    fake: FakeProfiles = wire.fake
    assert isinstance(fake.clock, FakeClock)
    r = wire.post(
        "/peopleevents/2/definitions",
        json={
            "definitionId": "Note",
            "title": "Note",
            "fields": [{"name": "text", "type": "String"}],
        },
    )
    assert r.status_code == 201, r.text
    when = datetime.fromtimestamp(fake.clock.time(), tz=timezone.utc)
    occurred = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    body = (
        '[{"definitionId": "Note", "occurredTime": "' + occurred + '", '
        '"identifier": {"id": "ext-1", "type": "EXTERNAL_ID"}, '
        '"properties": {"text": "a\\ud800b"}}]'
    )
    r = wire.post(
        "/people/3/events", content=body.encode(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 202, r.text
    (event,) = fake.events()
    assert event["properties"]["text"] == "a\ud800b"
