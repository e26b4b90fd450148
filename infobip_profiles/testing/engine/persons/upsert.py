"""Persons engine, v3 upsert and merge: the general path, the one-pass create of a new person,
merging matched profiles, and folding one person into another.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from ..._messages import MSG
from .._domain import Conflict, DomainError
from .records import (
    _CHANNELS,
    _CUSTOM,
    _EMAILS,
    _PHONES,
    _PUSH_IDS,
    _TAGS,
    _TYPE,
    SCALAR_FIELDS,
    Doc,
    _email_key,
    _Person,
    _phone_key,
    _union,
)
from .rules import (
    _EMAIL,
    _MAX_CONTACT_ID,
    _PHONE,
    _SCALAR_RULES,
    _TYPES,
    MAX_CONTACTS,
    _v3_item_error,
)
from .writes import PersonWrites

__all__ = ["PersonUpserts", "collector_paused"]


class PersonUpserts(PersonWrites):
    """v3 upsert and merge, and taking one person over into another."""

    def upsert(self, persons: list[Any], *, full: bool) -> dict[str, Any]:
        """v3 upsert (``full``: PUT clears omitted fields on a match; else PATCH keeps them).

        Items apply in order; returns ``{"errors": [...], "results": [{id, index, status}]}`` with
        status ``CREATED``, ``UPDATED`` or ``NOT_MODIFIED`` (``modifiedAt`` then unchanged).
        """
        errors: list[dict[str, Any]] = []
        results: list[dict[str, Any]] = []
        for index, item in enumerate(persons):
            if type(item) is dict:
                created = self._v3_create(item)
                if created is not None:
                    results.append({"id": created, "index": index, "status": "CREATED"})
                    continue
            try:
                given = self._parse_v3(item, index, merge=False)
                matched = self._v3_matches(given)
                if len(matched) > 1:
                    raise Conflict(MSG.V3_AMBIGUOUS)
                # No uniqueness check is left for _store to make (``force``): every identifier
                # the item names belongs to the one matched person or to nobody (else it would
                # have matched another), and the matched person's own are its own.
                if matched:
                    person = self._persons[matched.pop()]
                    doc = self._combine(person, given, "put" if full else "patch", v3=True)
                    before = person.rev
                    self._store(person, doc, force=True)
                    status = "UPDATED" if person.rev != before else "NOT_MODIFIED"
                else:
                    doc = self._combine(None, given, "create", v3=True)
                    person = self._store(None, doc, force=True)
                    status = "CREATED"
                results.append({"id": person.id, "index": index, "status": status})
            except DomainError as exc:
                errors.append(_v3_item_error(exc, index))
        return {"errors": errors, "results": results}

    def _v3_create(self, item: dict[str, Any]) -> int | None:
        """An upsert item that creates a person, done in one pass: the new person's id, or ``None``.

        The common case of a bulk import: nothing the item names is stored yet and every field
        is valid. It does what the general path (parse, match, combine, store) does for such an
        item, without building the intermediate docs. Anything else (a match, a broken rule, a
        value of an unusual type, a contact that is not a valid email or phone) returns ``None``
        having changed nothing, and the general path answers it, errors included.
        ``tests/fake/persons/test_upsert_create_path.py`` pins the two equal.
        """
        ext = item.get("externalId")
        if ext is not None and (type(ext) is not str or ext in self._by_external):
            return None
        emails: tuple[str, ...] = ()
        phones: tuple[str, ...] = ()
        email_keys: list[str] = []
        phone_keys: list[str] = []
        contacts = item.get("contactInformation")
        if contacts is not None:
            if type(contacts) is not list:
                return None
            found_emails: list[str] = []
            found_phones: list[str] = []
            by_email, by_phone = self._by_email, self._by_phone
            for contact in contacts:
                if type(contact) is not dict:
                    return None
                kind, ident = contact.get("type"), contact.get("identifier")
                if type(ident) is not str or not 0 < len(ident) <= _MAX_CONTACT_ID:
                    return None
                if kind == "EMAIL" and _EMAIL.match(ident):
                    key = _email_key(ident)
                    if key in by_email:
                        return None
                    found_emails.append(ident)
                    email_keys.append(key)
                elif kind == "PHONE" and _PHONE.match(ident):
                    key = _phone_key(ident)
                    if key in by_phone:
                        return None
                    found_phones.append(ident)
                    phone_keys.append(key)
                else:
                    return None
            emails = _union(_EMAILS, (), tuple(found_emails))
            phones = _union(_PHONES, (), tuple(found_phones))
            if len(emails) > MAX_CONTACTS or len(phones) > MAX_CONTACTS:
                return None
        person_type = "CUSTOMER"
        tags: Any = None
        custom: Any = None
        scalars: dict[str, str] = {}
        rules = _SCALAR_RULES
        for name, value in item.items():
            rule = rules.get(name)
            if rule is not None:
                if value is None:
                    continue
                if type(value) is not str:
                    return None
                limit, check = rule
                if len(value) > limit or (check is not None and check(value)):
                    return None
                if value:
                    scalars[name] = value
            elif name == _TYPE:
                if value is not None:
                    if value not in _TYPES:
                        return None
                    person_type = value
            elif name == _TAGS:
                tags = value
            elif name == _CUSTOM:
                custom = value
        if not (ext or emails or phones):
            return None  # no identity: the general path answers the error
        tag_names: tuple[str, ...] = ()
        if tags is not None:
            registry = self._state.tags
            if (
                type(tags) is not list
                or not all(type(t) is str and t for t in tags)
                or registry.validate_names(tags)
            ):
                return None
            tag_names = _union(_TAGS, (), tuple(registry.canonical(tags)))
        values: dict[str, Any] = {}
        if custom is not None:
            attributes = self._state.attributes
            if attributes.validate_values(custom, partial=False) or self.read_only_errors(custom):
                return None
            for name, value in custom.items():
                canonical = attributes.canonical_name(name) or name
                if value is None:
                    values.pop(canonical, None)
                else:
                    values[canonical] = value
        # Everything checked: from here on, the person is written.
        if tag_names:
            self._state.tags.ensure(tag_names)
        pid = self._state.next_id("persons")
        person = _Person(pid, self._stamp(), self._next_rev())
        self._persons[pid] = person
        if self._journal is not None:
            self._journal.created.append(pid)
        for name, value in scalars.items():
            setattr(person, name, value)
        person.type = person_type
        person.tags = tuple(sys.intern(t) for t in tag_names) if tag_names else None
        person.custom = values or None
        for field, key in self._value_keys(person):
            self._value_add(field, key, pid)
        # The indexes, as _index writes them (the keys were computed for the lookups above; a
        # contact repeated in the item indexes the same key twice, to the same person).
        if ext:
            self._by_external[ext] = pid
        if emails:
            person.emails = emails
            for key in email_keys:
                self._by_email[key] = pid
        if phones:
            person.phones = phones
            for key in phone_keys:
                self._by_phone[key] = pid
        return pid

    def merge_v3(self, persons: list[Any]) -> dict[str, Any]:
        """v3 merge: each item gathers every profile its identifiers match, merges them (§1
        rules), then applies the item's data on top (new externalId replaces, contacts are
        added); no match creates a profile. Returns ``{"errors", "results": [{id, index}]}``."""
        errors: list[dict[str, Any]] = []
        results: list[dict[str, Any]] = []
        for index, item in enumerate(persons):
            try:
                given = self._parse_v3(item, index, merge=True)
                matched = self._v3_matches(given)
                given.pop(_PUSH_IDS, None)
                if not matched:
                    person = self._store(None, self._combine(None, given, "create", v3=True))
                else:
                    ordered = sorted(matched, key=lambda i: self._persons[i].id)
                    # Validate the item against the merged view before changing anything.
                    merged_doc = self._merged_doc([self._persons[i] for i in ordered])
                    primary = self._primary([self._persons[i] for i in ordered])
                    probe = self._combine(None, given, "create", v3=True, base=merged_doc)
                    self._check(probe, primary.id, allowed=set(ordered))
                    pid = self.merge(ordered[0], ordered[1:]) if len(ordered) > 1 else ordered[0]
                    person = self._persons[pid]
                    self._store(person, self._combine(person, given, "patch", v3=True))
                results.append({"id": person.id, "index": index})
            except DomainError as exc:
                errors.append(_v3_item_error(exc, index))
        return {"errors": errors, "results": results}

    def _v3_matches(self, given: Doc) -> set[int]:
        found: set[int] = set()
        ext = given.get("externalId")
        if isinstance(ext, str):
            pid = self._by_external.get(ext)
            if pid is not None:
                found.add(pid)
        for email in given.get(_EMAILS) or ():
            pid = self._by_email.get(email.lower())
            if pid is not None:
                found.add(pid)
        for phone in given.get(_PHONES) or ():
            pid = self._by_phone.get(_phone_key(phone))
            if pid is not None:
                found.add(pid)
        for kind, sender, ident in given.get(_CHANNELS) or ():
            pid = self.resolve(kind, ident, sender)
            if pid is not None:
                found.add(pid)
        for reg_id in given.get(_PUSH_IDS) or ():
            pid = self._by_push.get(reg_id)
            if pid is not None:
                found.add(pid)
        return found

    def merge(self, primary_id: int, secondary_ids: Iterable[int]) -> int:
        """Merge persons into one (§1 rules) and return the surviving id.

        The primary is the earliest created of all given persons (ties: lowest id) whatever
        ``primary_id`` says; it keeps its id and creation metadata. Empty attributes are filled;
        a single-value conflict goes to a CUSTOMER over a LEAD, otherwise to the most recently
        modified profile. Emails, phones, tags, push registrations and channel contacts are
        unioned; custom attributes merge key by key with the same precedence. The others are
        deleted and their identifiers resolve to the primary afterwards. Calls
        ``state.persons_merged(primary, secondaries)``.
        """
        group = [self._persons[primary_id]]
        group += [self._persons[i] for i in secondary_ids if i != primary_id]
        if len(group) == 1:
            return primary_id
        primary = self._primary(group)
        doc = self._merged_doc(group)
        push: list[dict[str, Any]] = []
        for person in sorted(group, key=lambda p: p is not primary):
            push.extend(person.push or ())
        secondaries = [p for p in group if p is not primary]
        for person in group:
            self._keep(person)
        for person in secondaries:
            del self._persons[person.id]
            self._unindex(person)
            self._unvalue(person)
        primary.push = None
        self._unindex_push(primary)
        self._store(primary, doc, force=True)
        for reg in push:
            primary.push = [*(primary.push or ()), reg]
            self._by_push[reg["registrationId"]] = primary.id
        self._state.persons_merged(primary.id, [p.id for p in secondaries])
        return primary.id

    @staticmethod
    def _primary(group: list[_Person]) -> _Person:
        return min(group, key=lambda p: (p.created_at, p.id))

    def _merged_doc(self, group: list[_Person]) -> Doc:
        primary = self._primary(group)
        # Precedence for single values: CUSTOMER over LEAD, then the most recently modified.
        ranked = sorted(group, key=lambda p: (p.type == "CUSTOMER", p.rev), reverse=True)
        doc: Doc = {_TYPE: "CUSTOMER" if any(p.type == "CUSTOMER" for p in group) else "LEAD"}
        for name in SCALAR_FIELDS:
            for person in ranked:
                value = getattr(person, name)
                if value is not None:
                    doc[name] = value
                    break
        custom: dict[str, Any] = {}
        for person in reversed(ranked):
            custom.update(person.custom or {})
        if custom:
            doc[_CUSTOM] = custom
        order = [primary, *(p for p in group if p is not primary)]
        for key, attr in ((_EMAILS, "emails"), (_PHONES, "phones"), (_TAGS, "tags")):
            values: tuple[str, ...] = ()
            for person in order:
                values = _union(key, values, getattr(person, attr) or ())
            if values:
                doc[key] = values
        channels: tuple[tuple[str, str, str], ...] = ()
        for person in order:
            channels += tuple(c for c in person.channels or () if c not in channels)
        if channels:
            doc[_CHANNELS] = channels
        return doc

    def take_over(self, survivor_id: int, other_id: int) -> None:
        """Fold person ``other_id`` into ``survivor_id`` and delete it; the survivor keeps its id,
        creation metadata and every value it has. What only the other had fills the gaps:
        single-valued fields and custom attributes it lacks; emails, phones, tags, channel
        contacts and push registrations are unioned; other engines move what they hold
        (``persons_merged``). Raises 400 (v2) and changes nothing past 100 emails or phones."""
        survivor = self._persons[survivor_id]
        other = self._persons[other_id]
        doc = survivor.doc()
        for name in SCALAR_FIELDS:
            value = getattr(other, name)
            if value is not None and doc.get(name) is None:
                doc[name] = value
        if other.custom:
            doc[_CUSTOM] = {**other.custom, **(doc.get(_CUSTOM) or {})}
        for key, attr in ((_EMAILS, "emails"), (_PHONES, "phones"), (_TAGS, "tags")):
            values = _union(key, doc.get(key, ()), getattr(other, attr) or ())
            if values:
                doc[key] = values
        channels = tuple(doc.get(_CHANNELS, ()))
        channels += tuple(c for c in other.channels or () if c not in channels)
        if channels:
            doc[_CHANNELS] = channels
        self._check_doc(doc, survivor, require_identity=False)
        moved = list(other.push or ())
        self._keep(survivor)
        self._keep(other)
        del self._persons[other_id]
        self._unindex(other)
        self._unvalue(other)
        self._store(survivor, doc, force=True)
        for reg in moved:
            survivor.push = [*(survivor.push or ()), reg]
            self._by_push[reg["registrationId"]] = survivor_id
        self._state.persons_merged(survivor_id, [other_id])
        self._state.person_deleted(other_id)


# == module helpers =================================================================================


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector off for one bulk write (restored after, if it was on).

    A 1000-person upsert allocates thousands of short-lived containers; each time they trigger a
    full collection, the collector walks every stored person (at 100,000 persons that was about a
    quarter of the upsert's time). Nothing is lost: garbage made meanwhile is collected later.

    The collector is one per process, so the upsert handler pauses it only when the fake was
    built with ``pause_collector=True`` (``fake-server --pause-collector``).
    """
    was_on = gc.isenabled()
    if was_on:
        gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
