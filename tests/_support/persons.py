"""Small helpers shared by the persons wire tests (``tests/fake/persons/`` and other fake tests)."""

from __future__ import annotations

from typing import Any

import httpx

from tests._support.wire import Wire

PERSONS = "/people/2/persons"
BATCH = "/people/2/persons/batch"
CONTACTS = "/people/2/persons/contactInformation"
UPSERT = "/people/3/persons/upsert"
MERGE = "/people/3/persons/merge"
MATCH = "/people/2/persons/match"


def person_body(
    *,
    email: str | list[str] | None = None,
    phone: str | list[str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A v2 person body: keyword fields as given, emails/phones folded into contactInformation."""
    body: dict[str, Any] = dict(fields)
    contacts: dict[str, Any] = {}
    if email is not None:
        emails = [email] if isinstance(email, str) else email
        contacts["email"] = [{"address": e} for e in emails]
    if phone is not None:
        phones = [phone] if isinstance(phone, str) else phone
        contacts["phone"] = [{"number": p} for p in phones]
    if contacts:
        body["contactInformation"] = contacts
    return body


def create(wire: Wire, **fields: Any) -> dict[str, Any]:
    """POST a person (see :func:`person_body`) and return the stored wire person."""
    response = wire.post(PERSONS, json=person_body(**fields))
    assert response.status_code == 200, response.text
    person: dict[str, Any] = response.json()
    return person


def by(kind: str, identifier: str, sender: str | None = None) -> dict[str, str]:
    """Query parameters naming one person."""
    params = {"type": kind, "identifier": identifier}
    if sender is not None:
        params["sender"] = sender
    return params


def fetch(wire: Wire, kind: str, identifier: str) -> httpx.Response:
    """GET one person by identifier."""
    response: httpx.Response = wire.get(PERSONS, params=by(kind, identifier))
    return response


def emails(person: dict[str, Any]) -> list[str]:
    """The email addresses of a v2 wire person."""
    return [e["address"] for e in person["contactInformation"].get("email", [])]


def phones(person: dict[str, Any]) -> list[str]:
    """The phone numbers of a v2 wire person."""
    return [p["number"] for p in person["contactInformation"].get("phone", [])]


def error_text(response: httpx.Response) -> str:
    """The ``text`` of a v2 error envelope."""
    return str(response.json()["requestError"]["serviceException"]["text"])


def validation_errors(response: httpx.Response) -> dict[str, list[str]]:
    """The ``validationErrors`` of a v2 error envelope (empty when absent)."""
    exc = response.json()["requestError"]["serviceException"]
    return dict(exc.get("validationErrors") or {})
