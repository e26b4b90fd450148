"""Persons engine, rules and parsing: request bodies parsed into docs, and the rules a write
must pass (formats, limits, the contact cap, identity), with the errors they raise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from ...._operations import (
    CONTACT_IDENTIFIER_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    MAX_CONTACTS,
    PERSON_MAX_LENGTHS,
    PHONE_MAX_LENGTH,
    spec_enum,
)
from ..._messages import MSG
from .._domain import Conflict, DomainError, Invalid, NotFound
from ..events import COMPUTED_READ_ONLY
from .records import (
    _CHANNELS,
    _CUSTOM,
    _EMAILS,
    _LIST_KEYS,
    _PHONES,
    _PUSH_IDS,
    _SCALAR_SET,
    _TAGS,
    _TYPE,
    CHANNEL_TYPES,
    SCALAR_FIELDS,
    Doc,
    PersonRecords,
    _Person,
    _union,
)

__all__ = ["PersonRules", "MAX_CONTACTS", "not_found"]

_MAX_LENGTH = PERSON_MAX_LENGTHS

_NAME_FIELDS = ("firstName", "lastName", "middleName", "nickName")

_NAME_FORBIDDEN = re.compile(r'[&<>"/\\\n\r:(){}=;#]')

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)

_PHONE = re.compile(r"^\+?[1-9][0-9]{2,14}$")

_LANGUAGE = re.compile(r"^[a-z]{2}(?:-[A-Z]{2})?$")

_MAX_EMAIL = EMAIL_MAX_LENGTH

_MAX_PHONE = PHONE_MAX_LENGTH

_MAX_CONTACT_ID = CONTACT_IDENTIFIER_MAX_LENGTH

_TYPES = spec_enum("person_types")

_GENDERS = spec_enum("genders")


def _name_problem(value: str) -> str | None:
    return MSG.NAME_CHARS if _NAME_FORBIDDEN.search(value) else None


def _gender_problem(value: str) -> str | None:
    return None if value in _GENDERS else MSG.FIELD_ONE_OF.format(values=", ".join(_GENDERS))


def _date_problem(value: str) -> str | None:
    return None if not value or _is_date(value) else MSG.FIELD_DATE


def _language_problem(value: str) -> str | None:
    return None if not value or _LANGUAGE.match(value) else MSG.FIELD_LANGUAGE


#: Each scalar field's rule: its length limit, then its check (the message the value breaks, or
#: None), if any. A value must be a string (or null) first.
_SCALAR_RULES: dict[str, tuple[float, Callable[[str], str | None] | None]] = {
    name: (
        _MAX_LENGTH.get(name, math.inf),
        {
            "gender": _gender_problem,
            "birthDate": _date_problem,
            "preferredLanguage": _language_problem,
        }.get(name, _name_problem if name in _NAME_FIELDS else None),
    )
    for name in SCALAR_FIELDS
}


class PersonRules(PersonRecords):
    """Parsing and validating writes."""

    @staticmethod
    def contact_problems(kind: str, value: str) -> str | None:
        """Why ``value`` is not a valid ``EMAIL`` or ``PHONE`` contact, or ``None``."""
        if kind == "EMAIL":
            if len(value) > _MAX_EMAIL:
                return MSG.FIELD_SIZE.format(max=_MAX_EMAIL)
            return None if _EMAIL.match(value) else MSG.FIELD_EMAIL
        if kind == "PHONE":
            if len(value) > _MAX_PHONE:
                return MSG.FIELD_SIZE.format(max=_MAX_PHONE)
            return None if _PHONE.match(value) else MSG.FIELD_PHONE
        return None

    def _parse_v2(self, body: Any) -> Doc:
        """The writable fields present in a v2 body; explicit ``null`` kept as ``None``."""
        if not isinstance(body, dict):
            raise Invalid(fields={"body": [MSG.FIELD_OBJECT]})
        given: Doc = {}
        for name in SCALAR_FIELDS:
            if name in body and name != "nickName":
                given[name] = body[name]
        _take_renamed(body, given)
        if "contactInformation" in body:
            contacts = body["contactInformation"]
            if contacts is None:
                given[_EMAILS] = given[_PHONES] = None
            elif isinstance(contacts, dict):
                given.update(self._parse_contacts_v2(contacts, "contactInformation"))
            else:
                raise Invalid(fields={"contactInformation": [MSG.FIELD_OBJECT]})
        return given

    @staticmethod
    def _parse_contacts_v2(contacts: dict[str, Any], where: str) -> Doc:
        given: Doc = {}
        errors: dict[str, list[str]] = {}
        for key, wire, field in ((_EMAILS, "email", "address"), (_PHONES, "phone", "number")):
            if wire not in contacts:
                continue
            items = contacts[wire]
            if items is None:
                given[key] = None
                continue
            if not isinstance(items, list):
                errors[f"{where}.{wire}"] = [MSG.FIELD_LIST]
                continue
            values = []
            for i, item in enumerate(items):
                value = item.get(field) if isinstance(item, dict) else None
                if not isinstance(value, str) or not value:
                    errors[f"{where}.{wire}[{i}].{field}"] = [MSG.FIELD_REQUIRED]
                    continue
                values.append(value)
            given[key] = tuple(values)
        if errors:
            raise Invalid(fields=errors)
        return given

    def _parse_v3(self, item: Any, index: int, *, merge: bool) -> Doc:
        """The fields of a v3 person; contacts become emails/phones/channels."""
        if not isinstance(item, dict):
            raise Invalid(fields={f"persons[{index}]": [MSG.FIELD_OBJECT]})
        # A copy, less what is not a scalar field: cheaper than picking the scalars one by one.
        given: Doc = dict(item)
        others = given.keys() - _SCALAR_SET
        for name in others:
            del given[name]
        _take_renamed(item, given)
        if "contactInformation" in item and item["contactInformation"] is not None:
            contacts = item["contactInformation"]
            errors: dict[str, list[str]] = {}
            if not isinstance(contacts, list):
                raise Invalid(fields={f"persons[{index}].contactInformation": [MSG.FIELD_LIST]})
            emails: list[str] = []
            phones: list[str] = []
            channels: list[tuple[str, str, str]] = []
            push_ids: list[str] = []
            allowed = ("EMAIL", "PHONE", *CHANNEL_TYPES) if merge else ("EMAIL", "PHONE")
            for j, contact in enumerate(contacts):
                if type(contact) is dict:
                    kind, ident = contact.get("type"), contact.get("identifier")
                    # The common case, a valid email or phone, needs no error location.
                    if type(ident) is str and 0 < len(ident) <= _MAX_CONTACT_ID:
                        if kind == "EMAIL" and _EMAIL.match(ident):
                            emails.append(ident)
                            continue
                        if kind == "PHONE" and _PHONE.match(ident):
                            phones.append(ident)
                            continue
                where = f"persons[{index}].contactInformation[{j}]"
                if not isinstance(contact, dict):
                    errors[where] = [MSG.FIELD_OBJECT]
                    continue
                kind, ident, sender = (
                    contact.get("type"),
                    contact.get("identifier"),
                    contact.get("sender"),
                )
                if kind not in allowed:
                    errors[f"{where}.type"] = [MSG.V3_CONTACT_TYPE.format(type=kind)]
                    continue
                if not isinstance(ident, str) or not ident:
                    errors[f"{where}.identifier"] = [MSG.FIELD_REQUIRED]
                    continue
                if len(ident) > _MAX_CONTACT_ID:
                    errors[f"{where}.identifier"] = [MSG.FIELD_SIZE.format(max=_MAX_CONTACT_ID)]
                    continue
                if kind == "EMAIL":
                    if not _EMAIL.match(ident):
                        errors[f"{where}.identifier"] = [MSG.FIELD_EMAIL]
                    emails.append(ident)
                elif kind == "PHONE":
                    if not _PHONE.match(ident):
                        errors[f"{where}.identifier"] = [MSG.FIELD_PHONE]
                    phones.append(ident)
                else:
                    if kind == "PUSH":
                        # A push registration is made by the mobile SDK, not here: it can only
                        # name a device whose person takes part in the merge.
                        if self._by_push.get(ident) is None:
                            errors[f"{where}.identifier"] = [MSG.PUSH_UNKNOWN.format(id=ident)]
                        else:
                            push_ids.append(ident)
                        continue
                    if not isinstance(sender, str) or not sender:
                        errors[f"{where}.sender"] = [MSG.SENDER_REQUIRED.format(type=kind)]
                        continue
                    channels.append((kind, sender, ident))
            if errors:
                raise Invalid(fields=errors)
            given[_EMAILS] = tuple(emails)
            given[_PHONES] = tuple(phones)
            if channels:
                given[_CHANNELS] = tuple(channels)
            if push_ids:
                given[_PUSH_IDS] = tuple(push_ids)
        return given

    def _combine(
        self,
        person: _Person | None,
        given: Doc,
        mode: str,
        *,
        v3: bool = False,
        base: Doc | None = None,
        require_identity: bool = True,
    ) -> Doc:
        """The complete new doc of a write (``create``, ``put`` or ``patch``), validated.

        Raises :class:`Invalid` for a bad field; uniqueness is checked by :meth:`_store`.
        """
        errors = self._validate_given(given, partial=mode == "patch", contacts_checked=v3)
        if errors:
            raise Invalid(fields=errors)
        if mode == "create":
            doc: Doc = dict(base) if base is not None else {_TYPE: "CUSTOMER"}
            mode = "patch" if base is not None else "put"
        elif mode == "put":
            assert person is not None
            doc = {_TYPE: person.type}
            if person.channels:
                doc[_CHANNELS] = person.channels
        else:
            assert person is not None
            doc = person.doc()
        for key, value in given.items():
            if key in _LIST_KEYS:
                values = tuple(value or ())
                if key == _TAGS:
                    values = tuple(self._state.tags.canonical(values))
                if mode == "patch" and value is not None:
                    values = _union(key, doc.get(key, ()), values)
                else:
                    values = _union(key, (), values)
                if values:
                    doc[key] = values
                else:
                    doc.pop(key, None)
            elif key == _CUSTOM:
                merged = dict(doc.get(_CUSTOM) or {}) if mode == "patch" else {}
                for name, val in (value or {}).items():
                    canonical = self._state.attributes.canonical_name(name) or name
                    if val is None:
                        merged.pop(canonical, None)
                    else:
                        merged[canonical] = val
                if merged:
                    doc[_CUSTOM] = merged
                else:
                    doc.pop(_CUSTOM, None)
            elif key == _TYPE:
                if value is not None:
                    doc[_TYPE] = value
            elif value is None or value == "":
                doc.pop(key, None)
            else:
                doc[key] = value
        self._check_doc(doc, person, v3=v3, require_identity=require_identity)
        return doc

    def _check_doc(
        self, doc: Doc, person: _Person | None, *, v3: bool = False, require_identity: bool = True
    ) -> None:
        """400 when the complete new doc breaks the 100-contacts cap or has no identifier."""
        limits: dict[str, list[str]] = {}
        for key, wire in ((_EMAILS, "email"), (_PHONES, "phone")):
            if len(doc.get(key, ())) > MAX_CONTACTS:
                field = "contactInformation" if v3 else f"contactInformation.{wire}"
                limits[field] = [MSG.FIELD_MAX_ITEMS.format(max=MAX_CONTACTS)]
        if limits:
            raise Invalid(fields=limits)
        if require_identity and not (
            doc.get("externalId")
            or doc.get(_EMAILS)
            or doc.get(_PHONES)
            or doc.get(_CHANNELS)
            or (person is not None and person.push)
        ):
            raise Invalid(MSG.PERSON_IDENTITY_REQUIRED)

    def _validate_given(
        self, given: Doc, *, partial: bool, contacts_checked: bool = False
    ) -> dict[str, list[str]]:
        # ``contacts_checked``: the emails and phones passed the same checks when the v3 item
        # was parsed (:meth:`_parse_v3` refuses the item otherwise), so they are not walked again.
        errors: dict[str, list[str]] = {}
        for name, value in given.items():
            rule = _SCALAR_RULES.get(name)
            if rule is None or value is None:
                continue
            if not isinstance(value, str):
                errors[name] = [MSG.FIELD_STRING]
                continue
            limit, check = rule
            if len(value) > limit:
                errors[name] = [MSG.FIELD_SIZE.format(max=limit)]
            elif check is not None:
                problem = check(value)
                if problem:
                    errors[name] = [problem]
        kind = given.get(_TYPE)
        if kind is not None and kind not in _TYPES:
            errors["type"] = [MSG.FIELD_ONE_OF.format(values=", ".join(_TYPES))]
        if not contacts_checked:
            for key, where, limit, pattern, message in (
                (_EMAILS, "email[{}].address", _MAX_EMAIL, _EMAIL, MSG.FIELD_EMAIL),
                (_PHONES, "phone[{}].number", _MAX_PHONE, _PHONE, MSG.FIELD_PHONE),
            ):
                for i, value in enumerate(given.get(key) or ()):
                    field = "contactInformation." + where.format(i)
                    if len(value) > limit:
                        errors[field] = [MSG.FIELD_SIZE.format(max=limit)]
                    elif not pattern.match(value):
                        errors[field] = [message]
        tags = given.get(_TAGS)
        if tags is not None:
            if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
                errors["tags"] = [MSG.FIELD_LIST]
            else:
                problems = self._state.tags.validate_names(tags)
                if problems:
                    errors["tags"] = problems
        if given.get(_CUSTOM) is not None:
            errors.update(self._state.attributes.validate_values(given[_CUSTOM], partial=partial))
            errors.update(self.read_only_errors(given[_CUSTOM]))
        return errors

    def read_only_errors(
        self, custom: Any, field: str = "customAttributes"
    ) -> dict[str, list[str]]:
        """validationErrors for every computed attribute named in ``custom`` (a person's
        ``customAttributes`` object): they are read-only, whatever the value, ``null`` included."""
        if not isinstance(custom, dict) or not custom:
            return {}
        return {
            f"{field}.{name}": [COMPUTED_READ_ONLY.format(name=name)]
            for name in self._state.events.read_only_names(custom)
        }


# == module helpers =================================================================================


def not_found() -> NotFound:
    """No person matches the identity a request names."""
    return NotFound("person", MSG.PERSON_NOT_FOUND)


def _conflict(kind: str, value: str) -> Conflict:
    return Conflict(MSG.DESTINATION_EXISTS.format(kind=kind, value=value))


def _item_errors(exc: DomainError) -> list[dict[str, str]]:
    if exc.violations:
        return [{"message": f"{field}: {msg}"} for field, msg in exc.violations]
    return [{"message": exc.message or MSG.BAD_REQUEST}]


def _v3_item_error(exc: DomainError, index: int) -> dict[str, Any]:
    text = exc.message or MSG.BAD_REQUEST
    if isinstance(exc, Conflict):
        return {"code": 409100, "message": text, "details": [], "index": index}
    details: list[dict[str, str]] = []
    for field, msg in exc.violations:
        prop = field if field.startswith("persons[") else f"persons[{index}].{field}"
        details.append({"property": prop, "message": msg})
    message = text if not exc.violations else MSG.V3_VALIDATION
    return {"code": 400100, "message": message, "details": details, "index": index}


def _is_date(text: str) -> bool:
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


#: Wire fields a parsed document keeps under a name of its own, the same in v2 and v3 bodies.
_RENAMED = (("type", _TYPE), ("tags", _TAGS), ("customAttributes", _CUSTOM))


def _take_renamed(body: dict[str, Any], given: Doc) -> None:
    """Copy the fields of ``_RENAMED`` that ``body`` holds into ``given``, as they are."""
    for wire, key in _RENAMED:
        if wire in body:
            given[key] = body[wire]
