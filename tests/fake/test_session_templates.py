"""The fake's event templates are its own invention (the spec names none): create-definition
offers a template only after a test registers it, per tenant, or for every tenant with
``FakeProfiles(session_templates=True)``.

Over the wire (in-process and loopback HTTP), the control plane, and the client.
"""

from __future__ import annotations

import pytest

from infobip_profiles import AsyncProfilesClient, ProfilesClient
from infobip_profiles.errors import BadRequestError
from infobip_profiles.models import SessionTemplate
from infobip_profiles.testing import FakeProfiles
from infobip_profiles.testing.engine.events import SESSION_TEMPLATES
from tests._support.wire import KEY, Wire

DEFS = "/peopleevents/2/definitions"


@pytest.mark.parametrize("template_id", [*SESSION_TEMPLATES, "productViewed", "orderCompleted"])
def test_no_template_is_offered_by_default(wire: Wire, template_id: str) -> None:
    response = wire.post(DEFS, json={"templateId": template_id})
    assert response.status_code == 400
    assert response.content == b""
    assert wire.get(f"{DEFS}/{template_id}").status_code == 404


def test_registered_session_templates_are_offered(wire: Wire) -> None:
    wire.fake.register_session_templates()
    for template_id in SESSION_TEMPLATES:
        response = wire.post(DEFS, json={"templateId": template_id})
        assert response.status_code == 201
        assert response.json()["definitionId"] == template_id
        assert response.json()["category"] == "template"
    assert wire.post(DEFS, json={"templateId": "productViewed"}).status_code == 400


def test_registering_some_offers_only_those(wire: Wire) -> None:
    wire.fake.register_session_templates("chatSessionStarted")
    assert wire.post(DEFS, json={"templateId": "chatSessionStarted"}).status_code == 201
    assert wire.post(DEFS, json={"templateId": "chatSessionEnded"}).status_code == 400


def test_an_unknown_session_template_cannot_be_registered(fake: FakeProfiles) -> None:
    with pytest.raises(ValueError, match="not a session template"):
        fake.register_session_templates("chatSessionPaused")
    assert fake.tenant().events.templates() == []


def test_a_template_of_your_own(wire: Wire) -> None:
    wire.fake.register_event_template(
        "ticketOpened",
        title="Ticket opened",
        description="A support ticket was opened.",
        fields=[{"name": "ticketId", "type": "String"}],
    )
    wire.fake.register_event_template("productViewed")  # from the fake's catalogue, by id
    response = wire.post(DEFS, json={"templateId": "ticketOpened"})
    assert response.status_code == 201
    assert response.json()["title"] == "Ticket opened"
    assert response.json()["fields"] == [{"name": "ticketId", "type": "String"}]
    assert wire.post(DEFS, json={"templateId": "productViewed"}).status_code == 201


@pytest.mark.parametrize(
    ("template_id", "kwargs", "message"),
    [
        ("no-dashes", {"title": "T"}, "letters and digits"),
        ("emailOpened", {"title": "T"}, "standard"),
        ("mystery", {}, "catalogue"),
        ("ticket", {"title": ""}, "title"),
        ("ticket", {"title": "T", "fields": [{"name": "Bad Name", "type": "String"}]}, "fields"),
    ],
)
def test_an_unusable_template_is_refused(
    fake: FakeProfiles, template_id: str, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fake.register_event_template(template_id, **kwargs)  # type: ignore[arg-type]
    assert fake.tenant().events.templates() == []


def test_templates_are_per_tenant_and_reset_forgets_them(fake: FakeProfiles) -> None:
    fake.add_tenant("other")
    fake.register_session_templates()
    assert fake.tenant("other").events.templates() == []
    fake.reset()
    assert fake.tenant().events.templates() == []


def test_the_constructor_flag_offers_them_to_every_tenant_across_resets() -> None:
    fake = FakeProfiles(KEY, session_templates=True)
    fake.add_tenant("other")
    assert fake.tenant().events.templates() == list(SESSION_TEMPLATES)
    assert fake.tenant("other").events.templates() == list(SESSION_TEMPLATES)
    fake.reset()
    assert fake.tenant().events.templates() == list(SESSION_TEMPLATES)


def test_registration_over_the_control_plane(wire: Wire) -> None:
    some = wire.post("/_fake/session-templates", json={"templateIds": ["inboxSessionStarted"]})
    assert some.status_code == 201
    assert some.json() == {"templates": ["inboxSessionStarted"]}
    everything = wire.post("/_fake/session-templates", json={})
    assert everything.json()["templates"][0] == "inboxSessionStarted"
    assert sorted(everything.json()["templates"]) == sorted(SESSION_TEMPLATES)
    bad = wire.post("/_fake/session-templates", json={"templateIds": ["nope"]})
    assert bad.status_code == 400
    assert "not a session template" in bad.json()["error"]
    assert wire.post(DEFS, json={"templateId": "chatSessionEnded"}).status_code == 201


# -- through the client ----------------------------------------------------------------------------


def test_client_needs_the_opt_in(fake: FakeProfiles, client: ProfilesClient) -> None:
    with pytest.raises(BadRequestError):
        client.events.create_definition(template_id=SessionTemplate.CHAT_SESSION_STARTED.value)
    fake.register_session_templates()
    definition = client.events.create_definition(
        template_id=SessionTemplate.CHAT_SESSION_STARTED.value
    )
    assert definition.definition_id == "chatSessionStarted"


async def test_async_client_with_the_constructor_flag(
    aclient: AsyncProfilesClient, fake: FakeProfiles
) -> None:
    fake.session_templates = True
    fake.reset()  # the flag applies to fresh tenant state
    definition = await aclient.events.create_definition(
        template_id=SessionTemplate.INBOX_SESSION_ENDED.value
    )
    assert definition.definition_id == "inboxSessionEnded"
