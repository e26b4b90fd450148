"""The fake's clock stays between 1970 and the year 9998: a moment before the epoch renders
timestamps the service never sends (``1-01-01T00:00:00``) and breaks the events batch's
30-day window, so setting or freezing the clock there is refused and changes nothing (Python,
in-process HTTP and served HTTP)."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from infobip_profiles.testing import FakeClock, FakeProfiles
from tests._support.wire import JSON_AUTH, KEY, reach_fixture

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
EARLY = ["0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1900-06-01T00:00:00+00:00"]


@pytest.fixture
def fake() -> FakeProfiles:
    return FakeProfiles(KEY, clock=FakeClock(START, frozen=True))


http = reach_fixture(JSON_AUTH)


@pytest.mark.parametrize("at", EARLY)
def test_freezing_before_1970_is_400_and_keeps_the_clock(
    http: httpx.Client, fake: FakeProfiles, at: str
) -> None:
    r = http.post("/_fake/clock/freeze", json={"at": at})
    assert r.status_code == 400, r.text
    assert "1970" in r.json()["error"]
    assert fake.clock.now() == START
    assert http.post("/people/2/persons", json={"externalId": "x"}).json()["createdAt"] == (
        "2024-01-01T00:00:00"
    )


@pytest.mark.parametrize("at", EARLY)
def test_python_clock_refuses_a_moment_before_1970(at: str) -> None:
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    clock = FakeClock(START, frozen=True)
    with pytest.raises(ValueError, match="1970"):
        clock.set(moment)
    with pytest.raises(ValueError, match="1970"):
        clock.freeze(moment)
    assert clock.now() == START
    with pytest.raises(ValueError, match="1970"):
        FakeClock(moment)


def test_the_epoch_itself_is_accepted() -> None:
    clock = FakeClock(datetime(1970, 1, 1, tzinfo=timezone.utc), frozen=True)
    assert clock.time() == 0.0
