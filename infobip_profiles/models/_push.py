"""Models of the push contact operations: a device registration and the personalize (login) call.

The mobile SDKs create registrations; the API reads and edits them (``push.get``/``push.update``),
ties them to a person (``push.personalize``, the login) and unties them (``push.depersonalize``,
the logout).
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

import attrs

from .._converter import Model, lenient_enum, model
from ._people import EmailContact, Gender, PhoneContact

__all__ = [
    "CloudType",
    "OperatingSystem",
    "PushSystemData",
    "PushInstance",
    "PersonalizeIdentity",
    "PersonalizeAttributes",
    "PushUser",
    "PersonalizedContacts",
    "PersonalizedUser",
]

_RO = {"read_only": True}


def _ro() -> Any:
    return attrs.field(default=None, metadata=_RO)


@lenient_enum
class CloudType(str, enum.Enum):
    """The push cloud a registration belongs to."""

    GCM = "GCM"
    APNS = "APNS"
    HMS = "HMS"
    WEB = "WEB"


@lenient_enum
class OperatingSystem(str, enum.Enum):
    """The device's operating system, as the mobile SDK reports it."""

    ANDROID = "Android"
    IOS = "iOS"


@model
class PushSystemData(Model):
    """Push-specific facts about a device. Only ``registration_enabled`` can be changed."""

    cloud_type: CloudType | str | None = _ro()
    registration_enabled: bool | None = None
    notifications_enabled: bool | None = _ro()
    geofencing_sdk: bool | None = _ro()
    sdk_version: str | None = _ro()
    app_version: str | None = _ro()
    os: OperatingSystem | str | None = _ro()
    os_version: str | None = _ro()
    device_manufacturer: str | None = _ro()
    device_model: str | None = _ro()
    device_secure: bool | None = _ro()
    os_language: str | None = _ro()
    device_timezone_offset: str | None = _ro()
    device_name: str | None = _ro()


@model
class PushInstance(Model):
    """One push registration (a mobile or web device).

    ``push.update`` sends only what you set among ``is_primary``, ``system_data.registration_enabled``
    and ``additional_data`` (merged into the stored custom data). Example::

        client.push.update(reg_id, "app-code", PushInstance(is_primary=True,
                                                            additional_data={"plan": "gold"}))
    """

    registration_id: str | None = _ro()
    application_id: str | None = _ro()
    is_primary: bool | None = None
    additional_data: dict[str, Any] | None = None
    system_data: PushSystemData | None = None


@model
class PersonalizeIdentity(Model):
    """Who the device's user is: at least one of external id, email and phone number."""

    external_id: str | None = None
    email: str | None = None
    phone_number: str | None = None


@model
class PersonalizeAttributes(Model):
    """Data written to the person the device is personalized with."""

    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birthday: date | None = None
    gender: Gender | str | None = None
    custom_attributes: dict[str, Any] | None = None
    tags: list[str] | None = None


@model
class PushUser(Model):
    """The body of ``push.personalize``: the user's identity and, optionally, attributes to write.

    Example::

        PushUser.of(email="ada@example.com", attributes=PersonalizeAttributes(first_name="Ada"))
    """

    identity: PersonalizeIdentity
    attributes: PersonalizeAttributes | None = None

    @classmethod
    def of(
        cls,
        *,
        external_id: str | None = None,
        email: str | None = None,
        phone_number: str | None = None,
        attributes: PersonalizeAttributes | None = None,
    ) -> PushUser:
        """A user from plain identity values; the ones left ``None`` are not sent."""
        given = {
            "external_id": external_id,
            "email": email,
            "phone_number": phone_number,
        }
        identity = PersonalizeIdentity(**{k: v for k, v in given.items() if v is not None})
        if attributes is None:
            return cls(identity=identity)
        return cls(identity=identity, attributes=attributes)


@model
class PersonalizedContacts(Model):
    """The contacts in a personalize response: note the plural names ``phones`` and ``emails``."""

    phones: list[PhoneContact] | None = None
    emails: list[EmailContact] | None = None
    push: list[PushInstance] | None = None


@model
class PersonalizedUser(Model):
    """What ``push.personalize`` answers: the person the device now belongs to.

    ``contact_information.push`` is filled only when you asked for ``return_push=True``.
    """

    external_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birthday: date | None = None
    gender: Gender | str | None = None
    custom_attributes: dict[str, Any] | None = None
    tags: list[str] | None = None
    contact_information: PersonalizedContacts | None = None

    @property
    def emails(self) -> list[str]:
        """The person's email addresses, as plain strings."""
        ci = self.contact_information
        return [e.address for e in (ci.emails if ci else None) or () if e.address]

    @property
    def phones(self) -> list[str]:
        """The person's phone numbers, as plain strings."""
        ci = self.contact_information
        return [p.number for p in (ci.phones if ci else None) or () if p.number]

    @property
    def push(self) -> list[PushInstance]:
        """The person's push registrations (empty unless ``return_push=True`` was asked)."""
        ci = self.contact_information
        return list((ci.push if ci else None) or ())
