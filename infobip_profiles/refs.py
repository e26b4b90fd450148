"""Addressing one person or one company, as the API's ``identifier`` + ``type`` (+ ``sender``)."""

from __future__ import annotations

import enum
from typing import Any

import attrs

from .errors import ValidationError

__all__ = ["IdentifierType", "PersonRef", "CompanyRef", "CompanySelector", "CHANNEL_CONTACT_KEYS"]


class IdentifierType(str, enum.Enum):
    """How a person is identified: the kind of identifier."""

    ID = "ID"
    EXTERNAL_ID = "EXTERNAL_ID"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    PUSH = "PUSH"
    WEB_PUSH = "WEB_PUSH"
    FACEBOOK = "FACEBOOK"
    LINE = "LINE"
    TELEGRAM = "TELEGRAM"
    WHATSAPP = "WHATSAPP"
    LIVE_CHAT = "LIVE_CHAT"
    VIBER_BOTS = "VIBER_BOTS"
    INSTAGRAM = "INSTAGRAM"
    INSTAGRAM_DM = "INSTAGRAM_DM"
    TWITTER = "TWITTER"
    APPLE_BUSINESS_CHAT = "APPLE_BUSINESS_CHAT"
    KAKAO_SANGDAM = "KAKAO_SANGDAM"
    KAKAO_TALK = "KAKAO_TALK"
    OPEN_CHANNEL = "OPEN_CHANNEL"
    ZALO_FOLLOWER = "ZALO_FOLLOWER"
    TIKTOK_BM = "TIKTOK_BM"

    @property
    def needs_sender(self) -> bool:
        """Channel types need a ``sender`` (the application or sender id); the four basic ones don't."""
        return self not in _BASIC


_BASIC = frozenset(
    {IdentifierType.ID, IdentifierType.EXTERNAL_ID, IdentifierType.PHONE, IdentifierType.EMAIL}
)

CHANNEL_CONTACT_KEYS: dict[str, str] = {
    "PUSH": "push",
    "WEB_PUSH": "webpush",
    "FACEBOOK": "facebook",
    "LINE": "line",
    "TELEGRAM": "telegram",
    "WHATSAPP": "whatsapp",
    "LIVE_CHAT": "liveChat",
    "VIBER_BOTS": "viberBots",
    "INSTAGRAM": "instagram",
    "INSTAGRAM_DM": "instagramDm",
    "TWITTER": "twitter",
    "APPLE_BUSINESS_CHAT": "appleBusinessChat",
    "KAKAO_SANGDAM": "kakaoSangdam",
    "KAKAO_TALK": "",
    "OPEN_CHANNEL": "openChannel",
    "ZALO_FOLLOWER": "zaloFollower",
    "TIKTOK_BM": "tiktokBm",
}
"""Each channel identifier type and the v2 ``contactInformation`` key its contacts are listed
under (``""``: the channel has no v2 list). The v3 endpoints carry the same contacts as an array
of ``{type, identifier, sender}``."""


@attrs.frozen
class PersonRef:
    """One person, addressed by an identifier.

    Build it with a constructor that says what the identifier is::

        PersonRef.id(42)
        PersonRef.external_id("crm-1")
        PersonRef.email("ada@example.com")
        PersonRef.phone("41793026727")
        PersonRef.channel(IdentifierType.LINE, "U4af4980629...", sender="1657...")

    An empty identifier, an unknown type, or a channel type without ``sender`` is a
    :class:`~infobip_profiles.ValidationError` (a ``ValueError``) here, before any request.
    """

    identifier: str
    type: IdentifierType
    sender: str | None = None

    def __attrs_post_init__(self) -> None:
        try:
            object.__setattr__(self, "type", IdentifierType(self.type))
        except ValueError:
            raise ValidationError(f"unknown identifier type {self.type!r}", field="type") from None
        if not self.identifier:
            raise ValidationError("a person identifier must not be empty", field="identifier")
        if self.type.needs_sender and not self.sender:
            raise ValidationError(
                f"identifier type {self.type.value} needs a sender", field="sender"
            )

    @classmethod
    def id(cls, person_id: int | str) -> PersonRef:
        """The person with this Customer Profiles id."""
        return cls(str(person_id), IdentifierType.ID)

    @classmethod
    def external_id(cls, external_id: str) -> PersonRef:
        """The person with this external id (your system's key; case-sensitive)."""
        return cls(external_id, IdentifierType.EXTERNAL_ID)

    @classmethod
    def email(cls, address: str) -> PersonRef:
        """The person holding this email address (matched ignoring case)."""
        return cls(address, IdentifierType.EMAIL)

    @classmethod
    def phone(cls, number: str) -> PersonRef:
        """The person holding this phone number (E.164 digits, e.g. ``41793026727``)."""
        return cls(number, IdentifierType.PHONE)

    @classmethod
    def channel(
        cls, type: IdentifierType | str, identifier: str, *, sender: str | None = None
    ) -> PersonRef:
        """The person behind a channel identity (LINE, WhatsApp, push...); ``sender`` required."""
        return cls(identifier, IdentifierType(type), sender)

    def query(self) -> list[tuple[str, str]]:
        """The ``identifier``/``type``/``sender`` query parameters."""
        params = [("identifier", self.identifier), ("type", self.type.value)]
        if self.sender is not None:
            params.append(("sender", self.sender))
        return params

    def to_wire(self) -> dict[str, Any]:
        """The wire form of a person query: ``{"identifier", "type", "sender"?}``."""
        body: dict[str, Any] = {"identifier": self.identifier, "type": self.type.value}
        if self.sender is not None:
            body["sender"] = self.sender
        return body

    @classmethod
    def from_wire(cls, data: Any) -> PersonRef:
        """Parse a person query's wire form back (used to map batch results to inputs)."""
        return cls(
            str(data.get("identifier", "")), IdentifierType(data["type"]), data.get("sender")
        )

    def __str__(self) -> str:
        sender = f"@{self.sender}" if self.sender else ""
        return f"{self.type.value}:{self.identifier}{sender}"


class CompanySelector(str, enum.Enum):
    """How a company is addressed: exactly one of these query parameters."""

    ID = "id"
    EXTERNAL_ID = "externalId"
    NAME = "name"
    DOMAIN = "domain"


@attrs.frozen
class CompanyRef:
    """One company, addressed by exactly one selector::

    CompanyRef.id(7), CompanyRef.external_id("acct-9"), CompanyRef.name("Acme"),
    CompanyRef.domain("acme.com")
    """

    selector: CompanySelector
    value: str

    def __attrs_post_init__(self) -> None:
        if not self.value:
            raise ValidationError("a company selector value must not be empty", field="value")

    @classmethod
    def id(cls, company_id: int | str) -> CompanyRef:
        """The company with this id."""
        return cls(CompanySelector.ID, str(company_id))

    @classmethod
    def external_id(cls, external_id: str) -> CompanyRef:
        """The company with this external id."""
        return cls(CompanySelector.EXTERNAL_ID, external_id)

    @classmethod
    def name(cls, name: str) -> CompanyRef:
        """The company with this name (names are unique ignoring case)."""
        return cls(CompanySelector.NAME, name)

    @classmethod
    def domain(cls, domain: str) -> CompanyRef:
        """The company owning this domain."""
        return cls(CompanySelector.DOMAIN, domain)

    def query(self) -> list[tuple[str, str]]:
        """The one selector as a query parameter."""
        return [(self.selector.value, self.value)]

    def to_wire(self) -> dict[str, Any]:
        """The wire form of a company query."""
        return {self.selector.value: int(self.value) if self._numeric_id else self.value}

    @property
    def _numeric_id(self) -> bool:
        return self.selector is CompanySelector.ID and self.value.isdigit()

    def __str__(self) -> str:
        return f"{self.selector.value}:{self.value}"
