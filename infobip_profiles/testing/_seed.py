"""Seeding a tenant with data, from Python objects or a JSON seed file.

Seed file format (also the body of ``POST /_fake/seed``): one JSON object whose keys are all
optional, each a list of items in the API's wire format (camelCase, as you would POST them)::

    {
      "customAttributes": [{"name": "tier", "dataType": "STRING"}],
      "tags": ["vip", {"name": "beta"}],
      "companies": [{"name": "Acme", "domains": ["acme.example"]}],
      "people": [{"firstName": "Ada", "contactInformation": {"email": [{"address": "ada@x.co"}]}}]
    }

Items are created in that order (attribute definitions and tags before the people that use them),
through the same engine calls the API's create operations make, so they are validated the same
way and get ids, timestamps and defaults. ``custom_attributes`` may stand for ``customAttributes``.

A person may also carry what only other products write, in the v2 read shape: push registrations
(``contactInformation.push``: ``registrationId``, ``applicationId``, optional ``isPrimary``,
``additionalData``, ``systemData``; the application becomes a known push application) and channel
contacts (``contactInformation.facebook``, ``whatsapp``, ``liveChat``...: ``applicationId`` and
``userId``; ``webpush``: ``applicationId`` and ``registrationId``). They are stored as the push
and persons engines store them, unique like emails, and such a contact alone identifies a person.
What the fake cannot store is refused with a :class:`SeedError` naming the person and the field,
never dropped: a channel contact's ``systemData``/``additionalData``, an unknown
``contactInformation`` key, ``computedAttributes``.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..refs import CHANNEL_CONTACT_KEYS
from ._errors import FakeError, refusal
from .engine._domain import DomainError
from .engine.persons import SCALAR_FIELDS

if TYPE_CHECKING:
    from ._state import TenantState

__all__ = [
    "Seeded",
    "SeedError",
    "load_seed_file",
    "parse_seed_document",
    "seed_savepoint",
    "seed_state",
    "to_wire",
]

# Seed-file key -> keyword of ``FakeProfiles.seed``.
_KEYS = {
    "people": "people",
    "customAttributes": "custom_attributes",
    "custom_attributes": "custom_attributes",
    "tags": "tags",
    "companies": "companies",
}


class SeedError(ValueError):
    """Seed data the fake refused or cannot store; the message names the item and the field
    (``people[2].contactInformation.facebook[0].systemData: ...``) or gives the API's error text.

    Seeding is all or nothing: when this is raised the tenant is as it was before.

    Example::

        with pytest.raises(SeedError, match="telegram"):
            fake.seed(people=[{"contactInformation": {"telegram": [{"userId": "42"}]}}])
    """


class _FieldError(Exception):
    """A seed item's field the fake cannot honour (``_create`` adds the item's position)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@attrs.frozen
class Seeded:
    """What ``fake.seed(...)`` created, as stored (with ids and timestamps), in input order."""

    people: tuple[dict[str, Any], ...] = ()
    companies: tuple[dict[str, Any], ...] = ()
    tags: tuple[dict[str, Any], ...] = ()
    custom_attributes: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The result in seed-file shape (what ``POST /_fake/seed`` answers)."""
        return {
            "people": list(self.people),
            "companies": list(self.companies),
            "tags": list(self.tags),
            "customAttributes": list(self.custom_attributes),
        }


def to_wire(item: Any) -> dict[str, Any]:
    """A seed item as a wire dict: dicts as given, attrs models via the client's converter."""
    if isinstance(item, Mapping):
        return dict(item)
    if attrs.has(type(item)):
        unstructure = _model_unstructurer()
        data = unstructure(item)
        if not isinstance(data, dict):
            raise TypeError(f"{type(item).__name__} did not unstructure to a JSON object")
        return data
    raise TypeError(f"seed items are wire dicts or model objects, not {type(item).__name__}")


def _model_unstructurer() -> Callable[[Any], Any]:
    try:
        from .. import _converter
    except ImportError:
        raise TypeError(
            "model objects need infobip_profiles._converter, which is not available; "
            "pass wire dicts (camelCase) instead"
        ) from None
    fn = getattr(_converter, "unstructure", None)
    if callable(fn):
        return fn  # type: ignore[no-any-return]
    for name in ("converter", "CONVERTER"):
        conv = getattr(_converter, name, None)
        if conv is not None and callable(getattr(conv, "unstructure", None)):
            return conv.unstructure  # type: ignore[no-any-return]
    raise TypeError("infobip_profiles._converter has no unstructure(); pass wire dicts instead")


def parse_seed_document(doc: Any) -> dict[str, list[Any]]:
    """Validate a seed document (parsed JSON) and return ``FakeProfiles.seed`` keyword arguments."""
    if not isinstance(doc, dict):
        raise SeedError('a seed document is a JSON object such as {"people": [...]}')
    unknown = sorted(set(doc) - set(_KEYS))
    if unknown:
        raise SeedError(f"unknown seed keys {unknown}; expected some of {sorted(set(_KEYS))}")
    kwargs: dict[str, list[Any]] = {}
    for key, value in doc.items():
        if not isinstance(value, list):
            raise SeedError(f"{key!r} must be a list")
        kwargs.setdefault(_KEYS[key], []).extend(value)
    return kwargs


def load_seed_file(path: str | os.PathLike[str]) -> dict[str, list[Any]]:
    """Read a JSON seed file and return ``FakeProfiles.seed`` keyword arguments."""
    with open(path, encoding="utf-8") as fh:
        try:
            doc = json.load(fh)
        except ValueError as exc:
            raise SeedError(f"{os.fspath(path)} is not valid JSON: {exc}") from None
    return parse_seed_document(doc)


def seed_savepoint(state: TenantState, *, companies: bool = True) -> Callable[[], None]:
    """Prepare to undo a seed of ``state``; returns the function that undoes it.

    A seed only creates, so undoing it costs what it created, not what the tenant holds: the
    persons engine removes the persons created since its savepoint, the small engines a seed
    writes to (attribute definitions, tags, push applications, and companies when the seed has
    any) are copied whole, and the id counters are restored. Nothing else is written by a seed.
    """
    counters = dict(state._counters)
    point = state.persons.savepoint()
    memo: dict[int, Any] = {id(state): state, id(state.clock): state.clock}
    memo[id(state.persons)] = state.persons
    names = ["attributes", "tags", "push"] + (["companies"] if companies else [])
    saved = {name: copy.deepcopy(getattr(state, name), memo) for name in names}

    def undo() -> None:
        state.persons.rollback_created(point)
        for name, engine in saved.items():
            setattr(state, name, engine)
        state._counters.clear()
        state._counters.update(counters)

    return undo


def seed_state(
    state: TenantState,
    *,
    people: Iterable[Any] = (),
    custom_attributes: Iterable[Any] = (),
    tags: Iterable[Any] = (),
    companies: Iterable[Any] = (),
) -> Seeded:
    """Create the items in ``state`` through its engines (the caller holds the fake's lock)."""
    attrs_created = [
        _create(state, "custom_attributes", i, _define_attribute, to_wire(item))
        for i, item in enumerate(custom_attributes)
    ]
    tags_created = [
        _create(state, "tags", i, _create_tag, _tag_wire(item)) for i, item in enumerate(tags)
    ]
    companies_created = [
        _create(state, "companies", i, _create_company, to_wire(item))
        for i, item in enumerate(companies)
    ]
    people_created = [
        _create(state, "people", i, _create_person, to_wire(item)) for i, item in enumerate(people)
    ]
    return Seeded(
        people=tuple(people_created),
        companies=tuple(companies_created),
        tags=tuple(tags_created),
        custom_attributes=tuple(attrs_created),
    )


def _tag_wire(item: Any) -> dict[str, Any]:
    return {"name": item} if isinstance(item, str) else to_wire(item)


def _create(
    state: TenantState,
    kind: str,
    index: int,
    create: Callable[[TenantState, dict[str, Any]], Any],
    body: dict[str, Any],
) -> dict[str, Any]:
    try:
        result = create(state, body)
    except _FieldError as err:
        raise SeedError(f"{kind}[{index}].{err.field}: {err.reason}") from None
    except DomainError as err:
        text = _error_text(refusal(err))
        raise SeedError(f"{kind}[{index}] refused: {err.status} {text}") from None
    except FakeError as err:
        raise SeedError(f"{kind}[{index}] refused: {err.status} {_error_text(err)}") from None
    return result if isinstance(result, dict) else body


def _error_text(err: FakeError) -> str:
    body = err.response.json()
    if isinstance(body, dict):
        exc = body.get("requestError", {}).get("serviceException")
        if isinstance(exc, dict):
            extra = exc.get("validationErrors")
            return str(exc.get("text")) + (f" {extra}" if extra else "")
        for key in ("message", "errorMessage", "description"):
            if key in body:
                return str(body[key])
    return json.dumps(body)


def _engine_method(state: TenantState, engine: str, method: str) -> Callable[..., Any]:
    fn = getattr(getattr(state, engine), method, None)
    if not callable(fn):
        raise NotImplementedError(
            f"the fake's {engine} engine has no {method}() yet, so it cannot seed {engine}"
        )
    return fn  # type: ignore[no-any-return]


def _define_attribute(state: TenantState, body: dict[str, Any]) -> Any:
    if "name" not in body or "dataType" not in body:
        raise SeedError(f"a custom attribute needs 'name' and 'dataType': {body!r}")
    define = _engine_method(state, "attributes", "define")
    return define(body["name"], body["dataType"], body.get("objectSchema"))


def _create_tag(state: TenantState, body: dict[str, Any]) -> Any:
    if "name" not in body:
        raise SeedError(f"a tag needs a 'name': {body!r}")
    return _engine_method(state, "tags", "create")(body["name"])


def _create_company(state: TenantState, body: dict[str, Any]) -> Any:
    return _engine_method(state, "companies", "create")(body)


#: What a seeded person may carry: the API's writable person fields.
_PERSON_KEYS = frozenset(
    {*SCALAR_FIELDS, "type", "tags", "customAttributes", "contactInformation", "computedAttributes"}
)
#: Fields the fake sets itself: a seed naming one cannot be honoured (the fake picks ids and stamps).
_PERSON_SET_BY_FAKE = frozenset(
    {"id", "createdAt", "modifiedAt", "origin", "modifiedFrom", "integrations"}
)


def _check_person_keys(body: dict[str, Any]) -> None:
    for key in body:
        if key in _PERSON_KEYS:
            continue
        if key in _PERSON_SET_BY_FAKE:
            raise _FieldError(
                key, "is set by the fake (ids, timestamps and origins cannot be seeded)"
            )
        raise _FieldError(
            key, f"is not a person field; expected some of {', '.join(sorted(_PERSON_KEYS))}"
        )


def _create_person(state: TenantState, body: dict[str, Any]) -> Any:
    _check_person_keys(body)
    body, channels, push = _split_contacts(body)
    if not channels and not push:
        return _engine_method(state, "persons", "create")(body)
    for reg in push:
        state.push.add_application(reg["applicationId"])
    return state.persons.create_with_contacts(body, channels=channels, push=push)


_CHANNEL_KEYS = {key: kind for kind, key in CHANNEL_CONTACT_KEYS.items() if key and key != "push"}
_WRITABLE_CONTACTS = ("email", "phone")
_PUSH_FIELDS = {"registrationId", "applicationId", "isPrimary", "additionalData", "systemData"}


def _split_contacts(
    body: dict[str, Any],
) -> tuple[dict[str, Any], list[tuple[str, str, str]], list[dict[str, Any]]]:
    """The API-writable body, the channel contacts and the push registrations of a seed person;
    :class:`_FieldError` for anything the fake cannot store."""
    if body.get("computedAttributes"):
        raise _FieldError(
            "computedAttributes", "computed attributes come from events and cannot be seeded"
        )
    contacts = body.get("contactInformation")
    if not isinstance(contacts, dict):
        return body, [], []
    writable = {k: v for k, v in contacts.items() if k in _WRITABLE_CONTACTS}
    channels: list[tuple[str, str, str]] = []
    push: list[dict[str, Any]] = []
    for key, items in contacts.items():
        where = f"contactInformation.{key}"
        if key in _WRITABLE_CONTACTS or items is None:
            continue
        if key != "push" and key not in _CHANNEL_KEYS:
            known = sorted([*_WRITABLE_CONTACTS, "push", *_CHANNEL_KEYS])
            raise _FieldError(where, f"not a contact list the fake knows ({', '.join(known)})")
        if not isinstance(items, list):
            raise _FieldError(where, "must be a list")
        for i, item in enumerate(items):
            at = f"{where}[{i}]"
            if not isinstance(item, dict):
                raise _FieldError(at, "must be an object")
            if key == "push":
                push.append(_push_registration(item, at))
            else:
                channels.append(_channel_contact(_CHANNEL_KEYS[key], item, at))
    return {**body, "contactInformation": writable}, channels, push


def _required_text(item: dict[str, Any], name: str, at: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise _FieldError(f"{at}.{name}", "is required (a non-empty string)")
    return value


def _push_registration(item: dict[str, Any], at: str) -> dict[str, Any]:
    unknown = sorted(set(item) - _PUSH_FIELDS)
    if unknown:
        raise _FieldError(f"{at}.{unknown[0]}", "is not a push registration field")
    reg = {
        "registrationId": _required_text(item, "registrationId", at),
        "applicationId": _required_text(item, "applicationId", at),
        "isPrimary": item.get("isPrimary", False),
        "additionalData": item.get("additionalData") or {},
        "systemData": item.get("systemData") or {},
    }
    if not isinstance(reg["isPrimary"], bool):
        raise _FieldError(f"{at}.isPrimary", "must be a boolean")
    for name in ("additionalData", "systemData"):
        if not isinstance(reg[name], dict):
            raise _FieldError(f"{at}.{name}", "must be an object")
    return reg


def _channel_contact(kind: str, item: dict[str, Any], at: str) -> tuple[str, str, str]:
    id_field = "registrationId" if kind == "WEB_PUSH" else "userId"
    for name, value in item.items():
        if name in ("applicationId", id_field):
            continue
        if name in ("systemData", "additionalData"):
            if value:
                raise _FieldError(
                    f"{at}.{name}", "the fake keeps only a channel contact's ids, not its data"
                )
            continue
        raise _FieldError(f"{at}.{name}", f"is not a field of a {kind} contact")
    sender = _required_text(item, "applicationId", at)
    return kind, sender, _required_text(item, id_field, at)
