"""Profiles made by other products: inbound messages, form submissions and chat sessions.

The Python controls (``fake.simulate_inbound``, ``simulate_form_submission``,
``simulate_session``) and their HTTP twins under ``/_fake/simulate/``; what they leave behind is
read back over the API (in-process and over loopback HTTP) and through the client.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    IdentifierType,
    PersonRef,
    PersonType,
    ProfilesClient,
)
from infobip_profiles.testing import FakeProfiles, SimulatedProfile, SimulatedSession
from tests._support.wire import Wire

PERSONS = "/people/2/persons"
NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=timezone.utc)
WA_SENDER = "441134960000"
WA_USER = "447700900123"


@pytest.fixture(autouse=True)
def frozen(fake: FakeProfiles) -> None:
    fake.clock.freeze(NOW)


def v3_of(wire: Wire, person_id: int) -> dict[str, Any]:
    """The person as the v3 calls render it (``createdFrom`` holds the v3-only origins)."""
    found = wire.fake.tenant().persons.get_v3(person_id)
    assert found is not None
    return found


# -- inbound messages ------------------------------------------------------------------------------


def test_an_inbound_message_from_a_stranger_creates_a_lead(wire: Wire) -> None:
    made = wire.fake.simulate_inbound("WHATSAPP", WA_SENDER, WA_USER)

    assert isinstance(made, SimulatedProfile)
    assert (made.created, made.changed) == (True, True)
    assert made.person["type"] == "LEAD"
    found = wire.get(
        PERSONS, params={"type": "WHATSAPP", "identifier": WA_USER, "sender": WA_SENDER}
    )
    assert found.status_code == 200
    person = found.json()
    assert person["id"] == made.person_id
    assert person["contactInformation"]["whatsapp"] == [
        {"applicationId": WA_SENDER, "userId": WA_USER}
    ]
    # WHATSAPP is not among the v2 origins: the v2 person says CONVERSATIONS, v3 the channel.
    assert person["origin"] == "CONVERSATIONS"
    assert v3_of(wire, made.person_id)["createdFrom"] == "WHATSAPP"


@pytest.mark.parametrize(
    ("channel", "origin"),
    [("FACEBOOK", "FACEBOOK"), ("TELEGRAM", "TELEGRAM"), ("VIBER_BOTS", "CONVERSATIONS")],
)
def test_the_origin_names_the_channel(wire: Wire, channel: str, origin: str) -> None:
    made = wire.fake.simulate_inbound(channel, "page-1", "user-1")
    assert made.person["origin"] == origin
    found = wire.get(PERSONS, params={"type": channel, "identifier": "user-1", "sender": "page-1"})
    assert found.json()["origin"] == origin


def test_a_known_contact_returns_its_profile_unchanged(wire: Wire) -> None:
    first = wire.fake.simulate_inbound("WHATSAPP", WA_SENDER, WA_USER)
    wire.fake.clock.advance(60)

    again = wire.fake.simulate_inbound("WHATSAPP", WA_SENDER, WA_USER)

    assert (again.created, again.changed) == (False, False)
    assert again.person == first.person
    assert len(wire.fake.people()) == 1


def test_the_same_user_on_another_sender_is_another_contact(wire: Wire) -> None:
    wire.fake.simulate_inbound("WHATSAPP", WA_SENDER, WA_USER)
    other = wire.fake.simulate_inbound("WHATSAPP", "441134960001", WA_USER)
    assert other.created
    assert len(wire.fake.people()) == 2


def test_an_sms_finds_the_person_by_phone(wire: Wire) -> None:
    [ada] = wire.fake.seed(
        people=[{"firstName": "Ada", "contactInformation": {"phone": [{"number": "41793026727"}]}}]
    ).people
    found = wire.fake.simulate_inbound("SMS", "InfoSMS", "+41793026727")
    assert (found.created, found.person_id) == (False, ada["id"])

    made = wire.fake.simulate_inbound("EMAIL", "shop@example.com", "new@example.com")
    assert made.created
    assert made.person["contactInformation"]["email"] == [{"address": "new@example.com"}]
    assert made.person["type"] == "LEAD"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("CARRIER_PIGEON", "s", "u"), "channel"),
        (("PUSH", "app", "reg"), "channel"),
        (("WHATSAPP", "", "u"), "sender"),
        (("WHATSAPP", "s", " "), "identifier"),
        (("WHATSAPP", "s", "u" * 256), "identifier"),
        (("SMS", "s", "not-a-phone"), "identifier"),
    ],
)
def test_a_bad_inbound_message_is_refused(
    fake: FakeProfiles, args: tuple[str, str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fake.simulate_inbound(*args)
    assert fake.people() == ()


def test_inbound_over_the_control_plane(wire: Wire) -> None:
    body = {"channel": "LIVE_CHAT", "sender": "widget-1", "identifier": "visitor-9"}
    created = wire.post("/_fake/simulate/inbound", json=body)
    again = wire.post("/_fake/simulate/inbound", json=body)
    bad = wire.post("/_fake/simulate/inbound", json={**body, "channel": "NOPE"})

    assert created.status_code == 201
    assert created.json()["created"] is True
    assert created.json()["person"]["type"] == "LEAD"
    assert again.status_code == 200
    assert again.json()["person"]["id"] == created.json()["person"]["id"]
    assert bad.status_code == 400
    assert "channel" in bad.json()["error"]


def test_inbound_is_not_recorded_as_a_call(fake: FakeProfiles) -> None:
    fake.simulate_inbound("WHATSAPP", WA_SENDER, WA_USER)
    assert len(fake.calls) == 0


# -- form submissions ------------------------------------------------------------------------------


def form(email: str = "ada@example.com", **fields: Any) -> dict[str, Any]:
    return {"contactInformation": {"email": [{"address": email}]}, **fields}


def test_a_form_from_a_stranger_creates_a_lead(wire: Wire) -> None:
    made = wire.fake.simulate_form_submission(form(firstName="Ada"))

    assert (made.created, made.changed) == (True, True)
    person = wire.get(PERSONS, params={"type": "EMAIL", "identifier": "ada@example.com"}).json()
    assert person["id"] == made.person_id
    assert (person["type"], person["firstName"], person["origin"]) == ("LEAD", "Ada", "FORMS")


def test_a_form_updates_a_matching_lead(wire: Wire) -> None:
    wire.fake.simulate_form_submission(form(firstName="Ada"))
    wire.fake.clock.advance(60)

    again = wire.fake.simulate_form_submission(form(lastName="Lovelace"))

    assert (again.created, again.changed) == (False, True)
    person = wire.get(PERSONS, params={"type": "EMAIL", "identifier": "ada@example.com"}).json()
    assert (person["firstName"], person["lastName"]) == ("Ada", "Lovelace")
    assert (person["origin"], person["modifiedFrom"]) == ("FORMS", "FORMS")
    assert person["modifiedAt"] != person["createdAt"]


def test_a_form_leaves_a_matching_customer_alone(wire: Wire) -> None:
    [customer] = wire.fake.seed(people=[form(firstName="Ada")]).people

    result = wire.fake.simulate_form_submission(form(firstName="Mallory"))

    assert (result.created, result.changed) == (False, False)
    assert wire.fake.person(customer["id"]) == customer
    assert result.person == customer


def test_a_form_matching_two_persons_is_refused(fake: FakeProfiles) -> None:
    fake.seed(
        people=[
            form("a@x.com"),
            {"contactInformation": {"phone": [{"number": "41793026727"}]}},
        ]
    )
    before = fake.people()
    fields = {
        "contactInformation": {
            "email": [{"address": "a@x.com"}],
            "phone": [{"number": "41793026727"}],
        }
    }
    with pytest.raises(ValueError, match="2 different persons"):
        fake.simulate_form_submission(fields)
    assert fake.people() == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (form(firstName="Ada<script>"), "firstName"),
        (form(type="CUSTOMER"), "LEAD"),
        ({"firstName": "Ada"}, "refused"),
        (form(customAttributes={"undefined": 1}), "undefined"),
        (
            {"contactInformation": {"facebook": [{"applicationId": "a", "userId": "u"}]}},
            "contactInformation.facebook",
        ),
    ],
    ids=["bad-name", "customer-type", "no-identity", "undefined-attribute", "channel-contact"],
)
def test_a_bad_form_is_refused(fake: FakeProfiles, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fake.simulate_form_submission(fields)
    assert fake.people() == ()


def test_form_over_the_control_plane(wire: Wire) -> None:
    created = wire.post("/_fake/simulate/form", json={"fields": form(firstName="Ada")})
    updated = wire.post("/_fake/simulate/form", json={"fields": form(city="London")})
    bad = wire.post("/_fake/simulate/form", json={"fields": "Ada"})

    assert created.status_code == 201
    assert created.json()["person"]["origin"] == "FORMS"
    assert updated.status_code == 200
    assert updated.json()["changed"] is True
    assert updated.json()["person"]["city"] == "London"
    assert bad.status_code == 400


# -- sessions --------------------------------------------------------------------------------------


def test_a_session_of_an_unknown_person_creates_a_customer(wire: Wire) -> None:
    session = wire.fake.simulate_session("ada@example.com", channel="WHATSAPP", session_id="s-1")

    assert isinstance(session, SimulatedSession)
    assert session.created
    person = wire.get(PERSONS, params={"type": "EMAIL", "identifier": "ada@example.com"}).json()
    assert person["id"] == session.person_id
    assert (person["type"], person["origin"]) == ("CUSTOMER", "ANSWERS")
    assert [(e["definitionId"], e["properties"]) for e in session.events] == [
        ("chatbotSessionStarted", {"botId": "bot-1", "channel": "WHATSAPP", "sessionId": "s-1"}),
        (
            "chatbotSessionEnded",
            {"botId": "bot-1", "channel": "WHATSAPP", "sessionId": "s-1", "reason": "COMPLETED"},
        ),
    ]
    assert [e["metadata"] for e in session.events] == [{"source": "ANSWERS"}] * 2
    assert list(wire.fake.events()) == list(session.events)


def test_a_session_of_a_known_person_adds_events_only(wire: Wire) -> None:
    [lead] = wire.fake.seed(people=[form(type="LEAD")]).people

    session = wire.fake.simulate_session(
        "ada@example.com", kind="conversation", ended=False, agent_id="agent-7"
    )

    assert not session.created
    assert session.person == lead
    [event] = session.events
    assert event["definitionId"] == "conversationCreated"
    assert event["properties"]["agentId"] == "agent-7"
    assert event["properties"]["conversationId"] == session.session_id


def test_a_session_over_a_channel_contact_creates_a_customer_holding_it(wire: Wire) -> None:
    session = wire.fake.simulate_session(WA_USER, "WHATSAPP", sender=WA_SENDER)
    found = wire.get(
        PERSONS, params={"type": "WHATSAPP", "identifier": WA_USER, "sender": WA_SENDER}
    )
    assert found.json()["id"] == session.person_id
    assert found.json()["type"] == "CUSTOMER"


def test_session_events_feed_computed_attributes(wire: Wire) -> None:
    wire.fake.define_computed_attribute("chats", "chatbotSessionStarted", "count")
    wire.fake.simulate_session("ada@example.com")
    wire.fake.simulate_session("ada@example.com", started_at=NOW - timedelta(hours=1))
    person = wire.get(PERSONS, params={"type": "EMAIL", "identifier": "ada@example.com"}).json()
    assert person["computedAttributes"] == {"chats": 2}


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("ada@example.com",), {"kind": "meeting"}, "kind"),
        (("42", "ID"), {}, "no person"),
        (("u", "WHATSAPP"), {}, "sender"),
        (("reg", "PUSH"), {"sender": "app"}, "push"),
        (("not-an-email",), {}, "identifier"),
        (("ada@example.com",), {"started_at": datetime(2026, 1, 1)}, "timezone"),
    ],
)
def test_a_bad_session_is_refused(
    fake: FakeProfiles, args: tuple[str, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fake.simulate_session(*args, **kwargs)
    assert fake.people() == ()
    assert fake.events() == ()


def test_session_over_the_control_plane(wire: Wire) -> None:
    response = wire.post(
        "/_fake/simulate/session",
        json={"identifier": "41793026727", "type": "PHONE", "sessionId": "s-9", "ended": False},
    )
    bad = wire.post("/_fake/simulate/session", json={"identifier": "x", "ended": "yes"})

    assert response.status_code == 201
    body = response.json()
    assert body["created"] is True
    assert body["sessionId"] == "s-9"
    assert [e["definitionId"] for e in body["events"]] == ["chatbotSessionStarted"]
    assert body["person"]["type"] == "CUSTOMER"
    assert bad.status_code == 400


# -- through the client ----------------------------------------------------------------------------


def test_client_reads_a_profile_made_by_an_inbound_message(
    fake: FakeProfiles, client: ProfilesClient
) -> None:
    made = fake.simulate_inbound("WHATSAPP", WA_SENDER, WA_USER)
    person = client.people.get(
        PersonRef.channel(IdentifierType.WHATSAPP, WA_USER, sender=WA_SENDER)
    )
    assert person.id == made.person_id
    assert person.type is PersonType.LEAD


async def test_async_client_reads_a_form_lead(
    fake: FakeProfiles, aclient: AsyncProfilesClient
) -> None:
    made = fake.simulate_form_submission(form(firstName="Ada"))
    person = await aclient.people.get(PersonRef.email("ada@example.com"))
    assert (person.id, person.type, person.first_name) == (made.person_id, PersonType.LEAD, "Ada")


# -- tenants ---------------------------------------------------------------------------------------


def test_simulations_act_on_the_named_tenant_only(wire: Wire) -> None:
    wire.fake.add_tenant("other")
    wire.fake.simulate_inbound("WHATSAPP", WA_SENDER, WA_USER, api_key="other")
    response = wire.post(
        "/_fake/simulate/form",
        json={"fields": form()},
        headers={"X-Fake-Api-Key": "other"},
    )

    assert response.status_code == 201
    assert wire.fake.people() == ()
    assert len(wire.fake.people(api_key="other")) == 2
