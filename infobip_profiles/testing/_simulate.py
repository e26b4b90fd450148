"""Profiles made by other products: what an inbound chat message, a web form or a chat session
does to a tenant's persons when those products (not the API) create or change them.

The rules, and where they come from (``docs/testing.md`` lists them too):

* **Inbound message** on a channel: the person holding that channel contact ``(channel, sender,
  identifier)`` is found and left unchanged; with none, a new **LEAD** holding the contact is
  created (its contact has not been verified, which is what a lead is in the public docs; the
  type is inferred), with ``origin`` naming the channel (``WHATSAPP``, ``FACEBOOK``...; the v2
  ``origin`` list is shorter, so v3-only channels read ``CONVERSATIONS`` there). ``SMS`` and
  ``EMAIL`` messages carry the end user's phone or address as a PHONE/EMAIL contact.
* **Form submission**: the fields (a v2 person body) are matched by externalId, email and phone.
  No match creates a **LEAD** (origin ``FORMS``); a matching LEAD is updated like a PATCH
  (``modifiedFrom`` ``FORMS``); a matching CUSTOMER is left as it is (a customer's data is
  verified and not changed by unverified sources: inferred from the public docs on person types).
  Fields matching two persons are refused.
* **Session**: a chatbot session (``chatbotSessionStarted``/``chatbotSessionEnded``) or an agent
  conversation (``conversationCreated``/``conversationClosed``) is recorded as the platform's own
  standard events (which the API may not send) for the person; an unknown person is created as a
  **CUSTOMER** holding the identity, as the events batch call does (the spec), origin ``ANSWERS``
  or ``CONVERSATIONS``.

Nothing here is recorded in ``fake.calls`` or rate-limited. Bad input raises ``ValueError`` and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .._operations import CONTACT_IDENTIFIER_MAX_LENGTH, spec_enum
from .engine._domain import DomainError
from .engine.persons import CHANNEL_TYPES, channel_origin

if TYPE_CHECKING:
    from ._state import TenantState

__all__ = [
    "INBOUND_CHANNELS",
    "SimulatedProfile",
    "SimulatedSession",
    "simulate_form",
    "simulate_inbound",
    "simulate_session",
]

#: Channels an inbound message can arrive on: every chat channel type, plus SMS and EMAIL.
INBOUND_CHANNELS = (
    "SMS",
    "EMAIL",
    *(kind for kind in CHANNEL_TYPES if kind not in ("PUSH", "WEB_PUSH")),
)

_MAX_IDENTIFIER = CONTACT_IDENTIFIER_MAX_LENGTH
_SESSION_EVENTS = {
    "chatbot": ("chatbotSessionStarted", "chatbotSessionEnded", "ANSWERS"),
    "conversation": ("conversationCreated", "conversationClosed", "CONVERSATIONS"),
}


@attrs.frozen
class SimulatedProfile:
    """The profile an inbound message or a form submission touched.

    Attributes:
        person: the person as stored afterwards, a v2 wire dict (``IamPersonV2``, a copy).
        created: whether the person was created by this call.
        changed: whether the call created or changed the person (``False`` when an existing
            profile was only found, or a matching CUSTOMER was left as it was).
    """

    person: dict[str, Any]
    created: bool
    changed: bool

    @property
    def person_id(self) -> int:
        """The person's id."""
        return int(self.person["id"])


@attrs.frozen
class SimulatedSession:
    """A simulated chat session and what it stored.

    Attributes:
        person: the person the session belongs to, as stored afterwards (v2 wire dict, a copy).
        created: whether the person was created for the session.
        session_id: the session's (or conversation's) id, as the events carry it.
        events: the stored events, oldest first, each with ``personId`` (as ``fake.events()``).
    """

    person: dict[str, Any]
    created: bool
    session_id: str
    events: tuple[dict[str, Any], ...]

    @property
    def person_id(self) -> int:
        """The person's id."""
        return int(self.person["id"])


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    if len(value) > _MAX_IDENTIFIER:
        raise ValueError(f"{name} is longer than {_MAX_IDENTIFIER} characters")
    return value


def _rendered(state: TenantState, person_id: int) -> dict[str, Any]:
    person = state.persons.get(person_id)
    assert person is not None
    return person


def simulate_inbound(
    state: TenantState, channel: str, sender: str, identifier: str
) -> SimulatedProfile:
    """An end user's message on ``channel`` from ``identifier`` to the business's ``sender``."""
    if channel not in INBOUND_CHANNELS:
        raise ValueError(f"channel {channel!r}: use one of {', '.join(INBOUND_CHANNELS)}")
    sender = _text(sender, "sender")
    identifier = _text(identifier, "identifier")
    persons = state.persons
    if channel in ("SMS", "EMAIL"):
        kind = "PHONE" if channel == "SMS" else "EMAIL"
        identity: dict[str, Any] = {"type": kind, "identifier": identifier}
        origin = "CONVERSATIONS"
        problems = persons.contact_problems(kind, identifier)
        if problems:
            raise ValueError(f"identifier {identifier!r}: {problems}")
        found = persons.resolve(kind, identifier)
    else:
        identity = {"type": channel, "identifier": identifier, "sender": sender}
        origin = channel_origin(channel)
        found = persons.resolve(channel, identifier, sender)
    if found is not None:
        return SimulatedProfile(_rendered(state, found), created=False, changed=False)
    pid = persons.create_profile(person_type="LEAD", identity=identity, origin=origin)
    return SimulatedProfile(_rendered(state, pid), created=True, changed=True)


def simulate_form(state: TenantState, fields: Mapping[str, Any]) -> SimulatedProfile:
    """A web form submitted with ``fields`` (a v2 person body, camelCase)."""
    if not isinstance(fields, Mapping):
        raise ValueError("fields must be a mapping (a v2 person body)")
    body = dict(fields)
    kind = body.pop("type", None)
    if kind not in (None, "LEAD"):
        raise ValueError(f"a form makes LEADs; type {kind!r} cannot be submitted")
    contacts = body.get("contactInformation")
    if isinstance(contacts, Mapping):
        others = sorted(set(contacts) - {"email", "phone"})
        if others:
            raise ValueError(
                f"a form carries emails and phones only, not contactInformation.{others[0]}"
            )
    persons = state.persons
    candidates: set[int] = set()
    for id_type, value in _identities(body):
        found = persons.resolve(id_type, value)
        if found is not None:
            candidates.add(found)
    if len(candidates) > 1:
        raise ValueError(
            f"the form's identifiers match {len(candidates)} different persons "
            f"({', '.join(map(str, sorted(candidates)))})"
        )
    try:
        if not candidates:
            person = persons.create_with_contacts({**body, "type": "LEAD"}, origin="FORMS")
            return SimulatedProfile(person, created=True, changed=True)
        (pid,) = candidates
        if _rendered(state, pid)["type"] != "LEAD":
            return SimulatedProfile(_rendered(state, pid), created=False, changed=False)
        person, changed = persons.update_from(pid, body, "FORMS")
    except DomainError as err:
        raise ValueError(f"the form was refused: {err.describe()}") from None
    return SimulatedProfile(person, created=False, changed=changed)


def _identities(body: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(body.get("externalId"), str) and body["externalId"]:
        out.append(("EXTERNAL_ID", body["externalId"]))
    contacts = body.get("contactInformation")
    if isinstance(contacts, Mapping):
        for key, field, id_type in (("email", "address", "EMAIL"), ("phone", "number", "PHONE")):
            for item in contacts.get(key) or ():
                value = item.get(field) if isinstance(item, Mapping) else None
                if isinstance(value, str) and value:
                    out.append((id_type, value))
    return out


def simulate_session(
    state: TenantState,
    identifier: str,
    identifier_type: str = "EMAIL",
    *,
    sender: str | None = None,
    kind: Literal["chatbot", "conversation"] = "chatbot",
    channel: str = "LIVE_CHAT",
    session_id: str | None = None,
    ended: bool = True,
    reason: str = "COMPLETED",
    bot_id: str = "bot-1",
    agent_id: str = "agent-1",
    started_at: datetime | None = None,
) -> SimulatedSession:
    """A chat session of the person ``identifier_type``/``identifier`` (``sender`` for a
    channel type): its start event, and its end event when ``ended``."""
    if kind not in _SESSION_EVENTS:
        raise ValueError(f"kind {kind!r}: use 'chatbot' or 'conversation'")
    identifier = _text(identifier, "identifier")
    channel = _text(channel, "channel")
    persons = state.persons
    if identifier_type in CHANNEL_TYPES:
        if identifier_type == "PUSH":
            raise ValueError("a session cannot be held over a push registration")
        sender = _text(sender, "sender")
    elif identifier_type not in spec_enum("senderless_types"):
        raise ValueError(f"identifier type {identifier_type!r} is not one a person has")
    if started_at is not None and started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware")
    if identifier_type in ("PHONE", "EMAIL"):
        problems = persons.contact_problems(identifier_type, identifier)
        if problems:
            raise ValueError(f"identifier {identifier!r}: {problems}")
    started_def, ended_def, origin = _SESSION_EVENTS[kind]
    found = persons.resolve(identifier_type, identifier, sender)
    created = found is None
    if found is None:
        if identifier_type == "ID":
            raise ValueError(f"no person with id {identifier}")
        identity: dict[str, Any] = {"type": identifier_type, "identifier": identifier}
        if sender is not None:
            identity["sender"] = sender
        found = persons.create_profile(person_type="CUSTOMER", identity=identity, origin=origin)
    the_id = session_id or state.next_uuid("session")
    if kind == "chatbot":
        base: dict[str, Any] = {"botId": bot_id, "channel": channel, "sessionId": the_id}
    else:
        base = {"conversationId": the_id, "channel": channel, "agentId": agent_id}
    events = state.events
    stored = [
        events.record_platform_event(found, started_def, base, occurred=started_at, source=origin)
    ]
    if ended:
        end_props = {**base, "reason": reason} if kind == "chatbot" else dict(base)
        stored.append(events.record_platform_event(found, ended_def, end_props, source=origin))
    return SimulatedSession(
        _rendered(state, found), created=created, session_id=the_id, events=tuple(stored)
    )
