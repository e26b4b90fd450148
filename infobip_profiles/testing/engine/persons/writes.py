"""Persons engine, writes: :meth:`PersonWrites._store` (the one place that writes a doc to a
record and its indexes), the v2 writes and batches, and the writes other engines make.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from ..._messages import MSG
from .._domain import Conflict, DomainError, Invalid
from .records import (
    _CHANNELS,
    _CUSTOM,
    _EMAILS,
    _PHONES,
    _SCALAR_SET,
    _TAGS,
    _TYPE,
    CHANNEL_TYPES,
    SCALAR_FIELDS,
    Doc,
    _contact_key,
    _deep_copy,
    _Person,
    _phone_key,
    _union,
)
from .render import PersonReads
from .rules import PersonRules, _conflict, _item_errors

__all__ = ["PersonWrites"]

_PUSH_KEYS = ("registrationId", "applicationId", "isPrimary", "additionalData", "systemData")


class PersonWrites(PersonRules, PersonReads):
    """Storing docs, the v2 writes and the writes of the other engines."""

    def _store(self, person: _Person | None, doc: Doc, *, force: bool = False) -> _Person:
        """Check uniqueness, then write ``doc`` to ``person`` (``None``: a new person) and keep
        every index in step. ``modifiedAt`` moves only when something changed."""
        pid = person.id if person is not None else None
        if not force:
            self._check(doc, pid)
        before: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset()
        if doc.get(_TAGS):
            self._state.tags.ensure(doc[_TAGS])
        if person is None:
            person = _Person(self._state.next_id("persons"), self._stamp(), self._next_rev())
            self._persons[person.id] = person
            if self._journal is not None:
                self._journal.created.append(person.id)
            # A new person's scalars are all None: only the doc's own fields need setting.
            for name, value in doc.items():
                if value and name in _SCALAR_SET:
                    setattr(person, name, value)
        elif person.doc() == doc:
            return person
        else:
            self._keep(person)
            before = self._value_keys(person)
            self._unindex(person, push=False)
            person.modified_at = self._stamp()
            person.rev = self._next_rev()
            person.modified_from = None  # written through the API
            for name in SCALAR_FIELDS:
                value = doc.get(name)
                setattr(person, name, value if value else None)
        person.type = doc.get(_TYPE) or "CUSTOMER"
        person.emails = tuple(doc[_EMAILS]) if doc.get(_EMAILS) else None
        person.phones = tuple(doc[_PHONES]) if doc.get(_PHONES) else None
        person.tags = tuple(sys.intern(t) for t in doc[_TAGS]) if doc.get(_TAGS) else None
        person.custom = dict(doc[_CUSTOM]) if doc.get(_CUSTOM) else None
        person.channels = tuple(doc[_CHANNELS]) if doc.get(_CHANNELS) else None
        self._index(person)
        self._revalue(person, before)
        return person

    def _check(self, doc: Doc, pid: int | None, *, allowed: set[int] | None = None) -> None:
        """409 if an identifier of ``doc`` belongs to a person other than ``pid``/``allowed``."""
        mine = allowed or set()
        if pid is not None:
            mine = mine | {pid}
        ext = doc.get("externalId")
        if ext:
            owner = self._by_external.get(ext)
            if owner is not None and owner not in mine:
                raise _conflict("externalId", ext)
        for email in doc.get(_EMAILS) or ():
            owner = self._by_email.get(email.lower())
            if owner is not None and owner not in mine:
                raise _conflict("email", email)
        for phone in doc.get(_PHONES) or ():
            owner = self._by_phone.get(_phone_key(phone))
            if owner is not None and owner not in mine:
                raise _conflict("phone", phone)
        for channel in doc.get(_CHANNELS) or ():
            owner = self._by_channel.get(channel)
            if owner is not None and owner not in mine:
                raise _conflict(channel[0].lower(), channel[2])

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """v2 create: validate ``body`` (IamPersonV2), store it and return the stored wire person.

        Read-only fields are ignored; ``type`` defaults to CUSTOMER; unknown tags are created.
        Raises 400 (validationErrors) or 409 (``Destination(email) x already exists.``).
        """
        doc = self._combine(None, self._parse_v2(body), "create")
        person = self._store(None, doc)
        return self._render_v2(person)

    def replace(self, person_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """v2 PUT: omitted attributes become empty, tags/emails/phones are replaced."""
        return self._update_v2(person_id, body, "put")

    def update(self, person_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """v2 PATCH: omitted attributes kept, explicit null clears, tags/emails/phones appended
        (duplicates dropped, at most 100 each), custom attributes merged key by key."""
        return self._update_v2(person_id, body, "patch")

    def _update_v2(self, person_id: int, body: dict[str, Any], mode: str) -> dict[str, Any]:
        person = self._persons[person_id]
        doc = self._combine(person, self._parse_v2(body), mode)
        self._store(person, doc)
        return self._render_v2(person)

    def contacts(self, person_id: int, body: Any, mode: str) -> dict[str, Any]:
        """The contactInformation calls: ``mode`` ``put`` replaces emails/phones, ``patch`` adds,
        ``delete`` removes the listed ones (absent ones are ignored). Returns the v2 person."""
        person = self._persons[person_id]
        if not isinstance(body, dict) or not isinstance(body.get("contactInformation"), dict):
            raise Invalid(fields={"contactInformation": [MSG.FIELD_REQUIRED]})
        given = self._parse_contacts_v2(body["contactInformation"], "contactInformation")
        errors = self._validate_given(given, partial=True)
        if errors:
            raise Invalid(fields=errors)
        doc = person.doc()
        if mode == "delete":
            for key in (_EMAILS, _PHONES):
                drop = {_contact_key(key, v) for v in given.get(key) or ()}
                kept = tuple(v for v in doc.get(key, ()) if _contact_key(key, v) not in drop)
                doc[key] = kept
        else:
            for key in (_EMAILS, _PHONES):
                if key not in given:
                    if mode == "put":
                        doc[key] = ()
                    continue
                base = () if mode == "put" else doc.get(key, ())
                doc[key] = _union(key, base, given[key] or ())
        self._check_doc(doc, person)
        self._store(person, doc)
        return self._render_v2(person)

    def delete(self, person_id: int) -> None:
        """Delete a person and its index entries; tells the other engines
        (``state.person_deleted``)."""
        self._keep(self._persons[person_id])
        person = self._persons.pop(person_id)
        self._unindex(person)
        self._unvalue(person)
        self._state.person_deleted(person_id)

    def batch_create(self, people: list[Any]) -> list[dict[str, Any]]:
        """Create each item in order; return only the failures ``{index, status, errors}``."""
        failures = []
        for index, body in enumerate(people):
            try:
                if not isinstance(body, dict):
                    raise Invalid(fields={f"people[{index}]": [MSG.FIELD_OBJECT]})
                self._store(None, self._combine(None, self._parse_v2(body), "create"))
            except DomainError as exc:
                failures.append({"index": index, "status": exc.status, "errors": _item_errors(exc)})
        return failures

    def batch_update(self, people: list[Any]) -> list[dict[str, Any]]:
        """PATCH each ``{query, update}`` in order; return the failures
        ``{query, status, errors, isModified: false}``."""
        failures = []
        for item in people:
            query = item.get("query") if isinstance(item, dict) else None
            try:
                pid = self._query_person(query)
                update = item.get("update")
                if not isinstance(update, dict):
                    raise Invalid(fields={"update": [MSG.FIELD_OBJECT]})
                person = self._persons[pid]
                self._store(person, self._combine(person, self._parse_v2(update), "patch"))
            except DomainError as exc:
                failures.append(
                    {
                        "query": query,
                        "status": exc.status,
                        "errors": _item_errors(exc),
                        "isModified": False,
                    }
                )
        return failures

    def batch_delete(self, people: list[Any]) -> list[dict[str, Any]]:
        """Delete each ``{query}`` in order; return the failures ``{query, status, errors}``."""
        failures = []
        for item in people:
            query = item.get("query") if isinstance(item, dict) else None
            try:
                pid = self._query_person(query)
            except DomainError as exc:
                failures.append({"query": query, "status": exc.status, "errors": _item_errors(exc)})
                continue
            self.delete(pid)
        return failures

    def _query_person(self, query: Any) -> int:
        if not isinstance(query, dict):
            raise Conflict(MSG.PERSON_NO_MATCH)
        kind, identifier, sender = query.get("type"), query.get("identifier"), query.get("sender")
        if not isinstance(kind, str) or not isinstance(identifier, str):
            raise Conflict(MSG.PERSON_NO_MATCH)
        pid = self.resolve(kind, identifier, sender if isinstance(sender, str) else None)
        if pid is None:
            raise Conflict(MSG.PERSON_NO_MATCH)
        return pid

    def match(self, identities: list[Any]) -> list[dict[str, Any]]:
        """``{type, identifier, sender?, personId}`` for each identity that resolves, duplicates
        collapsed, unmatched omitted."""
        seen: set[tuple[str, str, str | None]] = set()
        out = []
        for identity in identities:
            if not isinstance(identity, dict):
                continue
            kind, ident, sender = (
                identity.get("type"),
                identity.get("identifier"),
                identity.get("sender"),
            )
            if not isinstance(kind, str) or not isinstance(ident, str):
                continue
            key = (kind, ident.lower() if kind == "EMAIL" else ident, sender)
            if key in seen:
                continue
            seen.add(key)
            pid = self.resolve(kind, ident, sender)
            if pid is None:
                continue
            entry: dict[str, Any] = {"type": kind, "identifier": ident}
            if sender is not None:
                entry["sender"] = sender
            entry["personId"] = pid
            out.append(entry)
        return out

    def custom_attribute(self, person_id: int, name: str) -> Any:
        """The person's value of custom attribute ``name`` (defined spelling or any case), or
        ``None``."""
        person = self._persons[person_id]
        if not person.custom:
            return None
        canonical = self._state.attributes.canonical_name(name) or name
        return person.custom.get(canonical)

    def set_custom_attribute(self, person_id: int, name: str, value: Any) -> None:
        """Store ``value`` (``None`` removes it) under the attribute's defined spelling and bump
        ``modifiedAt``. No validation: the caller (lists engine) has validated."""
        person = self._persons[person_id]
        canonical = self._state.attributes.canonical_name(name) or name
        custom = dict(person.custom or {})
        if value is None:
            custom.pop(canonical, None)
        else:
            custom[canonical] = value
        self._keep(person)
        person.custom = custom or None
        self._touch(person)

    def drop_custom_attribute(self, name: str) -> None:
        """A definition was deleted: remove its values (``name`` any case) from every person."""
        folded = name.lower()
        for person in self._persons.values():
            if person.custom:
                keys = [k for k in person.custom if k.lower() == folded]
                if keys:
                    self._keep(person)
                for key in keys:
                    del person.custom[key]
                if not person.custom:
                    person.custom = None

    def strip_tag(self, name: str) -> None:
        """A tag was deleted: remove it (ignoring case) from every person."""
        folded = name.lower()
        for person in self._persons.values():
            if person.tags and any(t.lower() == folded for t in person.tags):
                self._keep(person)
                before = self._value_keys(person)
                person.tags = tuple(t for t in person.tags if t.lower() != folded) or None
                self._revalue(person, before)

    def add_tag(self, person_id: int, tag: str) -> bool:
        """Add tag ``tag`` (already defined; its spelling) to a person; ``False`` if it had it."""
        person = self._persons[person_id]
        if person.tags and any(t.lower() == tag.lower() for t in person.tags):
            return False
        self._keep(person)
        before = self._value_keys(person)
        person.tags = (*(person.tags or ()), sys.intern(tag))
        self._revalue(person, before)
        self._touch(person)
        return True

    def remove_tag(self, person_id: int, tag: str) -> bool:
        """Remove tag ``tag`` (ignoring case) from a person; ``False`` if it did not have it."""
        person = self._persons[person_id]
        if not person.tags or not any(t.lower() == tag.lower() for t in person.tags):
            return False
        self._keep(person)
        before = self._value_keys(person)
        person.tags = tuple(t for t in person.tags if t.lower() != tag.lower()) or None
        self._revalue(person, before)
        self._touch(person)
        return True

    def create_profile(
        self,
        *,
        person_type: str = "CUSTOMER",
        identity: dict[str, Any] | None = None,
        origin: str | None = None,
    ) -> int:
        """A minimal profile: an empty LEAD for push, or a person with one identity
        ``{"type", "identifier", "sender"?}`` (EMAIL, PHONE, EXTERNAL_ID, or a channel type with
        its ``sender``) for events and inbound messages. ``origin`` names the product that made
        it (``None``: the API). Returns the id; if the identity already belongs to someone, that
        person's id (nothing is created)."""
        doc: Doc = {_TYPE: person_type}
        if identity is not None:
            kind, ident = identity.get("type"), identity.get("identifier")
            sender = identity.get("sender")
            existing = self.resolve(str(kind), str(ident), sender)
            if existing is not None:
                return existing
            if kind == "EMAIL":
                doc[_EMAILS] = (ident,)
            elif kind == "PHONE":
                doc[_PHONES] = (ident,)
            elif kind == "EXTERNAL_ID":
                doc["externalId"] = ident
            elif kind in CHANNEL_TYPES and kind != "PUSH" and sender and ident:
                doc[_CHANNELS] = ((str(kind), str(sender), str(ident)),)
            else:
                raise ValueError(f"cannot create a profile from a {kind} identity")
        person = self._store(None, doc, force=True)
        person.origin = person.modified_from = origin
        return person.id

    def create_with_contacts(
        self,
        body: dict[str, Any],
        *,
        channels: Iterable[tuple[str, str, str]] = (),
        push: Iterable[dict[str, Any]] = (),
        origin: str | None = None,
    ) -> dict[str, Any]:
        """Create like :meth:`create`, with the contacts the API cannot write: channel contacts
        ``(type, sender, identifier)`` and push registrations (``IamPushContactV2`` dicts). For
        seeds and simulated products; each contact is unique like an email (409 otherwise), and
        a channel contact or registration alone identifies the person."""
        channels = tuple(channels)
        regs = [dict(r) for r in push]
        given = self._parse_v2(body)
        if channels:
            given[_CHANNELS] = channels
        seen: set[str] = set()
        for reg in regs:
            reg_id = reg["registrationId"]
            if reg_id in self._by_push or reg_id in seen:
                raise _conflict("push", reg_id)
            seen.add(reg_id)
        doc = self._combine(None, given, "create", require_identity=not regs)
        person = self._store(None, doc)
        person.origin = person.modified_from = origin
        for reg in regs:
            entry = {k: reg[k] for k in _PUSH_KEYS if k in reg}
            person.push = [*(person.push or ()), entry]
            self._by_push[reg["registrationId"]] = person.id
        return self._render_v2(person)

    def update_from(
        self, person_id: int, body: dict[str, Any], source: str
    ) -> tuple[dict[str, Any], bool]:
        """PATCH a person on behalf of another product (``source`` becomes its
        ``modifiedFrom`` when something changed). Returns the v2 person and whether it changed;
        raises like :meth:`update`."""
        person = self._persons[person_id]
        before = person.rev
        self._update_v2(person_id, body, "patch")
        changed = person.rev != before
        if changed:
            person.modified_from = source
        return self._render_v2(person), changed

    def add_push(self, person_id: int, registration: dict[str, Any]) -> None:
        """Attach a push registration (``IamPushContactV2`` shape: registrationId,
        applicationId, isPrimary, additionalData, systemData) to a person. A registration id is
        unique: if another person holds it, it moves here; the same id on this person is
        replaced in place. Bumps ``modifiedAt``."""
        reg_id = registration["registrationId"]
        owner = self._by_push.get(reg_id)
        if owner is not None and owner != person_id:
            self.remove_push(owner, reg_id)
        person = self._persons[person_id]
        entry = {k: registration[k] for k in _PUSH_KEYS if k in registration}
        items = [r for r in person.push or () if r["registrationId"] != reg_id]
        existing = [i for i, r in enumerate(person.push or ()) if r["registrationId"] == reg_id]
        if existing:
            items.insert(existing[0], entry)
        else:
            items.append(entry)
        self._keep(person)
        person.push = items
        self._by_push[reg_id] = person_id
        self._touch(person)

    def remove_push(self, person_id: int, registration_id: str) -> None:
        """Detach a push registration from a person (no-op when it is not there)."""
        person = self._persons[person_id]
        if not person.push or not any(r["registrationId"] == registration_id for r in person.push):
            return
        self._keep(person)
        person.push = [r for r in person.push if r["registrationId"] != registration_id] or None
        if self._by_push.get(registration_id) == person_id:
            del self._by_push[registration_id]
        self._touch(person)

    def push(self, person_id: int) -> list[dict[str, Any]]:
        """Copies of the person's push registrations (wire shape), in the order added."""
        person = self._persons[person_id]
        return [_deep_copy(r) for r in person.push or ()]

    def apply_identity(self, person_id: int, fields: dict[str, Any], *, promote: bool) -> None:
        """PATCH-like write for push personalize: ``fields`` is a v2 person body fragment
        (externalId, firstName, ..., customAttributes, tags, contactInformation) merged into the
        person; ``promote`` turns a LEAD into a CUSTOMER. Raises v2 400/409 like PATCH."""
        person = self._persons[person_id]
        doc = self._combine(person, self._parse_v2(fields), "patch", require_identity=False)
        if promote:
            doc[_TYPE] = "CUSTOMER"
        self._store(person, doc)
