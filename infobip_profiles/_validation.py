"""Client-side checks where the API's rule is certain: each a clear error before any request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._operations import (
    ATTRIBUTE_VALUE_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    MAX_CONTACTS,
    PERSON_MAX_LENGTHS,
    PHONE_MAX_LENGTH,
)
from .errors import ValidationError

__all__ = ["check_person", "FORBIDDEN_NAME_CHARACTERS", "MAX_CONTACTS", "PERSON_MAX_LENGTHS"]

#: Characters the service refuses in first, last, middle and nick names.
FORBIDDEN_NAME_CHARACTERS = frozenset('&<>"/\\\n\r:(){}=;#')
#: Longest text value of a custom attribute (from the spec, via ``_operations``).
MAX_ATTRIBUTE_TEXT = ATTRIBUTE_VALUE_MAX_LENGTH
_NAME_FIELDS = ("firstName", "lastName", "middleName", "nickName")


def check_person(body: Mapping[str, Any], *, v3: bool = False) -> None:
    """Validate a person's wire body (v2 shape) before it is sent; raise :class:`ValidationError`."""
    if not v3 and body.get("nickName") is not None:
        raise ValidationError(
            "nick_name is only accepted by the v3 calls (upsert_many, merge)", field="nickName"
        )
    for field, limit in PERSON_MAX_LENGTHS.items():
        value = body.get(field)
        if isinstance(value, str) and len(value) > limit:
            raise ValidationError(
                f"{field} is {len(value)} characters long; the limit is {limit}", field=field
            )
    for field in _NAME_FIELDS:
        value = body.get(field)
        if isinstance(value, str) and not FORBIDDEN_NAME_CHARACTERS.isdisjoint(value):
            bad = sorted(set(value) & FORBIDDEN_NAME_CHARACTERS)
            if bad:
                shown = " ".join(repr(c) for c in bad)
                raise ValidationError(
                    f"{field} contains forbidden characters: {shown}", field=field
                )
    contacts = body.get("contactInformation")
    if isinstance(contacts, Mapping):
        check_contacts(contacts)
    attributes = body.get("customAttributes")
    if isinstance(attributes, Mapping):
        for name, value in attributes.items():
            if type(value) not in _PLAIN_VALUES:
                _refuse_append(name, value)
            if isinstance(value, str) and len(value) > MAX_ATTRIBUTE_TEXT:
                raise ValidationError(
                    f"custom attribute {name!r} is {len(value)} characters long; "
                    f"the limit is {MAX_ATTRIBUTE_TEXT}",
                    field=f"customAttributes.{name}",
                )


_PLAIN_VALUES = frozenset({str, int, float, bool, type(None), list, dict})


def _refuse_append(name: str, value: Any) -> None:
    """An ``Append`` reaching an encoder: only create, update and replace take it out first."""
    from .lists_ops import Append

    if isinstance(value, Append):
        raise ValidationError(
            f"custom attribute {name!r}: this call cannot append to a list; use "
            "people.create, people.update or people.replace, or a plain list (which overwrites)",
            field=f"customAttributes.{name}",
        )


def check_contacts(contacts: Mapping[str, Any]) -> None:
    """At most :data:`MAX_CONTACTS` emails and as many phones, each no longer than the spec allows."""
    for kind, key, limit in (
        ("email", "address", EMAIL_MAX_LENGTH),
        ("phone", "number", PHONE_MAX_LENGTH),
    ):
        items = contacts.get(kind) or []
        if len(items) > MAX_CONTACTS:
            raise ValidationError(
                f"a person holds at most {MAX_CONTACTS} {kind} contacts, got {len(items)}",
                field=f"contactInformation.{kind}",
            )
        for item in items:
            value = item.get(key) if type(item) is dict or isinstance(item, Mapping) else None
            if isinstance(value, str) and len(value) > limit:
                raise ValidationError(
                    f"{kind} {key} is {len(value)} characters long; the limit is {limit}",
                    field=f"contactInformation.{kind}",
                )
