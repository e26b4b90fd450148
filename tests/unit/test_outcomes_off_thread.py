"""The outcomes of a call of several requests are decoded on a helper thread, in order.

``Outcomes`` lets the answer to request ``k`` be decoded while request ``k + 1`` is on the wire;
these tests pin what that must never change: the order of outcomes, errors reaching the caller,
and no thread outliving the call.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from infobip_profiles import AsyncProfilesClient, Person, ProfilesClient
from infobip_profiles.models import UpsertStatus
from infobip_profiles.resources._batch import Outcomes
from infobip_profiles.testing import FakeProfiles


def _decode_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("infobip-profiles-decode")]


def _where(tag: str, seen: list[tuple[str, int]]) -> list[str]:
    seen.append((tag, threading.get_ident()))
    return [f"{tag}-{i}" for i in range(2)]


def test_several_requests_decode_off_the_calling_thread_in_order() -> None:
    seen: list[tuple[str, int]] = []
    with Outcomes[str](3) as outcomes:
        outcomes.later(_where, "a", seen)
        outcomes.now(["now-0"])
        outcomes.later(_where, "b", seen)
        collected = outcomes.collect()

    assert collected == ["a-0", "a-1", "now-0", "b-0", "b-1"]
    assert {ident for _, ident in seen} != {threading.get_ident()}
    assert not _decode_threads()


def test_one_request_decodes_on_the_calling_thread() -> None:
    seen: list[tuple[str, int]] = []
    with Outcomes[str](1) as outcomes:
        outcomes.later(_where, "only", seen)
        assert outcomes.collect() == ["only-0", "only-1"]

    assert seen == [("only", threading.get_ident())]


def test_an_error_while_decoding_reaches_the_caller() -> None:
    def broken() -> list[str]:
        raise ValueError("not a batch answer")

    with Outcomes[str](2) as outcomes:
        outcomes.later(broken)
        with pytest.raises(ValueError, match="not a batch answer"):
            outcomes.collect()

    assert not _decode_threads()


def test_no_helper_thread_outlives_a_call_stopped_early() -> None:
    release = threading.Event()

    def stopped_early() -> None:
        with Outcomes[str](2) as outcomes:
            outcomes.later(lambda: [str(release.wait(5))])
            release.set()
            raise RuntimeError("the caller stops")

    with pytest.raises(RuntimeError, match="the caller stops"):
        stopped_early()

    assert not _decode_threads()


def _persons() -> list[Person]:
    persons = [Person(external_id=f"crm-{i}") for i in range(2500)]
    persons[5] = Person(external_id="crm-5", first_name="New")  # stored already as "Old"
    return persons


def _check_in_order(result: Any, fake: FakeProfiles) -> None:
    stored = {p["externalId"]: p["id"] for p in fake.people()}
    assert [item.index for item in result] == list(range(2500))
    assert [item.id for item in result] == [stored[f"crm-{i}"] for i in range(2500)]
    assert result[5].status is UpsertStatus.UPDATED
    assert {item.status for item in result[6:]} == {UpsertStatus.CREATED}
    assert not _decode_threads()


def test_upsert_many_of_several_requests_keeps_input_order(
    client: ProfilesClient, fake: FakeProfiles
) -> None:
    fake.seed(people=[{"externalId": "crm-5", "firstName": "Old"}])

    _check_in_order(client.people.upsert_many(_persons()), fake)


async def test_upsert_many_of_several_requests_keeps_input_order_async(
    aclient: AsyncProfilesClient, fake: FakeProfiles
) -> None:
    fake.seed(people=[{"externalId": "crm-5", "firstName": "Old"}])

    _check_in_order(await aclient.people.upsert_many(_persons()), fake)
