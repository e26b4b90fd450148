"""attrs model classes for everything the API carries.

Attributes are snake_case; the wire is camelCase; :mod:`infobip_profiles._converter` converts. Fields
you leave unset are not sent. Dates are :class:`datetime.date`, timestamps timezone-aware
:class:`datetime.datetime` in UTC. Unknown response fields are ignored, and an enum value this
version does not know is kept as a plain string.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from .._converter import Model, lenient_enum, model, positional_model
from ..errors import ProfilesError
from ..refs import PersonRef

__all__ = [
    "PersonType",
    "Gender",
    "Origin",
    "CustomAttributeValue",
    "EmailContact",
    "PhoneContact",
    "PushContact",
    "OttContact",
    "ContactInformation",
    "Person",
    "StoredPerson",
    "PersonUpdate",
    "BatchItemResult",
    "BatchResult",
    "UpsertStatus",
    "UpsertItemResult",
    "UpsertedPerson",
    "UpsertResult",
    "MatchResult",
    "MergeItemResult",
    "MergeResult",
]

_RO = {"read_only": True}


@lenient_enum
class PersonType(str, enum.Enum):
    """A person is a ``CUSTOMER`` (the default) or a ``LEAD``."""

    CUSTOMER = "CUSTOMER"
    LEAD = "LEAD"


@lenient_enum
class Gender(str, enum.Enum):
    """The person's gender, as the API records it."""

    MALE = "MALE"
    FEMALE = "FEMALE"


@lenient_enum
class Origin(str, enum.Enum):
    """Where a profile was created or last modified from (read-only)."""

    API = "API"
    PORTAL = "PORTAL"
    WEB_SDK = "WEB_SDK"
    INTEGRATION = "INTEGRATION"
    PUSH = "PUSH"
    FACEBOOK = "FACEBOOK"
    LINE = "LINE"
    TELEGRAM = "TELEGRAM"
    SALESFORCE = "SALESFORCE"
    DYNAMICS = "DYNAMICS"
    ZAPIER = "ZAPIER"
    FORMS = "FORMS"
    COMPUTED = "COMPUTED"
    ANSWERS = "ANSWERS"
    CONVERSATIONS = "CONVERSATIONS"


#: A custom attribute value. On the wire: STRING, INTEGER, DECIMAL, BOOLEAN, DATE (``YYYY-MM-DD``),
#: DATE_TIME (``yyyy-MM-ddTHH:mm:ss``) and LIST_OF_OBJECTS (a list of dicts).
CustomAttributeValue = str | int | Decimal | bool | date | datetime | list[dict[str, Any]] | None


@positional_model
class EmailContact(Model):
    """One email address of a person."""

    address: str | None = None


@positional_model
class PhoneContact(Model):
    """One phone number of a person (E.164 digits)."""

    number: str | None = None


@model
class PushContact(Model):
    """A mobile or web push registration (read-only: the push SDKs create them)."""

    application_id: str | None = None
    registration_id: str | None = None
    is_primary: bool | None = None
    additional_data: dict[str, Any] | None = None
    system_data: dict[str, Any] | None = None


@model
class OttContact(Model):
    """A messaging-channel identity (WhatsApp, LINE, Telegram...): read-only."""

    application_id: str | None = None
    user_id: str | None = None
    system_data: dict[str, Any] | None = None


def _ro_list() -> Any:
    return attrs.field(default=None, metadata=_RO)


@model
class ContactInformation(Model):
    """A person's contacts. Only ``email`` and ``phone`` are writable; channels are read-only.

    ``ContactInformation.of(emails=["ada@example.com"], phones=["41793026727"])`` is the short form.
    """

    email: list[EmailContact] | None = None
    phone: list[PhoneContact] | None = None
    push: list[PushContact] | None = _ro_list()
    webpush: list[PushContact] | None = _ro_list()
    facebook: list[OttContact] | None = _ro_list()
    line: list[OttContact] | None = _ro_list()
    telegram: list[OttContact] | None = _ro_list()
    whatsapp: list[OttContact] | None = _ro_list()
    live_chat: list[OttContact] | None = _ro_list()
    viber_bots: list[OttContact] | None = _ro_list()
    instagram: list[OttContact] | None = _ro_list()
    instagram_dm: list[OttContact] | None = _ro_list()
    twitter: list[OttContact] | None = _ro_list()
    apple_business_chat: list[OttContact] | None = _ro_list()
    kakao_sangdam: list[OttContact] | None = _ro_list()
    open_channel: list[OttContact] | None = _ro_list()
    zalo_follower: list[OttContact] | None = _ro_list()
    tiktok_bm: list[OttContact] | None = _ro_list()

    @classmethod
    def of(
        cls, *, emails: Iterable[str] | None = None, phones: Iterable[str] | None = None
    ) -> ContactInformation:
        """Contacts from plain addresses and numbers; an argument left out is not sent."""
        kwargs: dict[str, Any] = {}
        if emails is not None:
            kwargs["email"] = [EmailContact(e) for e in emails]
        if phones is not None:
            kwargs["phone"] = [PhoneContact(p) for p in phones]
        return cls(**kwargs)

    @property
    def emails(self) -> list[str]:
        """The email addresses, as plain strings."""
        return [e.address for e in self.email or () if e.address]

    @property
    def phones(self) -> list[str]:
        """The phone numbers, as plain strings."""
        return [p.number for p in self.phone or () if p.number]


@model
class Person(Model):
    """A customer profile (``nick_name`` only travels on the v3 upsert and merge calls).

    Example::

        Person(
            external_id="crm-1",
            first_name="Ada",
            contact_information=ContactInformation.of(emails=["ada@example.com"]),
            tags=["VIP"],
            custom_attributes={"Plan": "gold", "Renewal": date(2026, 1, 31)},
        )

    Read-only fields (``id``, timestamps, ``origin``, ``computed_attributes``...) are filled by the
    service and never sent.
    """

    id: int | None = attrs.field(default=None, metadata=_RO)
    external_id: str | None = None
    type: PersonType | str | None = None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    nick_name: str | None = None
    gender: Gender | str | None = None
    birth_date: date | None = None
    preferred_language: str | None = None
    profile_picture: str | None = None
    address: str | None = None
    city: str | None = None
    country: str | None = None
    tags: list[str] | None = None
    custom_attributes: dict[str, Any] | None = None
    contact_information: ContactInformation | None = None
    computed_attributes: dict[str, Any] | None = attrs.field(default=None, metadata=_RO)
    integrations: dict[str, Any] | None = attrs.field(default=None, metadata=_RO)
    origin: Origin | str | None = attrs.field(default=None, metadata=_RO)
    modified_from: Origin | str | None = attrs.field(default=None, metadata=_RO)
    created_at: datetime | None = attrs.field(default=None, metadata=_RO)
    modified_at: datetime | None = attrs.field(default=None, metadata=_RO)

    @property
    def emails(self) -> list[str]:
        """The person's email addresses."""
        return self.contact_information.emails if self.contact_information else []

    @property
    def phones(self) -> list[str]:
        """The person's phone numbers."""
        return self.contact_information.phones if self.contact_information else []

    def ref(self) -> PersonRef:
        """A :class:`PersonRef` for this stored person (by id)."""
        if not self.id:
            raise ValueError("this person has no id yet: create it first")
        return PersonRef.id(self.id)


@model
class StoredPerson(Person):
    """A person as the service returns it: ``id`` is always there, and ``tags`` and
    ``custom_attributes`` read as empty when the person has none.

    It is a :class:`Person` (send it back changed, or use it wherever a person is taken); only
    the types are narrower, so code reading a fetched person needs no ``None`` checks for these.
    """

    id: int = attrs.field(metadata=_RO)
    tags: list[str] = attrs.field(factory=list)
    custom_attributes: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class PersonUpdate:
    """One item of :meth:`people.update_many`: which person, and what to change (PATCH semantics)."""

    ref: PersonRef
    person: Person


# -- batch outcomes ------------------------------------------------------------------------------

_Item = TypeVar("_Item")


class _Outcomes(Sequence[_Item]):
    """What every batch result is as a sequence: its ``items``, one per input, in input order."""

    __slots__ = ()
    items: Sequence[_Item]

    def __getitem__(self, index: Any) -> Any:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[_Item]:
        return iter(self.items)


@attrs.frozen
class BatchItemResult:
    """The outcome of one input item of a batch call.

    ``index`` is the item's position in *your* input (across all the requests a ``*_many`` call
    made). ``status`` is the per-item HTTP-like status (200 for success, 409 and so on for failures).
    """

    index: int
    ok: bool
    status: int
    errors: tuple[str, ...] = ()
    id: int | None = None
    query: PersonRef | dict[str, Any] | None = None
    is_modified: bool | None = None
    #: The request carrying this item failed in a way that leaves open whether the service applied
    #: it (the connection dropped after sending, a timeout, a 5xx). ``ok`` is ``False`` but the
    #: item may have been applied; ``error`` says what happened. See ``docs/batches.md``.
    unknown: bool = False
    #: The error of the whole request when that is why this item did not succeed, else ``None``.
    error: ProfilesError | None = attrs.field(default=None, eq=False, repr=False)

    def __str__(self) -> str:
        return describe_outcome(self, f"status {self.status}")


@attrs.frozen
class BatchResult(_Outcomes[BatchItemResult]):
    """One outcome per input item, in input order: nothing is silently dropped.

    ``items`` is a tuple, or (from the ``*_many`` calls) a compact sequence that stores plain
    successes as columns and builds each outcome when read; both compare equal item by item.
    """

    items: Sequence[BatchItemResult]

    @property
    def succeeded(self) -> list[BatchItemResult]:
        """The items that were applied."""
        return [i for i in self.items if i.ok]

    @property
    def failed(self) -> list[BatchItemResult]:
        """The items that did not succeed, each with its status and errors (``unknown`` ones
        included: they are not known to have been applied)."""
        return _not_ok(self.items)

    @property
    def unknown(self) -> list[BatchItemResult]:
        """The items whose request failed in a way that leaves open whether they were applied."""
        return [i for i in _kept(self.items) if i.unknown]

    @property
    def ok(self) -> bool:
        """True when every item was applied."""
        return not _not_ok(self.items)


@lenient_enum
class UpsertStatus(str, enum.Enum):
    """What an upsert did with one person."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    NOT_MODIFIED = "NOT_MODIFIED"


@attrs.frozen
class UpsertItemResult:
    """The outcome of one upserted person: its ``id`` and ``status``, or the ``errors``."""

    index: int
    ok: bool
    id: int | None = None
    status: UpsertStatus | str | None = None
    code: str | None = None
    errors: tuple[str, ...] = ()
    #: ``(property, message)`` pairs of a failed item: which field the service refused and why.
    details: tuple[tuple[str, str], ...] = ()
    #: The request carrying this item failed in a way that leaves open whether the service applied
    #: it (the connection dropped after sending, a timeout, a 5xx). ``ok`` is ``False`` but the
    #: item may have been applied; ``error`` says what happened. See ``docs/batches.md``.
    unknown: bool = False
    #: The error of the whole request when that is why this item did not succeed, else ``None``.
    error: ProfilesError | None = attrs.field(default=None, eq=False, repr=False)

    def __str__(self) -> str:
        status = getattr(self.status, "value", self.status)
        return describe_outcome(self, f"{status} id={self.id}" if self.ok else self.code)


@attrs.frozen(kw_only=True)
class UpsertedPerson(UpsertItemResult):
    """What :meth:`people.upsert` returns: a refused person raises instead, so ``id`` and
    ``status`` (CREATED, UPDATED or NOT_MODIFIED) are always there."""

    id: int
    status: UpsertStatus | str


@attrs.frozen
class UpsertResult(_Outcomes[UpsertItemResult]):
    """One outcome per input person, in input order.

    ``items`` is a tuple, or (from ``upsert_many``) a compact sequence that stores plain
    successes as columns and builds each outcome when read; both compare equal item by item.
    """

    items: Sequence[UpsertItemResult]

    def count(self, status: UpsertStatus | str | None = None) -> int:
        """How many items ended with ``status`` (or, with no argument, how many failed)."""
        if status is None:
            return len(_not_ok(self.items))
        fast = getattr(self.items, "count_status", None)
        if fast is not None:
            return int(fast(status))
        return sum(1 for i in self.items if i.ok and i.status == status)

    @property
    def created(self) -> int:
        """How many persons were created."""
        return self.count(UpsertStatus.CREATED)

    @property
    def updated(self) -> int:
        """How many persons were updated."""
        return self.count(UpsertStatus.UPDATED)

    @property
    def not_modified(self) -> int:
        """How many persons matched and needed no change."""
        return self.count(UpsertStatus.NOT_MODIFIED)

    @property
    def failed(self) -> list[UpsertItemResult]:
        """The items that did not succeed (``unknown`` ones included), each with its errors."""
        return _not_ok(self.items)

    @property
    def unknown(self) -> list[UpsertItemResult]:
        """The items whose request failed in a way that leaves open whether they were applied."""
        return [i for i in _not_ok(self.items) if i.unknown]

    @property
    def ok(self) -> bool:
        """True when no item failed."""
        return not _not_ok(self.items)


@attrs.frozen
class MatchResult:
    """One identity that matched a person."""

    person_id: int
    ref: PersonRef


@attrs.frozen
class MergeItemResult:
    """The outcome of one merge item: the surviving person's ``id``, or the errors."""

    index: int
    ok: bool
    id: int | None = None
    code: str | None = None
    errors: tuple[str, ...] = ()
    #: ``(property, message)`` pairs of a failed item: which field the service refused and why.
    details: tuple[tuple[str, str], ...] = ()
    #: The request carrying this item failed in a way that leaves open whether the service applied
    #: it (the connection dropped after sending, a timeout, a 5xx). ``ok`` is ``False`` but the
    #: item may have been applied; ``error`` says what happened. See ``docs/batches.md``.
    unknown: bool = False
    #: The error of the whole request when that is why this item did not succeed, else ``None``.
    error: ProfilesError | None = attrs.field(default=None, eq=False, repr=False)

    def __str__(self) -> str:
        return describe_outcome(self, f"id={self.id}" if self.ok else self.code)


@attrs.frozen
class MergeResult(_Outcomes[MergeItemResult]):
    """One outcome per merge item, in input order (``items``: as in :class:`UpsertResult`)."""

    items: Sequence[MergeItemResult]

    @property
    def ok(self) -> bool:
        """True when every item merged."""
        return not _not_ok(self.items)

    @property
    def failed(self) -> list[MergeItemResult]:
        """The items that did not merge (``unknown`` ones included), each with its errors."""
        return _not_ok(self.items)

    @property
    def unknown(self) -> list[MergeItemResult]:
        """The items whose request failed in a way that leaves open whether they were applied."""
        return [i for i in _not_ok(self.items) if i.unknown]


def _not_ok(items: Sequence[Any]) -> list[Any]:
    """The items that are not ok, in order (a compact sequence finds them without building the
    others)."""
    fast = getattr(items, "not_ok", None)
    if fast is not None:
        return list(fast())
    return [i for i in items if not i.ok]


def _kept(items: Sequence[Any]) -> Sequence[Any]:
    """The items a compact sequence keeps in full (every unusual one), else all of them."""
    fast = getattr(items, "kept", None)
    return list(fast()) if fast is not None else items


def describe_outcome(item: Any, what: str | None) -> str:
    """One line for a batch outcome: ``item 3: failed (409100): message; email: bad value``."""
    if item.ok:
        return f"item {item.index}: ok" + (f" ({what})" if what else "")
    head = f"item {item.index}: " + ("may have been applied" if item.unknown else "failed")
    if what:
        head += f" ({what})"
    prefix = "may have been applied: "
    parts = [
        *(e[len(prefix) :] if item.unknown and e.startswith(prefix) else e for e in item.errors),
        *(f"{prop}: {msg}" if prop else msg for prop, msg in getattr(item, "details", ())),
    ]
    if item.error is not None and not item.errors:
        parts.append(str(item.error))
    return head + (": " + "; ".join(parts) if parts else "")
