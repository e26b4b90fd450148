"""What an engine refuses, in the domain's terms: no envelopes, no bodies.

Engines raise these; the handler boundary (:func:`~infobip_profiles.testing._router.handles`)
renders each in the error envelope of the operation being served, which the operations table
names once per operation. A refusal changes nothing in the state.

Four kinds, each with what the service needs to say about it (and the status the service gives
the kind, where an envelope does not fix one):

* :class:`Invalid` (400): the request breaks a rule; ``fields`` say which field and why.
* :class:`NotFound` (404): what the request names does not exist (``what`` says which kind).
* :class:`Conflict` (409): the request clashes with what is stored (a taken unique value, a
  finished export).
* :class:`LimitReached` (429): the tenant has too much in progress to accept more.

A rule the service answers differently from its kind is classified by the answer: a taken tag or
custom attribute name is a 400 there, so the engines raise :class:`Invalid` for it.

Families that number their errors get the number as ``code`` (the lists family's ``400116``, the
push family's ``48001``); a family that lists per-item problems gets them as ``details``. The
renderer uses what its envelope has room for and ignores the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from .._messages import MSG

__all__ = [
    "DomainError",
    "Invalid",
    "NotFound",
    "Conflict",
    "LimitReached",
    "FieldErrors",
]

FieldErrors = Mapping[str, Sequence[str]] | Iterable[tuple[str, str]]
"""Which field broke which rule: ``{field: [reason, ...]}`` or ``(field, reason)`` pairs in order."""


class DomainError(Exception):
    """An engine refused a request; the handler boundary renders it for the wire.

    ``message`` is the service's text for the refusal (``None``: the family's generic text);
    ``code`` the number of families that number their errors; ``fields`` the per-field reasons;
    ``details`` per-item problems of a batch, each a mapping the batch family renders as is.
    """

    status: ClassVar[int] = 400
    """The HTTP status this kind of refusal has wherever the envelope does not fix one."""

    def __init__(
        self,
        message: str | None = None,
        *,
        code: int | str | None = None,
        fields: FieldErrors | None = None,
        details: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(message or type(self).__name__)
        self.message = message
        self.code = code
        self.violations: tuple[tuple[str, str], ...] = _pairs(fields)
        self.details: tuple[Mapping[str, Any], ...] | None = (
            None if details is None else tuple(details)
        )

    @property
    def fields(self) -> dict[str, list[str]]:
        """The per-field reasons grouped by field, fields in the order first named."""
        grouped: dict[str, list[str]] = {}
        for field, reason in self.violations:
            grouped.setdefault(field, []).append(reason)
        return grouped

    def describe(self) -> str:
        """The refusal in one line: its text, then each field's reasons
        (``field: reason, reason; ...``), as the v2 envelope would say it."""
        text = self.message or (MSG.BAD_REQUEST if isinstance(self, Invalid) else "")
        if self.violations:
            text += " " + "; ".join(f"{k}: {', '.join(v)}" for k, v in self.fields.items())
        return text.strip() or type(self).__name__


class Invalid(DomainError):
    """The request breaks a rule of the API (a field missing, malformed, out of range)."""

    status = 400


class NotFound(DomainError):
    """What the request names does not exist; ``what`` names its kind (``"person"``, ...)."""

    status = 404

    def __init__(
        self,
        what: str,
        message: str | None = None,
        *,
        code: int | str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.what = what


class Conflict(DomainError):
    """The request clashes with the stored state (a unique value taken, a finished request)."""

    status = 409


class LimitReached(DomainError):
    """The tenant has as much in progress as the service allows; later, the request may pass."""

    status = 429


def _pairs(fields: FieldErrors | None) -> tuple[tuple[str, str], ...]:
    if not fields:
        return ()
    if isinstance(fields, Mapping):
        return tuple((str(k), str(r)) for k, reasons in fields.items() for r in reasons)
    return tuple((str(k), str(r)) for k, r in fields)
