"""What the people calls send: a person's v2 body (a dict) and its v3 body (JSON text).

The v3 encoder has a fast path (:func:`v3_json`) that writes the JSON text in one pass over the
fields set, and a reference path (:func:`v3_body_reference`) that builds the body the general
way; the two give the same text, and anything out of the ordinary takes the reference path.
"""

from __future__ import annotations

from json.encoder import encode_basestring as _json_str  # a JSON string, non-ASCII kept (as dumps)
from typing import Any

import attrs

from .._converter import _PLAIN, dumps, to_wire, wire_name
from .._operations import EMAIL_MAX_LENGTH, PHONE_MAX_LENGTH
from .._types import NOT_GIVEN
from .._validation import (
    FORBIDDEN_NAME_CHARACTERS,
    MAX_ATTRIBUTE_TEXT,
    MAX_CONTACTS,
    PERSON_MAX_LENGTHS,
    check_contacts,
    check_person,
)
from ..errors import ValidationError
from ..lists_ops import Append
from ..models import ContactInformation, EmailContact, Person, PhoneContact

__all__ = [
    "contacts_body",
    "create_body",
    "has_identifier",
    "person_body",
    "require_identifier",
    "upsert_json",
    "v3_body_reference",
    "v3_json",
    "validate_person_for_upsert",
]


def person_body(person: Person, *, v3: bool = False) -> dict[str, Any]:
    """``person`` as a v2 write body (or, ``v3=True``, the checked body the v3 one is made from),
    after the field checks."""
    if not isinstance(person, Person):
        raise TypeError(f"expected a Person, got {type(person).__name__}")
    body: dict[str, Any] = to_wire(person)
    if not v3 and body.get("nickName", "") is None:
        del body["nickName"]  # v2 has no nickName; a null one (a copied response) means nothing
    check_person(body, v3=v3)
    return body


def has_identifier(person: Person) -> bool:
    """Whether ``person`` carries an external id, an email or a phone (what every stored person
    has, and what an upsert matches on)."""
    external_id = person.external_id
    if isinstance(external_id, str) and external_id:
        return True
    info = person.contact_information
    return isinstance(info, ContactInformation) and bool(info.emails or info.phones)


def require_identifier(person: Person) -> None:
    """Refuse a person without an external id, an email or a phone (nothing to match it on)."""
    if isinstance(person, Person) and not has_identifier(person):
        raise ValidationError(
            "a person needs at least one of external_id, an email or a phone",
            field="externalId",
        )


def create_body(person: Person) -> dict[str, Any]:
    """A create's body: the v2 body of a person that has an identifier."""
    body = person_body(person)
    require_identifier(person)
    return body


def upsert_json(person: Person) -> str:
    """A person's v3 upsert body as JSON text, after every check the client makes."""
    text = v3_json(person)
    require_identifier(person)
    return text


def validate_person_for_upsert(person: Person) -> list[str]:
    """The problems the client finds in ``person`` as an item of ``people.upsert_many`` (or
    ``people.upsert``), without sending anything; an empty list when it would be sent.

    These are the checks made before each request: the field lengths, forbidden characters in
    names, at most 100 emails and 100 phones, and at least one of external id, email or phone
    to match the person on. An item failing them is not sent: its outcome in ``upsert_many``'s
    result is failed with the same message. The service may still refuse a person that passes
    (an email taken by someone else, an address it finds malformed).

    Example::

        problems = validate_person_for_upsert(Person(first_name="Ada"))
        # ['a person needs at least one of external_id, an email or a phone']
    """
    try:
        upsert_json(person)
    except (ValidationError, TypeError) as error:
        return [str(error)]
    return []


def v3_json(person: Person) -> str:
    """A person's v3 body as JSON text: exactly what ``dumps(v3_body_reference(person))`` writes.

    One pass over the fields set, validating as it encodes, with no dict per person: for a bulk
    call of 100,000 persons those would be 300,000 containers, and the garbage collector's passes
    over them and over the caller's own objects cost more than the encoding itself. Anything out
    of the ordinary (a value that breaks a rule, a subclass, an unusual type) takes the reference
    path, which raises the error or builds the body the general way: the two give the same text.
    """
    if type(person) is not Person:
        return _reference_json(person)
    chosen = person.fields_set()
    if not chosen.isdisjoint(_PERSON_READ_ONLY):
        return _reference_json(person)  # raises the converter's read-only ValidationError
    plan = _V3_PLANS.get(chosen)
    if plan is None:
        plan = [entry for entry in _V3_FIELDS if entry[0] in chosen]
        if len(_V3_PLANS) < 1024:
            _V3_PLANS[chosen] = plan
    parts: list[str] = []
    contacts: str | None = None
    for name, key, prefix, limit, is_name in plan:
        value = getattr(person, name)
        if value is NOT_GIVEN:
            continue
        kind = type(value)
        if kind is str:
            if (
                (limit and len(value) > limit)
                or (is_name and not FORBIDDEN_NAME_CHARACTERS.isdisjoint(value))
                or key == "contactInformation"  # text where contacts belong: refused there
            ):
                return _reference_json(person)
            parts.append(prefix + _json_str(value))
        elif value is None:
            if key != "contactInformation":  # a null contactInformation is not sent
                parts.append(prefix + "null")
        elif limit or is_name:
            return _reference_json(person)  # a non-str in a checked text field
        elif key == "contactInformation":
            contacts = _v3_contacts_json(value)
            if contacts is None:
                return _reference_json(person)
        elif key == "customAttributes":
            if kind is not dict:
                return _reference_json(person)
            value = {
                (k if type(k) is str else str(k)): (v if type(v) in _PLAIN else to_wire(v))
                for k, v in value.items()
            }
            for v in value.values():
                if (isinstance(v, str) and len(v) > MAX_ATTRIBUTE_TEXT) or type(v) is Append:
                    return _reference_json(person)  # the reference path raises the error
            parts.append(prefix + dumps(value).decode())
        elif kind is list and all(type(v) is str for v in value):
            parts.append(prefix + "[" + ",".join(map(_json_str, value)) + "]")
        else:
            parts.append(prefix + dumps(value if kind in _PLAIN else to_wire(value)).decode())
    if contacts:
        parts.append('"contactInformation":' + contacts)
    return "{" + ",".join(parts) + "}"


def _reference_json(person: Person) -> str:
    return dumps(v3_body_reference(person)).decode()


def _v3_contacts_json(info: Any) -> str | None:
    """The v3 contact array of a ContactInformation as JSON text; ``""`` when nothing is sent,
    ``None`` when the reference path must decide (a broken rule or an unusual value)."""
    if type(info) is not ContactInformation:
        return None
    chosen = info.fields_set()
    if not chosen.isdisjoint(_CONTACTS_READ_ONLY):
        return None  # the reference path refuses read-only contacts
    out: list[str] = []
    present = False
    for field, cls, attr, prefix, limit in _V3_CONTACT_KINDS:
        if field not in chosen:
            continue
        items = getattr(info, field)
        if items is NOT_GIVEN:
            continue
        present = True
        if not items:
            continue
        if type(items) is not list or len(items) > MAX_CONTACTS:
            return None
        for item in items:
            if type(item) is not cls or attr not in item.fields_set():
                return None
            value = getattr(item, attr)
            if type(value) is not str:
                return None
            if len(value) > limit:
                return None
            if value:
                out.append(prefix + _json_str(value) + "}")
    return "[" + ",".join(out) + "]" if present else ""


def v3_body_reference(person: Person) -> dict[str, Any]:
    """The v3 body built the general way: the v2 wire body, checked, then reshaped."""
    body = person_body(person, v3=True)
    contacts = body.pop("contactInformation", None)
    if contacts and not isinstance(contacts, dict):
        raise TypeError(
            f"contact_information: expected ContactInformation, got {type(contacts).__name__}"
        )
    if contacts:
        items = [
            {"type": "EMAIL", "identifier": e["address"]}
            for e in _contact_items(contacts, "email", EmailContact)
            if e.get("address")
        ]
        items += [
            {"type": "PHONE", "identifier": p["number"]}
            for p in _contact_items(contacts, "phone", PhoneContact)
            if p.get("number")
        ]
        body["contactInformation"] = items
    return body


def _contact_items(contacts: Any, key: str, cls: type) -> list[dict[str, Any]]:
    """The wire items of one contact kind; :class:`TypeError` for an item that was not a
    ``cls`` (a bare address string, ``None``), which the v3 body has no way to carry."""
    items = contacts.get(key) or []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise TypeError(
                f"contact_information.{key}[{index}]: expected {cls.__name__}, "
                f"got {type(item).__name__}"
            )
    return list(items)


#: Person fields the v3 body may carry: (attribute, wire key, the key as JSON text with its colon,
#: length limit or 0, a name field).
_V3_FIELDS = [
    (
        f.name,
        wire_name(f),
        _json_str(wire_name(f)) + ":",
        PERSON_MAX_LENGTHS.get(wire_name(f), 0),
        wire_name(f) in ("firstName", "lastName", "middleName", "nickName"),
    )
    for f in attrs.fields(Person)  # type: ignore[arg-type]
    if not f.metadata.get("read_only")
]
_V3_PLANS: dict[frozenset[str], list[tuple[str, str, str, int, bool]]] = {}
#: Fields the service sets and a write may not carry (the reference path refuses them).
_PERSON_READ_ONLY = frozenset(
    f.name
    for f in attrs.fields(Person)  # type: ignore[arg-type]
    if f.metadata.get("read_only")
)
_CONTACTS_READ_ONLY = frozenset(
    f.name
    for f in attrs.fields(ContactInformation)  # type: ignore[arg-type]
    if f.metadata.get("read_only")
)
#: (field, item class, item attribute, the item's JSON text up to its identifier, length limit)
#: per contact kind, in wire order.
_V3_CONTACT_KINDS = (
    ("email", EmailContact, "address", '{"type":"EMAIL","identifier":', EMAIL_MAX_LENGTH),
    ("phone", PhoneContact, "number", '{"type":"PHONE","identifier":', PHONE_MAX_LENGTH),
)


def contacts_body(contacts: ContactInformation) -> dict[str, Any]:
    """The body of the contact information calls, after the contact checks."""
    if not isinstance(contacts, ContactInformation):
        raise TypeError(f"expected ContactInformation, got {type(contacts).__name__}")
    wire = to_wire(contacts)
    check_contacts(wire)
    return {"contactInformation": wire}
