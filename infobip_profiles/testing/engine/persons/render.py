"""Persons engine, reads and rendering: lookups that raise, filters and pages, and the
v2 and v3 wire persons (rendered fresh on every read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...._operations import page_size
from ..._messages import MSG
from .._domain import Invalid
from ..query import MISSING, QueryError, compile_filter, decode_filter
from .records import (
    CHANNEL_TYPES,
    SCALAR_FIELDS,
    PersonRecords,
    _deep_copy,
    _Person,
    _v2_origin,
)
from .rules import not_found

__all__ = ["PersonReads", "ORDER_FIELDS"]

ORDER_FIELDS = ("firstName", "lastName", "createdAt", "modifiedAt")
"""Fields the persons list can be ordered by."""


class PersonReads(PersonRecords):
    """Reads: lookups, filters, pages and the wire renderings."""

    def require(
        self,
        id_type: str,
        identifier: str,
        sender: str | None = None,
    ) -> int:
        """Like :meth:`resolve`, but an unknown person raises :class:`NotFound` (``"person"``),
        which each operation's envelope renders with its own code."""
        pid = self.resolve(id_type, identifier, sender)
        if pid is None:
            raise not_found()
        return pid

    def get(self, person_id: int) -> dict[str, Any] | None:
        """The person as a fresh v2 wire dict (``IamPersonV2``), or ``None``."""
        person = self._persons.get(person_id)
        return None if person is None else self._render_v2(person)

    def get_v3(self, person_id: int) -> dict[str, Any] | None:
        """The person as a fresh v3 wire dict (``PersonV3``: contactInformation is an array of
        ``{type, identifier, sender?, primary?}``), or ``None``."""
        person = self._persons.get(person_id)
        return None if person is None else self._render_v3(person)

    def snapshot(self) -> list[dict[str, Any]]:
        """Every person as a v2 wire dict, in creation order (``fake.people()``)."""
        return [self._render_v2(p) for p in self._persons.values()]

    def matching(self, filter_json: str | Mapping[str, Any] | None) -> list[int]:
        """Ids of the persons matching a §1 filter (text or decoded), in creation order.

        The filter is compiled once. A malformed filter raises
        :class:`~infobip_profiles.testing.engine.query.QueryError` (a ``ValueError``; its
        ``reason`` and ``path`` say what is wrong) for the caller to answer in its own envelope.
        """
        decoded = decode_filter(filter_json)
        predicate = self.compile(decoded)
        source = self._candidates(decoded)
        if source is None:
            source = self._persons.values()
        return [p.id for p in source if predicate(self._filter_getter(p))]

    def compile(self, filter_json: str | Mapping[str, Any] | None) -> Any:
        """Compile a filter to ``predicate(getter) -> bool``; raises ``QueryError`` when bad."""
        if filter_json is None or filter_json == "":
            filter_json = {}
        attributes = self._state.attributes
        schemas = {d["name"]: d["objectSchema"] for d in attributes.all() if d.get("objectSchema")}
        types = attributes.attribute_types()
        types = {**self._state.events.computed_types(), **types}
        return compile_filter(
            filter_json,
            now=self._state.clock.now(),
            attribute_types=types,
            object_schemas=schemas,
        )

    def page(
        self,
        *,
        filter_json: str | None = None,
        order_by: str | None = None,
        page: int = 1,
        limit: int = page_size("get-a-single-person-or-a-list-of-people").default,
        with_total: bool = True,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of persons (v2 wire dicts) matching ``filter_json`` and the total matched.

        ``order_by`` is ``field:asc|desc`` over :data:`ORDER_FIELDS`; ties and the default
        order are by id. Persons lacking the sort field come last in either direction.

        A tag condition or an equality on an indexed standard field (alone or inside a top-level
        ``#and``) narrows the persons examined to those its index lists. In the default order and
        with ``with_total=False`` matching stops once the page is full; the total returned is
        then only how many were matched so far.
        """
        try:
            decoded = decode_filter(filter_json)
            predicate = self.compile(decoded)
        except QueryError as exc:
            raise Invalid(MSG.FILTER_INVALID.format(reason=exc)) from None
        source = self._candidates(decoded)
        if source is None:
            source = self._persons.values()
        start = (page - 1) * limit
        if not order_by and not with_total:
            wanted = start + limit
            found: list[_Person] = []
            for p in source:
                if predicate(self._filter_getter(p)):
                    found.append(p)
                    if len(found) >= wanted:
                        break
            return [self._render_v2(p) for p in found[start:wanted]], len(found)
        matched = [p for p in source if predicate(self._filter_getter(p))]
        if order_by:
            field, _, direction = order_by.partition(":")
            attr = {"createdAt": "created_at", "modifiedAt": "modified_at"}.get(field, field)
            present = [p for p in matched if getattr(p, attr) is not None]
            absent = [p for p in matched if getattr(p, attr) is None]
            present.sort(key=lambda p: p.id)
            present.sort(key=lambda p: getattr(p, attr), reverse=direction.lower() == "desc")
            matched = present + absent
        return [self._render_v2(p) for p in matched[start : start + limit]], len(matched)

    def _computed(self, person_id: int) -> dict[str, Any] | None:
        person = self._persons.get(person_id)
        getter = person.getter if person is not None else None
        value = self._state.events.computed_attributes(person_id, getter)
        return dict(value) if value else None

    def _filter_getter(self, person: _Person) -> Any:
        """The person's filter getter, answering computed attribute names too."""
        events = self._state.events
        types = events.computed_types()
        if not types:
            return person.getter

        def get(field: str) -> Any:
            if field in types:
                value = events.computed_value(person.id, field, person.getter)
                return MISSING if value is None else value
            return person.getter(field)

        return get

    def _render_v2(self, person: _Person) -> dict[str, Any]:
        body: dict[str, Any] = {"id": person.id, "type": person.type}
        for name in SCALAR_FIELDS:
            value = getattr(person, name)
            if value is not None and name != "nickName":
                body[name] = value
        body["tags"] = list(person.tags or ())
        body["customAttributes"] = _deep_copy(person.custom or {})
        computed = self._computed(person.id)
        if computed is not None:
            body["computedAttributes"] = computed
        contacts: dict[str, Any] = {
            "email": [{"address": e} for e in person.emails or ()],
            "phone": [{"number": n} for n in person.phones or ()],
        }
        if person.push:
            contacts["push"] = [_deep_copy(r) for r in person.push]
        for kind, sender, ident in person.channels or ():
            key = CHANNEL_TYPES.get(kind)
            if not key:
                continue
            entry = (
                {"applicationId": sender, "registrationId": ident}
                if kind == "WEB_PUSH"
                else {"applicationId": sender, "userId": ident}
            )
            contacts.setdefault(key, []).append(entry)
        body["contactInformation"] = contacts
        body["createdAt"] = person.created_at
        body["modifiedAt"] = person.modified_at
        body["origin"] = _v2_origin(person.origin)
        body["modifiedFrom"] = _v2_origin(person.modified_from)
        return body

    def _render_v3(self, person: _Person) -> dict[str, Any]:
        body: dict[str, Any] = {"id": person.id, "type": person.type}
        for name in SCALAR_FIELDS:
            value = getattr(person, name)
            if value is not None:
                body[name] = value
        body["tags"] = list(person.tags or ())
        contacts: list[dict[str, Any]] = []
        for i, email in enumerate(person.emails or ()):
            contacts.append({"type": "EMAIL", "identifier": email, "primary": i == 0})
        for i, phone in enumerate(person.phones or ()):
            contacts.append({"type": "PHONE", "identifier": phone, "primary": i == 0})
        for reg in person.push or ():
            entry = {"type": "PUSH", "identifier": reg["registrationId"]}
            if reg.get("applicationId") is not None:
                entry["sender"] = reg["applicationId"]
            entry["primary"] = bool(reg.get("isPrimary"))
            contacts.append(entry)
        for kind, sender, ident in person.channels or ():
            contacts.append({"type": kind, "identifier": ident, "sender": sender})
        body["contactInformation"] = contacts
        body["customAttributes"] = _deep_copy(person.custom or {})
        computed = self._computed(person.id)
        if computed is not None:
            body["computedAttributes"] = computed
        body["createdFrom"] = person.origin or "API"
        body["createdAt"] = person.created_at + ".000Z"
        body["modifiedFrom"] = person.modified_from or "API"
        body["modifiedAt"] = person.modified_at + ".000Z"
        return body
