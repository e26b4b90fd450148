"""Control endpoints for what other products do (``/_fake/simulate/...``) and for the fake's own
event templates (``/_fake/session-templates``); registered into ``_control``'s route table.

Tenant choice, body rules and the error shape are the control plane's (see ``_control``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._control import _ControlError, _name, _object, _ok, _tenant
from ._simulate import SimulatedProfile
from ._wire import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from ._fake import FakeProfiles

__all__ = ["ROUTES"]

_INBOUND_FIELDS = ("channel", "sender", "identifier")
_FORM_FIELDS = ("fields",)
_SESSION_FIELDS = (
    "identifier",
    "type",
    "sender",
    "kind",
    "channel",
    "sessionId",
    "ended",
    "reason",
    "botId",
    "agentId",
    "startedAt",
)
_TEMPLATE_FIELDS = ("templateIds",)


def _answer(made: SimulatedProfile) -> FakeResponse:
    body = {"person": made.person, "created": made.created, "changed": made.changed}
    return _ok(body, 201 if made.created else 200)


def simulate_inbound(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    """``POST /_fake/simulate/inbound`` ``{"channel", "sender", "identifier"}``."""
    body = _object(request, _INBOUND_FIELDS)
    channel, sender, identifier = (str(_name(body, f)) for f in _INBOUND_FIELDS)
    key = _tenant(fake, request)
    try:
        made = fake.simulate_inbound(channel, sender, identifier, api_key=key)
    except ValueError as exc:
        raise _ControlError(400, str(exc)) from None
    return _answer(made)


def simulate_form(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    """``POST /_fake/simulate/form`` ``{"fields": {...}}`` (a v2 person body)."""
    fields = _object(request, _FORM_FIELDS, exact=True).get("fields")
    if not isinstance(fields, dict):
        raise _ControlError(400, "fields must be a JSON object (a v2 person body)")
    key = _tenant(fake, request)
    try:
        made = fake.simulate_form_submission(fields, api_key=key)
    except ValueError as exc:
        raise _ControlError(400, str(exc)) from None
    return _answer(made)


def simulate_session(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    """``POST /_fake/simulate/session``: ``identifier`` and the options of
    ``FakeProfiles.simulate_session`` in camelCase; 201 with the person and the events."""
    body = _object(request, _SESSION_FIELDS)
    identifier = str(_name(body, "identifier"))
    options: dict[str, Any] = {}
    for field, option in (
        ("sender", "sender"),
        ("kind", "kind"),
        ("channel", "channel"),
        ("sessionId", "session_id"),
        ("reason", "reason"),
        ("botId", "bot_id"),
        ("agentId", "agent_id"),
    ):
        value = _name(body, field, required=False)
        if value is not None:
            options[option] = value
    ended = body.get("ended", True)
    if not isinstance(ended, bool):
        raise _ControlError(400, "ended must be true or false")
    started = body.get("startedAt")
    if started is not None:
        try:
            options["started_at"] = datetime.fromisoformat(str(started).replace("Z", "+00:00"))
        except ValueError:
            raise _ControlError(
                400, f"startedAt must be an ISO 8601 timestamp, not {started!r}"
            ) from None
    key = _tenant(fake, request)
    try:
        session = fake.simulate_session(
            identifier,
            _name(body, "type", required=False) or "EMAIL",
            ended=ended,
            api_key=key,
            **options,
        )
    except ValueError as exc:
        raise _ControlError(400, str(exc)) from None
    answer = {
        "person": session.person,
        "created": session.created,
        "sessionId": session.session_id,
        "events": list(session.events),
    }
    return _ok(answer, 201)


def session_templates(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    """``POST /_fake/session-templates`` ``{"templateIds"?: [...]}`` (all four when none)."""
    ids = _object(request, _TEMPLATE_FIELDS).get("templateIds") or []
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise _ControlError(400, "templateIds must be an array of strings")
    key = _tenant(fake, request)
    try:
        fake.register_session_templates(*ids, api_key=key)
    except ValueError as exc:
        raise _ControlError(400, str(exc)) from None
    return _ok({"templates": fake.tenant(key).events.templates()}, 201)


ROUTES = {
    ("POST", "simulate/inbound"): simulate_inbound,
    ("POST", "simulate/form"): simulate_form,
    ("POST", "simulate/session"): simulate_session,
    ("POST", "session-templates"): session_templates,
}
"""``(method, path under /_fake/) -> handler`` for ``_control``'s route table."""
