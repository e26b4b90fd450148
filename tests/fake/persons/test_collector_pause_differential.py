"""``FakeProfiles(pause_collector=True)`` against the default: the same answers and the same state.

The pause only switches the process's garbage collector off around a bulk upsert; nothing the
fake answers or stores may depend on it. Random batches of upsert requests (new persons, updates of
stored ones by any identifier, refused items, full and partial upserts) go to two fakes, one with
the pause and one without, which must answer each request alike and end holding the same persons.
"""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infobip_profiles.testing import FakeClock, FakeProfiles, FakeRequest

KEY = "pause-key"
UPSERT = "/people/3/persons/upsert"


@st.composite
def items(draw: st.DrawFn) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if draw(st.booleans()):
        item["externalId"] = f"e{draw(st.integers(0, 6))}"
    contacts = []
    if draw(st.booleans()):
        contacts.append({"type": "EMAIL", "identifier": f"p{draw(st.integers(0, 6))}@x.com"})
    if draw(st.booleans()):
        contacts.append({"type": "PHONE", "identifier": f"4179302672{draw(st.integers(0, 6))}"})
    if draw(st.booleans()):
        contacts.append({"type": "EMAIL", "identifier": "not an email"})
    if contacts:
        item["contactInformation"] = contacts
    for name, values in (
        ("firstName", ["Ada", "Bob", "x" * 300]),
        ("city", ["Zagreb", None]),
        ("gender", ["MALE", "ROBOT"]),
        ("type", ["CUSTOMER", "LEAD"]),
    ):
        if draw(st.booleans()):
            item[name] = draw(st.sampled_from(values))
    return item


def _request(method: str, persons: list[dict[str, Any]]) -> FakeRequest:
    return FakeRequest(
        method,
        UPSERT,
        headers={"authorization": f"App {KEY}", "content-type": "application/json"},
        body=json.dumps({"persons": persons}).encode(),
    )


@pytest.mark.nonconforming  # refused items (a bad gender, a long name) on purpose
@settings(max_examples=100, deadline=None)
@given(
    batches=st.lists(
        st.tuples(st.sampled_from(["PUT", "PATCH"]), st.lists(items(), min_size=1, max_size=8)),
        min_size=1,
        max_size=5,
    )
)
def test_the_paused_fake_answers_and_stores_as_the_default_one(
    batches: list[tuple[str, list[dict[str, Any]]]],
) -> None:
    # One frozen clock: the two fakes stamp the same createdAt/modifiedAt whatever the wall
    # clock does between their requests.
    clock = FakeClock()
    clock.freeze()
    paused = FakeProfiles(api_key=KEY, pause_collector=True, clock=clock)
    default = FakeProfiles(api_key=KEY, clock=clock)
    was_on = gc.isenabled()

    for method, persons in batches:
        with_pause = paused.handle(_request(method, persons))
        without = default.handle(_request(method, persons))

        assert (with_pause.status, with_pause.body) == (without.status, without.body)
        assert gc.isenabled() is was_on
    assert paused.people() == default.people()
