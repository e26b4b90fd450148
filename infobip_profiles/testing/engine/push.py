"""Engine: push registrations, and the mobile login / logout flow (docs/fake-semantics.md).

The persons engine stores each registration on the person it belongs to (``contactInformation
.push``) and indexes it, so a registration always has exactly one owner; this engine keeps the
known push applications and implements the four push operations on top:

* ``get`` / ``update`` read and edit a registration (``isPrimary``, ``registrationEnabled``,
  ``additionalData`` merged key by key, a ``null`` value removing its key [I]);
* ``personalize`` is the login. When the identity names an existing CUSTOMER, the device moves
  to that customer and its former anonymous profile merges in (its registrations, events, tags
  and whatever the customer lacks move over; the anonymous profile is deleted). When it names an
  existing LEAD, the lead gives way instead: the device's profile survives (its id too), takes the
  identity and attributes of the login, and what only the lead held fills its gaps (contacts,
  tags, registrations and events are unioned; single values and custom attributes the device's
  profile lacks are copied; the login's own values win over both); the lead is deleted. With no
  match the device's profile takes the identity. Either way the person becomes a CUSTOMER unless
  ``keepAsLead``. A device already tied to another identified person is refused unless
  ``forceDepersonalize`` (then it is depersonalized first);
* ``depersonalize`` is the logout: the device moves to a new, empty LEAD; the person keeps all
  else.

The anonymous profiles made here (first launch, logout) show ``origin`` ``PUSH``: the mobile SDK
made them, not the API (inferred).

Refusals carry the push family's codes (rendered as ``{errorCode, errorMessage}``, status 400,
at the handler boundary): 48001 missing ``AppCode``, 48012 unknown application, 48013 unknown
registration (the spec's codes); a bad body is 48000, a personalize conflict 48010, ambiguous
candidates 48011, a rejected write 48014 ([I]). A rejected request changes nothing.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..._operations import spec_enum
from .._messages import MSG
from ._domain import Conflict, DomainError, Invalid, NotFound

if TYPE_CHECKING:
    from .._state import TenantState

__all__ = [
    "PushEngine",
    "CLOUD_TYPES",
    "OPERATING_SYSTEMS",
    "CODE_INVALID",
    "CODE_APP_CODE_MISSING",
    "CODE_PERSONALIZATION_IMPOSSIBLE",
    "CODE_AMBIGUOUS",
    "CODE_APP_NOT_FOUND",
    "CODE_REGISTRATION_NOT_FOUND",
    "CODE_REJECTED",
]

CLOUD_TYPES = spec_enum("push_cloud_types")
OPERATING_SYSTEMS = ("Android", "iOS")

CODE_INVALID = 48000
CODE_APP_CODE_MISSING = 48001
CODE_PERSONALIZATION_IMPOSSIBLE = 48010
CODE_AMBIGUOUS = 48011
CODE_APP_NOT_FOUND = 48012
CODE_REGISTRATION_NOT_FOUND = 48013
CODE_REJECTED = 48014

_IDENTITY_KEYS = {"externalId": "EXTERNAL_ID", "email": "EMAIL", "phoneNumber": "PHONE"}
_ATTRIBUTE_NAMES = ("firstName", "lastName", "middleName", "gender")
_NULL_TEXTS = {"null", "Null", "NULL"}


def _registration_id(seed: str) -> str:
    """A deterministic id shaped like the SDK's (an upper-case random-looking UUID)."""
    digest = hashlib.sha256(seed.encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4)).upper()


def invalid(field: str, reason: str) -> Invalid:
    """A malformed request (``48000``)."""
    return Invalid(MSG.PUSH_INVALID_REQUEST.format(field=field, reason=reason), code=CODE_INVALID)


def _is_identified(person: Mapping[str, Any]) -> bool:
    contacts = person.get("contactInformation") or {}
    return bool(person.get("externalId") or contacts.get("email") or contacts.get("phone"))


class PushEngine:
    """Push applications and the operations on registrations (stored by the persons engine)."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
        self._applications: set[str] = set()

    # -- setup (what the mobile SDK and the portal do) -----------------------------------------------

    def add_application(self, app_code: str) -> None:
        """Make ``app_code`` a known push application (no-op if it is one)."""
        if not app_code:
            raise ValueError("app_code must not be empty")
        self._applications.add(app_code)

    def applications(self) -> list[str]:
        """The known application codes, sorted."""
        return sorted(self._applications)

    def register_device(
        self,
        app_code: str,
        *,
        cloud_type: str = "GCM",
        os: str = "Android",
        registration_id: str | None = None,
        additional_data: Mapping[str, Any] | None = None,
        system_data: Mapping[str, Any] | None = None,
    ) -> str:
        """What the mobile SDK does on first launch: a new anonymous LEAD holding the registration.

        The application becomes known if it was not. Returns the registration id (a generated
        upper-case UUID unless ``registration_id`` is given; an id already in use is refused).
        """
        if cloud_type not in CLOUD_TYPES:
            raise ValueError(f"cloud_type must be one of {', '.join(CLOUD_TYPES)}")
        if os not in OPERATING_SYSTEMS:
            raise ValueError(f"os must be one of {', '.join(OPERATING_SYSTEMS)}")
        persons = self._state.persons
        reg_id = registration_id or _registration_id(self._state.next_uuid("push"))
        if persons.resolve("PUSH", reg_id) is not None:
            raise ValueError(f"push registration {reg_id} already exists")
        self.add_application(app_code)
        system = {
            "cloudType": cloud_type,
            "registrationEnabled": True,
            "notificationsEnabled": True,
            "sdkVersion": "13.0.0",
            "os": os,
            **dict(system_data or {}),
        }
        lead = persons.create_profile(person_type="LEAD", origin="PUSH")
        persons.add_push(
            lead,
            {
                "registrationId": reg_id,
                "applicationId": app_code,
                "isPrimary": False,
                "additionalData": dict(additional_data or {}),
                "systemData": system,
            },
        )
        return reg_id

    def owner(self, registration_id: str) -> int | None:
        """The id of the person holding ``registration_id``, or ``None``."""
        return self._state.persons.resolve("PUSH", registration_id)

    def all(self) -> list[dict[str, Any]]:
        """Every registration with its owner's ``personId`` (``fake.state()``)."""
        persons = self._state.persons
        out = []
        for pid in persons.ids():
            for reg in persons.push(pid):
                out.append({**reg, "personId": pid})
        return out

    snapshot = all

    # -- the four operations ---------------------------------------------------------------------------

    def get(self, app_code: str | None, registration_id: str) -> dict[str, Any]:
        """The registration as ``PushApiInstance``."""
        _, reg = self._require(app_code, registration_id)
        return _instance(reg)

    def update(self, app_code: str | None, registration_id: str, body: Any) -> dict[str, Any]:
        """PATCH: ``isPrimary``, ``systemData.registrationEnabled`` and ``additionalData``."""
        pid, reg = self._require(app_code, registration_id)
        if not isinstance(body, Mapping):
            raise invalid("body", "must be a JSON object")
        changed = copy.deepcopy(reg)
        if "isPrimary" in body:
            if not isinstance(body["isPrimary"], bool):
                raise invalid("isPrimary", "must be a boolean")
            changed["isPrimary"] = body["isPrimary"]
        system = body.get("systemData")
        if system is not None:
            if not isinstance(system, Mapping):
                raise invalid("systemData", "must be a JSON object")
            if "registrationEnabled" in system:
                if not isinstance(system["registrationEnabled"], bool):
                    raise invalid("systemData.registrationEnabled", "must be a boolean")
                changed.setdefault("systemData", {})
                changed["systemData"]["registrationEnabled"] = system["registrationEnabled"]
        extra = body.get("additionalData")
        if extra is not None:
            if not isinstance(extra, Mapping):
                raise invalid("additionalData", "must be a JSON object")
            merged = dict(changed.get("additionalData") or {})
            for key, value in extra.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            changed["additionalData"] = merged
        if changed.get("isPrimary") and not reg.get("isPrimary"):
            self._make_only_primary(pid, registration_id)
        self._state.persons.add_push(pid, changed)
        return _instance(changed)

    def depersonalize(self, app_code: str | None, registration_id: str) -> None:
        """Logout: the device moves to a new empty LEAD (no-op for an anonymous profile)."""
        pid, reg = self._require(app_code, registration_id)
        person = self._state.persons.get(pid) or {}
        if _is_identified(person):
            self._detach(reg)

    def personalize(
        self,
        app_code: str | None,
        registration_id: str,
        body: Any,
        *,
        force_depersonalize: bool = False,
        keep_as_lead: bool = False,
        return_push: bool = False,
        set_device_as_primary: bool = False,
    ) -> dict[str, Any]:
        """Login: tie the device to the person with the body's identity (see the module doc)."""
        pid, reg = self._require(app_code, registration_id)
        identity, attributes = _parse_personalize(body)
        persons = self._state.persons
        candidates = set()
        for key, value in identity.items():
            found = persons.resolve(_IDENTITY_KEYS[key], value)
            if found is not None:
                candidates.add(found)
        if len(candidates) > 1:
            raise Conflict(MSG.PUSH_AMBIGUOUS_CANDIDATES, code=CODE_AMBIGUOUS)
        target = next(iter(candidates), None)
        current = persons.get(pid) or {}
        conflict = _is_identified(current) and target != pid
        if conflict and not force_depersonalize:
            raise Conflict(
                MSG.PUSH_PERSONALIZATION_IMPOSSIBLE, code=CODE_PERSONALIZATION_IMPOSSIBLE
            )
        fields = _person_fields(identity, attributes)
        lead_match = (
            target is not None
            and target != pid
            and (persons.get(target) or {}).get("type") == "LEAD"
        )
        # Only a forced depersonalize or a lead giving way changes state before the write that
        # can still be refused (``apply_identity`` validates whole, then stores). Otherwise
        # nothing needs undoing, so the costly snapshot of every engine is taken on those paths.
        with self._atomic() if conflict or lead_match else contextlib.nullcontext():
            if conflict:
                pid = self._detach(reg)
            if lead_match:
                assert target is not None
                try:
                    persons.take_over(pid, target)
                except DomainError as exc:
                    raise Conflict(
                        MSG.PUSH_PERSONALIZE_REJECTED.format(reason=exc.describe()),
                        code=CODE_REJECTED,
                    ) from None
                target = pid
            survivor = pid if target is None else target
            if survivor != pid:
                # The device's profile is anonymous here: what it gathered fills the gaps of
                # the person logging in, below the personalize attributes themselves.
                fields = _layer(
                    _fill_from(persons.get(pid) or {}, persons.get(survivor) or {}), fields
                )
            try:
                persons.apply_identity(survivor, fields, promote=not keep_as_lead)
            except DomainError as exc:
                raise Conflict(
                    MSG.PUSH_PERSONALIZE_REJECTED.format(reason=exc.describe()), code=CODE_REJECTED
                ) from None
            if survivor != pid:
                self._absorb(pid, survivor)
            if set_device_as_primary:
                self._make_only_primary(survivor, registration_id)
                moved = next(
                    r for r in persons.push(survivor) if r["registrationId"] == registration_id
                )
                persons.add_push(survivor, {**moved, "isPrimary": True})
        return _personalized(persons.get(survivor) or {}, return_push=return_push)

    # -- helpers -------------------------------------------------------------------------------------

    def _require(self, app_code: str | None, registration_id: str) -> tuple[int, dict[str, Any]]:
        if not app_code:
            raise Invalid(MSG.PUSH_APP_CODE_MISSING, code=CODE_APP_CODE_MISSING)
        if app_code not in self._applications:
            raise NotFound("push application", MSG.PUSH_APP_NOT_FOUND, code=CODE_APP_NOT_FOUND)
        persons = self._state.persons
        pid = persons.resolve("PUSH", registration_id)
        if pid is not None:
            for reg in persons.push(pid):
                if reg["registrationId"] == registration_id and reg.get("applicationId") == (
                    app_code
                ):
                    return pid, reg
        raise NotFound(
            "push registration", MSG.PUSH_REGISTRATION_NOT_FOUND, code=CODE_REGISTRATION_NOT_FOUND
        )

    def _detach(self, reg: dict[str, Any]) -> int:
        """Move a registration to a new empty LEAD; returns the lead's id."""
        persons = self._state.persons
        lead = persons.create_profile(person_type="LEAD", origin="PUSH")
        persons.add_push(lead, {**reg, "isPrimary": False})
        return lead

    def _absorb(self, lead_id: int, person_id: int) -> None:
        """The login's merge: the lead's registrations move to the person, the other engines
        move what they hold (events...) through ``persons_merged``, and the lead is deleted. The
        person keeps its id whichever profile is older."""
        persons = self._state.persons
        for reg in persons.push(lead_id):
            persons.add_push(person_id, reg)
        self._state.persons_merged(person_id, [lead_id])
        persons.delete(lead_id)

    def _make_only_primary(self, person_id: int, registration_id: str) -> None:
        persons = self._state.persons
        for other in persons.push(person_id):
            if other["registrationId"] != registration_id and other.get("isPrimary"):
                persons.add_push(person_id, {**other, "isPrimary": False})

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        """Undo every engine's changes if the block fails (a rejected request changes nothing).

        The persons engine undoes what the block changed (``persons.undoable``); the other
        engines, small beside it, are copied."""
        state = self._state
        persons = state.persons
        names = [n for n in state.ENGINES if n != "persons"]
        memo: dict[int, Any] = {id(state): state, id(state.clock): state.clock}
        memo[id(persons)] = persons
        backup = {name: copy.deepcopy(getattr(state, name), memo) for name in names}
        try:
            with persons.undoable():
                yield
        except BaseException:
            for name, engine in backup.items():
                setattr(state, name, engine)
            raise


# -- parsing and rendering ---------------------------------------------------------------------------


def _parse_personalize(body: Any) -> tuple[dict[str, str], dict[str, Any]]:
    if not isinstance(body, Mapping):
        raise invalid("body", "must be a JSON object")
    raw = body.get("identity")
    if not isinstance(raw, Mapping):
        raise Invalid(MSG.PUSH_IDENTITY_REQUIRED, code=CODE_INVALID)
    identity: dict[str, str] = {}
    for key in _IDENTITY_KEYS:
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise invalid(f"identity.{key}", "must be a string")
        if key == "externalId" and value in _NULL_TEXTS:
            continue  # the spec: "null" in any case means JSON null
        if value.strip():
            identity[key] = value
    if not identity:
        raise Invalid(MSG.PUSH_IDENTITY_REQUIRED, code=CODE_INVALID)
    attributes = body.get("attributes")
    if attributes is None:
        return identity, {}
    if not isinstance(attributes, Mapping):
        raise invalid("attributes", "must be a JSON object")
    clean: dict[str, Any] = {}
    for name in _ATTRIBUTE_NAMES:
        if attributes.get(name) is not None:
            if not isinstance(attributes[name], str):
                raise invalid(f"attributes.{name}", "must be a string")
            clean[name] = attributes[name]
    birthday = attributes.get("birthday")
    if birthday is not None:
        if not isinstance(birthday, str) or len(birthday) < 10:
            raise invalid("attributes.birthday", "must be a date")
        clean["birthDate"] = birthday[:10]
    custom = attributes.get("customAttributes")
    if custom is not None:
        if not isinstance(custom, Mapping):
            raise invalid("attributes.customAttributes", "must be a JSON object")
        clean["customAttributes"] = dict(custom)
    tags = attributes.get("tags")
    if tags is not None:
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise invalid("attributes.tags", "must be an array of strings")
        clean["tags"] = list(tags)
    return identity, clean


def _person_fields(identity: Mapping[str, str], attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The v2 PATCH fragment that writes the identity and attributes to a person."""
    fields: dict[str, Any] = dict(attributes)
    if "externalId" in identity:
        fields["externalId"] = identity["externalId"]
    contacts: dict[str, Any] = {}
    if "email" in identity:
        contacts["email"] = [{"address": identity["email"]}]
    if "phoneNumber" in identity:
        contacts["phone"] = [{"number": identity["phoneNumber"]}]
    if contacts:
        fields["contactInformation"] = contacts
    return fields


_FILL_SCALARS = (
    "firstName",
    "lastName",
    "middleName",
    "gender",
    "birthDate",
    "preferredLanguage",
    "profilePicture",
    "address",
    "city",
    "country",
)


def _fill_from(lead: Mapping[str, Any], person: Mapping[str, Any]) -> dict[str, Any]:
    """A PATCH fragment giving ``person`` what the lead has and it lacks (tags are added)."""
    fields: dict[str, Any] = {
        name: lead[name]
        for name in _FILL_SCALARS
        if lead.get(name) is not None and person.get(name) is None
    }
    custom = {
        k: v
        for k, v in (lead.get("customAttributes") or {}).items()
        if k not in (person.get("customAttributes") or {})
    }
    if custom:
        fields["customAttributes"] = custom
    if lead.get("tags"):
        fields["tags"] = list(lead["tags"])
    return fields


def _layer(below: Mapping[str, Any], above: Mapping[str, Any]) -> dict[str, Any]:
    """``above`` over ``below``; tags are unioned and custom attributes merged key by key."""
    out = {**below, **above}
    if "tags" in below and "tags" in above:
        out["tags"] = list(dict.fromkeys([*below["tags"], *above["tags"]]))
    if "customAttributes" in below and "customAttributes" in above:
        out["customAttributes"] = {**below["customAttributes"], **above["customAttributes"]}
    return out


def _instance(reg: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "registrationId": reg["registrationId"],
        "applicationId": reg.get("applicationId"),
        "isPrimary": bool(reg.get("isPrimary")),
        "additionalData": copy.deepcopy(reg.get("additionalData") or {}),
    }
    if reg.get("systemData") is not None:
        body["systemData"] = copy.deepcopy(reg["systemData"])
    return body


def _personalized(person: Mapping[str, Any], *, return_push: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name in ("externalId", "firstName", "lastName", "middleName"):
        if person.get(name) is not None:
            body[name] = person[name]
    if person.get("birthDate") is not None:  # a date-time in the spec
        body["birthday"] = f"{person['birthDate']}T00:00:00Z"
    if person.get("gender") is not None:
        body["gender"] = person["gender"]
    body["customAttributes"] = copy.deepcopy(person.get("customAttributes") or {})
    body["tags"] = list(person.get("tags") or [])
    contacts = person.get("contactInformation") or {}
    info: dict[str, Any] = {
        "phones": [{"number": p["number"]} for p in contacts.get("phone") or []],
        "emails": [{"address": e["address"]} for e in contacts.get("email") or []],
    }
    if return_push:
        info["push"] = [_instance(r) for r in contacts.get("push") or []]
    body["contactInformation"] = info
    return body
