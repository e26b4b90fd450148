"""Reading computed attributes typed.

A person's ``computed_attributes`` arrive as JSON values: counts and sums as numbers, first/last
occurrences as ``yyyy-MM-ddTHH:mm:ss`` text (UTC), formulas and most common values as whatever
they hold, ``None`` when the person has no data for one yet. :class:`ComputedAttributes` reads
them as the type you ask for, so code using them type-checks and never guesses::

    computed = ComputedAttributes.of(client.people.get(ref))
    computed.datetime("lastSeen")        # datetime(2026, 3, 1, 9, 30, 15, tzinfo=utc) or None
    computed.number("sessions")          # 12 (int), or Decimal("19.90") for a decimal sum
    computed.text("fullName")            # "Jane Smith"

A value that is not of the asked type raises :class:`ValueError` naming the attribute; a name the
person does not have raises :class:`KeyError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from ._converter import parse_datetime

__all__ = ["ComputedAttributes"]


class ComputedAttributes(Mapping[str, Any]):
    """A read-only mapping of computed attribute values with typed accessors."""

    def __init__(self, values: Mapping[str, Any] | None) -> None:
        self._values = dict(values or {})

    @classmethod
    def of(cls, person: Any) -> ComputedAttributes:
        """The computed attributes of a :class:`~infobip_profiles.Person` (or an export)."""
        return cls(getattr(person, "computed_attributes", None))

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"ComputedAttributes({self._values!r})"

    def _wrong(self, name: str, value: Any, kind: str) -> ValueError:
        return ValueError(f"computed attribute {name!r} is {value!r}, not {kind}")

    def datetime(self, name: str) -> datetime | None:
        """A first/last occurrence as an aware UTC datetime (``None``: no such event yet)."""
        value = self._values[name]
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._wrong(name, value, "a timestamp")
        try:
            return parse_datetime(value)
        except ValueError:
            raise self._wrong(name, value, "a timestamp") from None

    def number(self, name: str) -> int | Decimal | None:
        """A count, sum, average, minimum or maximum: ``int`` when whole, else ``Decimal``."""
        value = self._values[name]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise self._wrong(name, value, "a number")
        if isinstance(value, int):
            return value
        exact = Decimal(str(value)) if isinstance(value, float) else value
        return int(exact) if exact == exact.to_integral_value() else exact

    def text(self, name: str) -> str | None:
        """A formula's or a most common value's text."""
        value = self._values[name]
        if value is None or isinstance(value, str):
            return value
        raise self._wrong(name, value, "text")

    def boolean(self, name: str) -> bool | None:
        """A most common value of a Boolean property."""
        value = self._values[name]
        if value is None or isinstance(value, bool):
            return value
        raise self._wrong(name, value, "a boolean")
