"""Persons engine, records and indexes: the stored persons and every index over them.

One ``__slots__`` record per person (:class:`_Person`), the identifier indexes, the filter
indexes, timestamps and revisions, and the journal that undoes a block of writes. The layers
above read and write through these.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ....refs import CHANNEL_CONTACT_KEYS
from ..query import MISSING, index_terms

if TYPE_CHECKING:
    from ..._state import TenantState

__all__ = [
    "PersonRecords",
    "SCALAR_FIELDS",
    "CHANNEL_TYPES",
    "IDENTIFIER_TYPES",
    "Doc",
    "channel_origin",
]

SCALAR_FIELDS = (
    "externalId",
    "firstName",
    "lastName",
    "middleName",
    "nickName",
    "address",
    "city",
    "country",
    "gender",
    "birthDate",
    "preferredLanguage",
    "profilePicture",
)
"""Single-valued standard fields a person may carry (``nickName`` travels on v3 only)."""

_SCALAR_SET = frozenset(SCALAR_FIELDS)

# Standard fields with an equality index (besides ``type``, ``tags`` and the identifiers).
_VALUE_SCALARS = ("firstName", "lastName", "city", "country", "gender")

_VALUE_FIELDS = ("type", "tags", *_VALUE_SCALARS)

_V2_STAMP = "%Y-%m-%dT%H:%M:%S"  # FakeClock.v2_timestamp's format

CHANNEL_TYPES = CHANNEL_CONTACT_KEYS
"""Channel identifier types and their v2 ``contactInformation`` key ("" = not shown on v2)."""

_ASCII_DIGITS = re.compile(r"[+]?[0-9]{1,19}")  # what a Long parser reads

IDENTIFIER_TYPES = ("ID", "EXTERNAL_ID", "PHONE", "EMAIL", *CHANNEL_TYPES)
"""Every ``type`` a person can be looked up by."""

# Doc keys beyond the scalar fields.
_TYPE, _EMAILS, _PHONES, _TAGS, _CUSTOM, _CHANNELS = (
    "type",
    "emails",
    "phones",
    "tags",
    "customAttributes",
    "channels",
)

_LIST_KEYS = frozenset((_EMAILS, _PHONES, _TAGS, _CHANNELS))

_PUSH_IDS = "pushIds"  # v3 merge only: registration ids naming devices (match keys, not stored)

Doc = dict[str, Any]
"""A person's fields as the engine computes them: scalar wire names plus the keys above."""

#: Every origin the v2 person (``IamOrigin``) can show; v3's ``OriginV3`` has more.
_V2_ORIGINS = frozenset(
    (
        "API",
        "PORTAL",
        "WEB_SDK",
        "INTEGRATION",
        "PUSH",
        "FACEBOOK",
        "LINE",
        "TELEGRAM",
        "SALESFORCE",
        "DYNAMICS",
        "ZAPIER",
        "FORMS",
        "COMPUTED",
        "ANSWERS",
        "CONVERSATIONS",
    )
)

#: The origin a profile made by an inbound message on each channel shows: the channel's own
#: value where the spec's origin list has one, else CONVERSATIONS (the product that receives it).
_CHANNEL_ORIGINS = {
    "PUSH": "PUSH",
    "WEB_PUSH": "WEB_SDK",
    "FACEBOOK": "FACEBOOK",
    "LINE": "LINE",
    "TELEGRAM": "TELEGRAM",
    "WHATSAPP": "WHATSAPP",
    "LIVE_CHAT": "LIVE_CHAT",
    "INSTAGRAM_DM": "INSTAGRAM_DM",
    "ZALO_FOLLOWER": "ZALO_FOLLOWER",
    "TIKTOK_BM": "TIKTOK_BM",
    "KAKAO_TALK": "KAKAO_TALK",
}


def channel_origin(kind: str) -> str:
    """The origin (v3 ``createdFrom``) of a profile created by a message on channel ``kind``."""
    return _CHANNEL_ORIGINS.get(kind, "CONVERSATIONS")


def _v2_origin(origin: str | None) -> str:
    """A stored origin as the v2 person shows it (v3-only values read CONVERSATIONS there)."""
    if origin is None:
        return "API"
    return origin if origin in _V2_ORIGINS else "CONVERSATIONS"


def _phone_key(number: str) -> str:
    return number[1:] if number.startswith("+") else number


def _email_key(address: str) -> str:
    """The email index's key: the address lowercased, the address itself when it already is
    (one string stored instead of two: most addresses are lowercase)."""
    key = address.lower()
    return address if key == address else key


class _Person:
    """One stored person. Unset fields are ``None``; nothing is stored twice."""

    __slots__ = (
        "id",
        "type",
        "created_at",
        "modified_at",
        "rev",
        *SCALAR_FIELDS,
        "emails",
        "phones",
        "tags",
        "custom",
        "push",
        "channels",
        "origin",
        "modified_from",
    )

    id: int
    type: str
    created_at: str
    modified_at: str
    rev: int
    externalId: str | None  # the wire name, like the other scalar slots
    emails: tuple[str, ...] | None
    phones: tuple[str, ...] | None
    tags: tuple[str, ...] | None
    custom: dict[str, Any] | None
    push: list[dict[str, Any]] | None
    channels: tuple[tuple[str, str, str], ...] | None
    origin: str | None  # the product that created the profile; None: the API
    modified_from: str | None  # the product that last changed it; None: the API

    def __init__(self, person_id: int, created_at: str, rev: int) -> None:
        self.id = person_id
        self.type = "CUSTOMER"
        self.created_at = created_at
        self.modified_at = created_at
        self.rev = rev
        # Every slot of SCALAR_FIELDS, spelled out: one chained store instead of twelve setattr
        # calls (a bulk upsert makes a thousand persons per request).
        self.externalId = self.firstName = self.lastName = self.middleName = self.nickName = None
        self.address = self.city = self.country = self.gender = self.birthDate = None
        self.preferredLanguage = self.profilePicture = None
        self.emails = self.phones = self.tags = self.custom = self.push = self.channels = None
        self.origin = self.modified_from = None

    def doc(self) -> Doc:
        """The writable fields as a doc (what a write starts from)."""
        doc: Doc = {_TYPE: self.type}
        for name in SCALAR_FIELDS:
            value = getattr(self, name)
            if value is not None:
                doc[name] = value
        if self.emails:
            doc[_EMAILS] = self.emails
        if self.phones:
            doc[_PHONES] = self.phones
        if self.tags:
            doc[_TAGS] = self.tags
        if self.custom:
            doc[_CUSTOM] = dict(self.custom)
        if self.channels:
            doc[_CHANNELS] = self.channels
        return doc

    def getter(self, field: str) -> Any:
        """Value of a filter field (standard or custom attribute), or MISSING."""
        if field in _GETTERS:
            value = _GETTERS[field](self)
        elif self.custom is not None:
            value = self.custom.get(field, MISSING)
        else:
            return MISSING
        return MISSING if value is None else value


_GETTERS: dict[str, Any] = {name: (lambda p, n=name: getattr(p, n)) for name in SCALAR_FIELDS}
_GETTERS.update(
    {
        "id": lambda p: p.id,
        "type": lambda p: p.type,
        "createdAt": lambda p: p.created_at,
        "modifiedAt": lambda p: p.modified_at,
        "origin": lambda p: _v2_origin(p.origin),
        "modifiedFrom": lambda p: _v2_origin(p.modified_from),
        "tags": lambda p: list(p.tags) if p.tags else MISSING,
        "email": lambda p: list(p.emails) if p.emails else MISSING,
        "phone": lambda p: list(p.phones) if p.phones else MISSING,
    }
)


class _Journal:
    """What an undoable block changed (see :meth:`PersonsEngine.undoable`)."""

    __slots__ = ("created", "kept", "point")

    def __init__(self, point: tuple[Any, ...]) -> None:
        self.point = point
        self.created: list[int] = []
        self.kept: dict[int, tuple[_Person, dict[str, Any]]] = {}


class PersonRecords:
    """The stored persons of one tenant and their indexes (the base of :class:`PersonsEngine`)."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
        self._persons: dict[int, _Person] = {}
        self._by_external: dict[str, int] = {}
        self._by_email: dict[str, int] = {}
        self._by_phone: dict[str, int] = {}
        self._by_push: dict[str, int] = {}
        self._by_channel: dict[tuple[str, str, str], int] = {}
        # Filter indexes (see _value_keys): field -> value -> the ids holding it, ascending (a
        # lone id is stored as the int itself, which keeps unique values such as names compact).
        self._by_value: dict[str, dict[str, int | list[int]]] = {f: {} for f in _VALUE_FIELDS}
        # Emails whose lower() differs from their casefold() (never ASCII), by casefold: the
        # email index is keyed by lower(), filters compare casefolded.
        self._odd_emails: dict[str, set[int]] = {}
        # While a write may still have to be undone (see begin): what it changed.
        self._journal: _Journal | None = None
        self._rev = 0
        self._last_stamp = ""
        # The clock times (seconds) for which ``_last_stamp`` is the rendering: [from, until).
        self._stamp_from = 0.0
        self._stamp_until = 0.0

    def resolve(self, id_type: str, identifier: str, sender: str | None = None) -> int | None:
        """The id of the person identified by ``identifier`` of ``id_type``, or ``None``; O(1).

        ``id_type`` is ``ID``, ``EXTERNAL_ID``, ``EMAIL`` (matched ignoring case), ``PHONE`` (a
        leading ``+`` is ignored), ``PUSH`` (a push registration id; ``sender`` is not needed) or a
        channel type (``FACEBOOK``, ``WEB_PUSH``...; matched on ``(type, sender, identifier)``).
        """
        kind = str(id_type).upper()
        if kind == "ID":
            # ASCII digits only: Python's int() would also read " 1", "1_0" or other scripts' digits
            if not _ASCII_DIGITS.fullmatch(identifier):
                return None
            pid = int(identifier)
            return pid if pid in self._persons else None
        if kind == "EXTERNAL_ID":
            return self._by_external.get(identifier)
        if kind == "EMAIL":
            return self._by_email.get(identifier.lower())
        if kind == "PHONE":
            return self._by_phone.get(_phone_key(identifier))
        if kind == "PUSH":
            return self._by_push.get(identifier)
        if kind in CHANNEL_TYPES:
            if sender is None:
                return None
            return self._by_channel.get((kind, sender, identifier))
        return None

    def exists(self, person_id: int) -> bool:
        """Whether a person with this id is stored."""
        return person_id in self._persons

    def ids(self) -> list[int]:
        """Every person id, in creation order."""
        return list(self._persons)

    def count(self) -> int:
        """How many persons are stored."""
        return len(self._persons)

    def _index(self, person: _Person) -> None:
        pid = person.id
        if person.externalId is not None:
            self._by_external[person.externalId] = pid
        for email in person.emails or ():
            self._by_email[_email_key(email)] = pid
            if not email.isascii() and email.lower() != email.casefold():
                self._odd_emails.setdefault(email.casefold(), set()).add(pid)
        for phone in person.phones or ():
            self._by_phone[_phone_key(phone)] = pid
        for channel in person.channels or ():
            self._by_channel[channel] = pid

    def _unindex(self, person: _Person, *, push: bool = True) -> None:
        pid = person.id
        if person.externalId is not None and self._by_external.get(person.externalId) == pid:
            del self._by_external[person.externalId]
        for email in person.emails or ():
            if self._by_email.get(email.lower()) == pid:
                del self._by_email[email.lower()]
            odd = self._odd_emails.get(email.casefold())
            if odd is not None:
                odd.discard(pid)
                if not odd:
                    del self._odd_emails[email.casefold()]
        for phone in person.phones or ():
            if self._by_phone.get(_phone_key(phone)) == pid:
                del self._by_phone[_phone_key(phone)]
        for channel in person.channels or ():
            if self._by_channel.get(channel) == pid:
                del self._by_channel[channel]
        if push:
            self._unindex_push(person)

    def _unindex_push(self, person: _Person) -> None:
        for reg in person.push or ():
            if self._by_push.get(reg["registrationId"]) == person.id:
                del self._by_push[reg["registrationId"]]

    @staticmethod
    def _value_keys(person: _Person) -> set[tuple[str, str]]:
        """The (field, key) pairs of the filter indexes a person is listed under: its type, the
        scalar fields of :data:`_VALUE_FIELDS` as stored, its tags casefolded (as filters
        compare them)."""
        keys = {("type", person.type)}
        for name in _VALUE_SCALARS:
            value = getattr(person, name)
            if value is not None:
                keys.add((name, value))
        for tag in person.tags or ():
            keys.add(("tags", tag.casefold()))
        return keys

    def _value_add(self, field: str, key: str, pid: int) -> None:
        table = self._by_value[field]
        held = table.get(key)
        if held is None:
            table[key] = pid
        elif isinstance(held, int):
            if held != pid:
                table[key] = [held, pid] if held < pid else [pid, held]
        elif held[-1] < pid:
            held.append(pid)
        else:
            i = bisect_left(held, pid)
            if i == len(held) or held[i] != pid:
                held.insert(i, pid)

    def _value_remove(self, field: str, key: str, pid: int) -> None:
        table = self._by_value[field]
        held = table.get(key)
        if held is None:
            return
        if isinstance(held, int):
            if held == pid:
                del table[key]
            return
        i = bisect_left(held, pid)
        if i < len(held) and held[i] == pid:
            del held[i]
            if len(held) == 1:
                table[key] = held[0]

    def _revalue(self, person: _Person, before: Iterable[tuple[str, str]]) -> None:
        """Bring the filter indexes in step with ``person``, touching only what changed."""
        after = self._value_keys(person)
        old = before if isinstance(before, (set, frozenset)) else set(before)
        pid = person.id
        for field, key in old - after:
            self._value_remove(field, key, pid)
        for field, key in after - old:
            self._value_add(field, key, pid)

    def _unvalue(self, person: _Person) -> None:
        for field, key in self._value_keys(person):
            self._value_remove(field, key, person.id)

    def _reindex_values(self) -> None:
        """Rebuild the filter indexes from the persons (a state saved before they existed)."""
        self._by_value = {f: {} for f in _VALUE_FIELDS}
        self._odd_emails = {}
        for person in self._persons.values():
            for field, key in self._value_keys(person):
                self._value_add(field, key, person.id)
            for email in person.emails or ():
                if not email.isascii() and email.lower() != email.casefold():
                    self._odd_emails.setdefault(email.casefold(), set()).add(person.id)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._journal = None
        if "_by_value" not in state:
            self._reindex_values()

    def _lookup(self, field: str, value: str) -> list[int] | tuple[int, ...] | None:
        """Ascending ids of the persons that may match ``field`` equal to ``value`` (``tags``:
        containing it; ``email``: ``value`` already casefolded); ``None`` if no index answers."""
        table = self._by_value.get(field)
        if table is not None:
            held = table.get(value.casefold() if field == "tags" else value)
            if held is None:
                return ()
            return (held,) if isinstance(held, int) else held
        if field == "externalId":
            pid = self._by_external.get(value)
        elif field == "phone":
            pid = self._by_phone.get(_phone_key(value))
        elif field == "email":
            value = value.casefold()  # as the filter compares emails
            pid = self._by_email.get(value)
            odd = self._odd_emails.get(value)
            if odd:
                return sorted(odd | ({pid} if pid is not None else set()))
        else:
            return None
        return () if pid is None else (pid,)

    def _candidates(self, decoded: Any) -> Iterable[_Person] | None:
        """The persons an indexed condition of the filter narrows the scan to, in creation
        order, or ``None`` when no index applies (the caller scans everyone). The smallest
        candidate list of the filter's top-level conjunction is used; the full predicate is still
        evaluated on each candidate, so the answer is the scan's."""
        best: list[int] | tuple[int, ...] | None = None
        for field, value in index_terms(decoded):
            ids = self._lookup(field, value)
            if ids is not None and (best is None or len(ids) < len(best)):
                best = ids
                if not best:
                    break
        if best is None:
            return None
        persons = self._persons
        return [persons[i] for i in best] if len(best) < 64 else (persons[i] for i in best)

    def _touch(self, person: _Person) -> None:
        person.modified_at = self._stamp()
        person.rev = self._next_rev()

    def _stamp(self) -> str:
        # Rendered once per clock second (a bulk write stores a thousand persons in one), and
        # shared by every person written in it. Within the second, the clock's float time is
        # compared with its bounds: no datetime is built. The upper bound stays a microsecond
        # short of the next second, where ``clock.now()`` could already round up to it.
        moment = self._state.clock.time()
        if self._stamp_from <= moment < self._stamp_until:
            return self._last_stamp
        second = datetime.fromtimestamp(moment, tz=timezone.utc).replace(microsecond=0)
        self._last_stamp = second.strftime(_V2_STAMP)
        self._stamp_from = second.timestamp()
        self._stamp_until = self._stamp_from + 1 - 1e-6
        return self._last_stamp

    def _next_rev(self) -> int:
        self._rev += 1
        return self._rev

    def savepoint(self) -> tuple[Any, ...]:
        """A mark to undo creations to with :meth:`rollback_created` (what ``fake.seed`` uses
        instead of copying the tenant)."""
        return (
            len(self._persons),
            self._rev,
            self._last_stamp,
            self._stamp_from,
            self._stamp_until,
        )

    def rollback_created(self, point: tuple[Any, ...]) -> None:
        """Remove the persons created since ``point`` (newest first) with their index entries
        and restore the revision counter. Only for writes that created persons and changed no
        stored one, as seeding does; costs what was created, not what is stored."""
        count, self._rev, self._last_stamp, self._stamp_from, self._stamp_until = point
        created = list(itertools.islice(reversed(self._persons), len(self._persons) - count))
        for pid in created:
            person = self._persons.pop(pid)
            self._unindex(person)
            self._unvalue(person)

    @contextlib.contextmanager
    def undoable(self) -> Iterator[None]:
        """Undo what the block wrote to persons if it raises: each person it changed or deleted
        is put back as it was, those it created are removed, indexes and counters follow. Costs
        what the block touched (the first change of a person keeps a copy of its fields), not
        what is stored (a deleted person put back re-sorts them). Other engines and the id
        counters are the caller's to restore; blocks do not nest."""
        if self._journal is not None:
            raise RuntimeError("persons.undoable() blocks do not nest")
        journal = _Journal(self.savepoint())
        self._journal = journal
        try:
            yield
        except BaseException:
            self._journal = None
            self._undo(journal)
            raise
        finally:
            self._journal = None

    def _keep(self, person: _Person) -> None:
        """Before ``person`` changes or goes: remember it as it is (once per undoable block)."""
        journal = self._journal
        if journal is None or person.id in journal.kept or person.id in journal.created:
            return
        fields = {name: getattr(person, name) for name in _Person.__slots__}
        if fields["custom"] is not None:
            fields["custom"] = dict(fields["custom"])
        if fields["push"] is not None:
            fields["push"] = list(fields["push"])
        journal.kept[person.id] = (person, fields)

    def _undo(self, journal: _Journal) -> None:
        for pid in reversed(journal.created):
            person = self._persons.pop(pid, None)
            if person is not None:
                self._unindex(person)
                self._unvalue(person)
        # Index entries are removed only by their owner, so the order of the persons is free.
        reinserted = False
        for pid, (person, fields) in journal.kept.items():
            if self._persons.get(pid) is person:
                self._unindex(person)
                self._unvalue(person)
            else:
                self._persons[pid] = person
                reinserted = True
            for name, value in fields.items():
                setattr(person, name, value)
        for person, _fields in journal.kept.values():
            self._index(person)
            for reg in person.push or ():
                self._by_push[reg["registrationId"]] = person.id
            for field, key in self._value_keys(person):
                self._value_add(field, key, person.id)
        if reinserted:  # a deleted person is back: creation (id) order again
            self._persons = dict(sorted(self._persons.items()))
        _count, self._rev, self._last_stamp, self._stamp_from, self._stamp_until = journal.point

    def check_indexes(self) -> None:
        """Assert every index agrees with a full scan (for tests); raises ``AssertionError``."""
        external: dict[str, int] = {}
        emails: dict[str, int] = {}
        phones: dict[str, int] = {}
        push: dict[str, int] = {}
        channels: dict[tuple[str, str, str], int] = {}
        tables: dict[str, dict[Any, int]] = {
            "e": external,
            "m": emails,
            "p": phones,
            "u": push,
            "c": channels,
        }
        for pid, person in self._persons.items():
            assert person.id == pid, f"record {person.id} stored under {pid}"
            for key, value in _identity_keys(person):
                table = tables[key]
                assert value not in table, f"{value!r} held by {table[value]} and {pid}"
                table[value] = pid
        assert external == self._by_external, "externalId index disagrees with a scan"
        assert emails == self._by_email, "email index disagrees with a scan"
        assert phones == self._by_phone, "phone index disagrees with a scan"
        assert push == self._by_push, "push index disagrees with a scan"
        assert channels == self._by_channel, "channel index disagrees with a scan"
        ids = list(self._persons)
        assert ids == sorted(ids), "persons are not stored in ascending id order"
        values: dict[str, dict[str, list[int]]] = {f: {} for f in _VALUE_FIELDS}
        odd: dict[str, set[int]] = {}
        for pid, person in self._persons.items():
            for field, key in self._value_keys(person):
                values[field].setdefault(key, []).append(pid)
            for email in person.emails or ():
                if email.lower() != email.casefold():
                    odd.setdefault(email.casefold(), set()).add(pid)
        stored = {
            field: {k: [v] if isinstance(v, int) else list(v) for k, v in index.items()}
            for field, index in self._by_value.items()
        }
        assert stored == values, "a filter index disagrees with a scan"
        for index in self._by_value.values():
            for held in index.values():
                assert isinstance(held, int) or len(held) > 1, "a lone id kept in a list"
        assert odd == self._odd_emails, "the casefolded email index disagrees with a scan"


# == module helpers =================================================================================


def _contact_key(key: str, value: str) -> str:
    if key == _EMAILS:
        return value.lower()
    if key == _PHONES:
        return _phone_key(value)
    if key == _TAGS:
        return value.lower()
    return value


def _union(key: str, base: Iterable[Any], extra: Iterable[Any]) -> tuple[Any, ...]:
    """``base`` then the new items of ``extra``, duplicates dropped (emails and tags ignoring
    case, phones ignoring a leading ``+``)."""
    if type(extra) is tuple and len(extra) < 2 and type(base) is tuple and not base:
        return extra  # nothing to compare (a new person's one email, say)
    out: list[Any] = []
    seen: set[Any] = set()
    for value in (*base, *extra):
        marker = _contact_key(key, value) if isinstance(value, str) else value
        if marker in seen:
            continue
        seen.add(marker)
        out.append(value)
    return tuple(out)


def _identity_keys(person: _Person) -> Iterable[tuple[str, Any]]:
    if person.externalId is not None:
        yield "e", person.externalId
    for email in person.emails or ():
        yield "m", email.lower()
    for phone in person.phones or ():
        yield "p", _phone_key(phone)
    for reg in person.push or ():
        yield "u", reg["registrationId"]
    for channel in person.channels or ():
        yield "c", channel


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
