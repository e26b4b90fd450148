"""Error messages of many-item calls read from a generator, kept as they were before streaming.

A differential run of the client before and after the many-item calls learned to read their
input chunk by chunk found two messages that changed: an error raised while the input itself is
read lost the position of the item, and a refused event from a generator named its position
twice. Both are checked for the sync and the async client.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    Person,
    PersonRef,
    PersonUpdate,
    ProfilesClient,
    ValidationError,
)
from infobip_profiles.models import Event
from infobip_profiles.testing import FakeProfiles


def refs_with_a_bad_second() -> Iterator[PersonRef]:
    yield PersonRef.external_id("a")
    yield PersonRef.external_id("")  # raises while the generator is read


def updates_with_a_bad_first() -> Iterator[PersonUpdate]:
    yield PersonUpdate(PersonRef.external_id(""), Person(first_name="A"))


def old_events() -> Iterator[Event]:
    moment = datetime.now(timezone.utc) - timedelta(days=40)
    for i in range(2):
        yield Event(PersonRef.external_id(f"p{i}"), "opened", occurred_at=moment)


def test_an_error_reading_the_input_names_the_item(profiles_client: ProfilesClient) -> None:
    with pytest.raises(ValidationError, match=r"^item 1: a person identifier must not be empty"):
        profiles_client.people.delete_many(refs_with_a_bad_second())
    with pytest.raises(ValidationError, match=r"^item 0: a person identifier must not be empty"):
        profiles_client.people.update_many(updates_with_a_bad_first())


def test_tag_and_membership_calls_keep_their_unplaced_message(
    profiles_client: ProfilesClient,
) -> None:
    # These calls never numbered an error raised by the caller's own generator.
    with pytest.raises(ValidationError, match=r"^a person identifier must not be empty"):
        profiles_client.tags.add_to_people("VIP", refs_with_a_bad_second())


def test_a_refused_event_from_a_generator_is_named_once(
    profiles_client: ProfilesClient, profiles_fake: FakeProfiles
) -> None:
    with pytest.raises(ValidationError) as caught:
        profiles_client.events.send_many(old_events())
    assert str(caught.value).startswith("event 0: occurred_at ")
    assert caught.value.index == 0
    assert profiles_fake.calls.count(op_id="send-custom-events") == 0


@pytest.mark.anyio
async def test_async_an_error_reading_the_input_names_the_item(
    profiles_async_client: AsyncProfilesClient,
) -> None:
    with pytest.raises(ValidationError, match=r"^item 1: a person identifier must not be empty"):
        await profiles_async_client.people.delete_many(refs_with_a_bad_second())


@pytest.mark.anyio
async def test_async_a_refused_event_from_a_generator_is_named_once(
    profiles_async_client: AsyncProfilesClient,
) -> None:
    with pytest.raises(ValidationError) as caught:
        await profiles_async_client.events.send_many(old_events())
    assert str(caught.value).startswith("event 0: occurred_at ")
