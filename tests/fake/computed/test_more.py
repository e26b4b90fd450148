"""Computed attributes beyond one definition: several definitions in one aggregation, the most
common value, formula attributes, and filtering and segmenting on computed attributes.

Seeded through the fake's Python API; read over the wire, in-process and over loopback HTTP
(``wire``), and through the client.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infobip_profiles import Person, PersonRef, ProfilesClient
from infobip_profiles.filters import F
from infobip_profiles.testing import FakeProfiles
from tests._support.sessions import define_sessions, seed_jane_and_bob, send_session
from tests._support.wire import Wire


@pytest.fixture(autouse=True)
def sessions(fake: FakeProfiles) -> None:
    """Two session definitions, the computed attributes over both, and a formula."""
    define_sessions(fake)
    events = fake.tenant().events
    both = ["chatStarted", "inboxStarted"]
    fake.define_computed_attribute("lastSeen", both, "last")
    fake.define_computed_attribute("sessions", both, "count")
    fake.define_computed_attribute("chatSessions", "chatStarted", "count")
    fake.define_computed_attribute("mostCommonRequest", both, "mostCommon", "topic")
    fake.define_computed_attribute("totalMinutes", both, "sum", "minutes")
    events.define_formula("fullName", "{firstName} {lastName}")
    seed_jane_and_bob(fake)


def computed(wire: Wire, person: str) -> dict[str, Any]:
    response = wire.get("/people/2/persons", params={"identifier": person, "type": "EXTERNAL_ID"})
    assert response.status_code == 200, response.text
    return dict(response.json()["computedAttributes"])


def names(wire: Wire, filter: dict[str, Any]) -> list[str]:
    response = wire.get("/people/2/persons", params={"filter": json.dumps(filter)})
    assert response.status_code == 200, response.text
    return [p["firstName"] for p in response.json()["persons"]]


def now_minus(wire: Wire, minutes: int) -> str:
    from datetime import timedelta

    moment = wire.fake.tenant().clock.now() - timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def test_one_aggregation_spans_several_definitions(wire: Wire) -> None:
    send_session(wire, "jane", "chatStarted", "billing", 5, now_minus(wire, 30))
    send_session(wire, "jane", "inboxStarted", "refund", 7, now_minus(wire, 10))
    send_session(wire, "jane", "chatStarted", "billing", 3, now_minus(wire, 20))

    values = computed(wire, "jane")

    assert values["sessions"] == 3
    assert values["chatSessions"] == 2
    assert values["totalMinutes"] == 15
    # "last seen" is the latest session of either kind: the inbox one, ten minutes ago.
    assert values["lastSeen"] == now_minus(wire, 10)[:19]


def test_most_common_value_and_its_tie_break(wire: Wire) -> None:
    send_session(wire, "jane", "chatStarted", "billing", 1, now_minus(wire, 30))
    send_session(wire, "jane", "inboxStarted", "refund", 1, now_minus(wire, 20))
    assert computed(wire, "jane")["mostCommonRequest"] == "refund"  # a tie: the later one

    send_session(wire, "jane", "inboxStarted", "billing", 1, now_minus(wire, 10))

    assert computed(wire, "jane")["mostCommonRequest"] == "billing"
    assert computed(wire, "bob")["mostCommonRequest"] is None


def test_formula_builds_a_full_name_from_two_fields(wire: Wire) -> None:
    assert computed(wire, "jane")["fullName"] == "Jane Smith"
    assert computed(wire, "bob")["fullName"] == "Bob"  # a missing part leaves no stray space

    response = wire.patch(
        "/people/2/persons",
        params={"identifier": "bob", "type": "EXTERNAL_ID"},
        json={"lastName": "Jones"},
    )
    assert response.status_code == 200, response.text

    assert response.json()["computedAttributes"]["fullName"] == "Bob Jones"


def test_a_formula_without_any_value_reads_null(fake: FakeProfiles, wire: Wire) -> None:
    fake.seed(people=[{"externalId": "anon"}])

    assert computed(wire, "anon")["fullName"] is None


def test_filters_compare_computed_attributes_by_their_type(wire: Wire) -> None:
    send_session(wire, "jane", "chatStarted", "billing", 5, now_minus(wire, 30))
    send_session(wire, "jane", "inboxStarted", "billing", 5, now_minus(wire, 20))

    assert names(wire, {"#gte": {"sessions": 2}}) == ["Jane"]
    assert names(wire, {"#lt": {"sessions": 1}}) == ["Bob"]
    assert names(wire, {"fullName": "Jane Smith"}) == ["Jane"]
    assert names(wire, {"#startsWith": {"FULLNAME": "Bo"}}) == ["Bob"]  # names ignore case
    assert names(wire, {"mostCommonRequest": "billing"}) == ["Jane"]
    assert names(wire, {"#exists": "lastSeen"}) == ["Jane"]
    assert names(wire, {"#gt": {"totalMinutes": 9.5}}) == ["Jane"]


def test_a_filter_with_the_wrong_type_for_a_computed_attribute_is_a_400(wire: Wire) -> None:
    response = wire.get(
        "/people/2/persons", params={"filter": json.dumps({"#contains": {"sessions": "x"}})}
    )

    assert response.status_code == 400
    assert "sessions" in response.text


def test_segments_select_on_computed_attributes(wire: Wire) -> None:
    send_session(wire, "jane", "chatStarted", "billing", 5, now_minus(wire, 30))
    created = wire.post(
        "/people/3/segments", json={"name": "Talkers", "query": {"#gte": {"sessions": 1}}}
    )
    assert created.status_code == 201, created.text

    members = wire.get(f"/people/3/segments/{created.json()['id']}/persons")

    assert members.status_code == 200, members.text
    assert [p["firstName"] for p in members.json()["results"]] == ["Jane"]


def test_declarations_that_cannot_work_are_refused(fake: FakeProfiles) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        fake.define_computed_attribute("x", ["chatStarted", "nope"], "count")
    with pytest.raises(ValueError, match="mostCommon needs"):
        fake.define_computed_attribute("y", "chatStarted", "mostCommon")
    with pytest.raises(ValueError, match="placeholder"):
        fake.tenant().events.define_formula("z", "no fields here")
    with pytest.raises(ValueError, match="already exists"):
        fake.tenant().events.define_formula("FULLNAME", "{firstName}")


def test_the_client_reads_and_filters_them(client: ProfilesClient, fake: FakeProfiles) -> None:
    jane = PersonRef.external_id("jane")
    client.people.update(jane, Person(last_name="Smith-Jones"))

    assert client.people.get(jane).computed_attributes == {
        "lastSeen": None,
        "sessions": 0,
        "chatSessions": 0,
        "mostCommonRequest": None,
        "totalMinutes": 0,
        "fullName": "Jane Smith-Jones",
    }
    found = client.people.list(filter=F.custom("fullName").ends_with("Jones"))
    assert [p.first_name for p in found] == ["Jane"]


def test_the_sdk_reads_them_typed(client: ProfilesClient, wire: Wire) -> None:
    from datetime import datetime, timezone
    from decimal import Decimal

    from infobip_profiles import ComputedAttributes

    send_session(wire, "jane", "chatStarted", "billing", 5, now_minus(wire, 30))
    latest = now_minus(wire, 10)
    send_session(wire, "jane", "inboxStarted", "billing", 7, latest)

    computed = ComputedAttributes.of(client.people.get(PersonRef.external_id("jane")))

    last = computed.datetime("lastSeen")
    assert isinstance(last, datetime)
    assert last.tzinfo == timezone.utc
    assert last.strftime("%Y-%m-%dT%H:%M:%S") == latest[:19]
    assert computed.number("sessions") == 2
    assert computed.number("totalMinutes") == 12
    assert computed.text("mostCommonRequest") == "billing"
    assert computed.text("fullName") == "Jane Smith"
    with pytest.raises(ValueError, match="fullName"):
        computed.number("fullName")
    with pytest.raises(ValueError, match="sessions"):
        computed.datetime("sessions")
    with pytest.raises(KeyError):
        computed.text("nope")
    assert ComputedAttributes({"avg": 2.5}).number("avg") == Decimal("2.5")
    assert (
        ComputedAttributes.of(client.people.get(PersonRef.external_id("bob"))).datetime("lastSeen")
        is None
    )


def test_a_state_file_from_before_several_definitions_still_loads() -> None:
    import pickle

    from infobip_profiles.testing.engine.events import _Computed

    old = _Computed.__new__(_Computed)
    old.__setstate__(
        (None, {"name": "n", "definition_id": "X", "aggregation": "count", "property": None})
    )
    copy = pickle.loads(pickle.dumps(old))

    assert copy.definition_ids == ("X",)
    assert copy.data_type == "INTEGER"
    assert copy.formula is None
