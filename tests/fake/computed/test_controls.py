"""Formula attributes and computed attributes over several definitions, declared through the
fake's public controls: ``FakeProfiles.define_formula_attribute`` /
``define_computed_attribute`` and ``POST /_fake/computed-attributes``; read over the wire,
in-process and over loopback HTTP (``wire``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from infobip_profiles.testing import FakeProfiles
from tests._support.sessions import define_sessions, seed_jane_and_bob, send_session
from tests._support.wire import KEY, Wire

CONTROL = "/_fake/computed-attributes"


@pytest.fixture(autouse=True)
def people(fake: FakeProfiles) -> None:
    define_sessions(fake)
    seed_jane_and_bob(fake)


def send(wire: Wire, definition: str, topic: str) -> None:
    """One event for Jane, a minute after the one before (the fake's clock moves on)."""
    clock = wire.fake.tenant().clock
    clock.advance(60)
    when = (clock.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")
    send_session(wire, "jane", definition, topic, 1, when)


def computed(wire: Wire, person: str) -> dict[str, Any]:
    response = wire.get("/people/2/persons", params={"identifier": person, "type": "EXTERNAL_ID"})
    assert response.status_code == 200, response.text
    return dict(response.json().get("computedAttributes") or {})


def test_formula_attribute_from_python(fake: FakeProfiles, wire: Wire) -> None:
    fake.define_formula_attribute("fullName", "{firstName} {lastName}")

    assert computed(wire, "jane")["fullName"] == "Jane Smith"
    assert computed(wire, "bob")["fullName"] == "Bob"


def test_several_definitions_and_most_common_from_python(fake: FakeProfiles, wire: Wire) -> None:
    fake.define_computed_attribute("sessions", ("chatStarted", "inboxStarted"), "count")
    fake.define_computed_attribute(
        "topTopic", ["chatStarted", "inboxStarted"], "mostCommon", "topic"
    )
    send(wire, "chatStarted", "billing")
    send(wire, "inboxStarted", "refund")
    send(wire, "inboxStarted", "billing")

    values = computed(wire, "jane")

    assert (values["sessions"], values["topTopic"]) == (3, "billing")


def test_python_controls_refuse_what_cannot_work(fake: FakeProfiles) -> None:
    with pytest.raises(ValueError, match="placeholder"):
        fake.define_formula_attribute("fullName", "no fields")
    with pytest.raises(ValueError, match="does not exist"):
        fake.define_computed_attribute("sessions", ["chatStarted", "nope"], "count")
    with pytest.raises(ValueError):
        fake.define_computed_attribute("topTopic", "chatStarted", "mostCommon")  # no property
    assert fake.tenant().events.computed_types() == {}


def test_formula_attribute_through_the_control_endpoint(wire: Wire) -> None:
    response = wire.post(CONTROL, json={"name": "fullName", "formula": "{lastName}, {firstName}"})

    assert response.status_code == 201, response.text
    assert response.json() == {"name": "fullName", "formula": "{lastName}, {firstName}"}
    assert computed(wire, "jane")["fullName"] == "Smith, Jane"


def test_a_list_of_definitions_through_the_control_endpoint(wire: Wire) -> None:
    body = {
        "name": "topTopic",
        "definitionId": ["chatStarted", "inboxStarted"],
        "aggregation": "mostCommon",
        "property": "topic",
    }
    response = wire.post(CONTROL, json=body)
    send(wire, "chatStarted", "refund")
    send(wire, "inboxStarted", "refund")
    send(wire, "chatStarted", "billing")

    assert response.status_code == 201, response.text
    assert response.json() == body
    assert computed(wire, "jane")["topTopic"] == "refund"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"name": "f", "formula": "{firstName}", "aggregation": "count"}, "takes no aggregation"),
        ({"name": "f", "formula": 3}, "formula must be text"),
        ({"name": "f", "formula": "plain"}, "placeholder"),
        ({"name": "s", "definitionId": [], "aggregation": "count"}, "1 to 100"),
        ({"name": "s", "definitionId": ["chatStarted", 7], "aggregation": "count"}, ""),
        (
            {"name": "s", "definitionId": ["chatStarted", "chatStarted"], "aggregation": "count"},
            "twice",
        ),
        ({"name": "s", "definitionId": ["chatStarted", "nope"], "aggregation": "count"}, "nope"),
    ],
    ids=[
        "formula-and-aggregation",
        "formula-not-text",
        "no-placeholder",
        "empty-list",
        "not-a-string",
        "repeated",
        "unknown-definition",
    ],
)
def test_control_endpoint_refuses_what_cannot_work(
    wire: Wire, body: dict[str, Any], reason: str
) -> None:
    response = wire.post(CONTROL, json=body)

    assert response.status_code == 400, response.text
    assert reason in response.json()["error"]
    assert computed(wire, "jane") == {}


def test_control_endpoint_declares_in_the_tenant_it_names(fake: FakeProfiles, wire: Wire) -> None:
    fake.add_tenant("other")

    response = wire.post(
        CONTROL,
        json={"name": "fullName", "formula": "{firstName}"},
        headers={"X-Fake-Api-Key": "other"},
    )

    assert response.status_code == 201, response.text
    assert fake.tenant("other").events.computed_types() == {"fullName": "STRING"}
    assert fake.tenant(KEY).events.computed_types() == {}
