"""The exception hierarchy, and the one place that turns an error response into an exception.

Every error body the API uses (six envelopes) becomes an :class:`APIError`
with ``status_code``, ``message_id``, ``text`` and ``validation_errors``; a body that is none of them
(an HTML page from a proxy, an empty body) still does, with a short snippet as ``text``.
"""

from __future__ import annotations

import copy
import email.utils
import json
import math
import time
from collections.abc import Mapping
from typing import Any

from typing_extensions import Self

__all__ = [
    "ProfilesError",
    "ConfigurationError",
    "ValidationError",
    "APIError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "APIConnectionError",
    "APITimeoutError",
    "UnexpectedResponseError",
    "error_from_response",
    "parse_retry_after",
    "PartialBatchError",
]

_SNIPPET = 200


class ProfilesError(Exception):
    """Root of every exception this package raises."""

    def __reduce__(self) -> Any:
        # Exceptions pickle by re-calling __init__ with ``args``; ours take other arguments, so
        # rebuild from the attributes instead (pytest-xdist, multiprocessing and logging queues
        # pickle errors). The live ``httpx.Response`` is left behind.
        state = {k: v for k, v in self.__dict__.items() if k != "response"}
        return _restore, (type(self), self.args, state)


def _restore(cls: type[ProfilesError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ConfigurationError(ProfilesError):
    """The client is set up wrongly (a missing API key, a malformed base URL)."""


class ValidationError(ProfilesError, ValueError):
    """Input the API would certainly reject, caught before any request was sent.

    ``field`` names the offending field (wire name) where there is one; ``index`` the position of
    the offending item in what a many-items call (``create_many``, ``upsert_many``...) was given.
    """

    def __init__(self, message: str, *, field: str | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.index = index

    def at(self, index: int) -> Self:
        """The same error, placed at item ``index`` of a many-items call (named in the message).

        The copy keeps the error's class and attributes (a ``SchemaValidationError`` keeps its
        ``property`` and ``rule``).
        """
        placed = copy.copy(self)
        placed.args = (f"item {index}: {self}",)
        placed.index = index
        return placed


class APIError(ProfilesError):
    """The API answered with an error status.

    Attributes:
        status_code: the HTTP status.
        message_id: the envelope's code (``BAD_REQUEST``, ``400103``, ``E404``...), or ``None``.
        text: the envelope's human-readable message, or a snippet of a body we could not parse.
        validation_errors: field name to messages, from whichever envelope carried them.
        body: the decoded JSON body, or ``None``.
        headers: the response headers.
        response: the ``httpx.Response`` it came from (``None`` when built by hand).
        retries_taken: how many times the request was replayed before this error.
    """

    #: The ``httpx.Response`` behind the error, set by the client.
    response: Any = None
    #: How many replays of the request preceded this error (set by the client).
    retries_taken: int = 0

    def __init__(
        self,
        status_code: int,
        message_id: str | None,
        text: str,
        validation_errors: Mapping[str, list[str]] | None = None,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.message_id = message_id
        self.text = text
        self.validation_errors: dict[str, list[str]] = dict(validation_errors or {})
        self.body = body
        self.headers: dict[str, str] = dict(headers or {})
        self.method = method
        self.path = path
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f" ({self.method} {self.path})" if self.method and self.path else ""
        code = f" {self.message_id}" if self.message_id else ""
        parts = [f"{self.status_code}{code}: {self.text}{where}"]
        for field, messages in self.validation_errors.items():
            parts.append(f"  {field}: {'; '.join(messages)}")
        # The package's fake answers a refused credential with the service's own 401 body and
        # says how to be accepted in this header; show it where a test's failure is read.
        hint = next((v for k, v in self.headers.items() if k.lower() == "x-fake-hint"), None)
        if hint:
            parts.append(f"  fake: {hint}")
        return "\n".join(parts)


class BadRequestError(APIError):
    """400: the request was invalid; nothing was changed."""


class AuthenticationError(APIError):
    """401: the API key is missing or wrong."""


class PermissionDeniedError(APIError):
    """403: the API key lacks the scope this operation needs."""


class NotFoundError(APIError):
    """404: the person, company, tag... does not exist."""


class ConflictError(APIError):
    """409: the write collides with existing data (a taken email, an existing id)."""


class RateLimitError(APIError):
    """429: too many requests. ``retry_after`` is the server's advice in seconds, if it gave one."""

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked us to wait (``Retry-After``), or ``None``."""
        return parse_retry_after(self.headers)


class ServerError(APIError):
    """5xx: the service failed; the request may or may not have been applied."""


class UnexpectedResponseError(APIError):
    """The server answered, but not with anything the client can turn into the promised value.

    Raised for a success status whose body is not JSON (an HTML page from a proxy, bad UTF-8,
    JSON nested too deep to parse), JSON of the wrong shape (a list where an object is due, an
    object without the fields the service always returns, a page longer than the page size
    asked for), and for any body larger than the client's ``max_response_bytes``. What may have
    been applied on the server is unknown for a write: check before repeating it.

    Attributes:
        status_code: the HTTP status of the answer.
        operation_id: the operation called (its operationId), where known.
        excerpt: the start of the body, whitespace folded and credentials redacted (at most
            200 characters; ``""`` when the body was not kept, as for an oversized one).
        text: what was wrong with the answer.
    """

    def __init__(
        self,
        status_code: int,
        text: str,
        *,
        operation_id: str | None = None,
        excerpt: str = "",
        headers: Mapping[str, str] | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.operation_id = operation_id
        self.excerpt = excerpt
        super().__init__(status_code, None, text, headers=headers, method=method, path=path)

    def _describe(self) -> str:
        where = f" ({self.method} {self.path})" if self.method and self.path else ""
        op = f" from {self.operation_id}" if self.operation_id else ""
        seen = f"; body starts: {self.excerpt}" if self.excerpt else ""
        return f"unexpected {self.status_code} answer{op}: {self.text}{where}{seen}"


class APIConnectionError(ProfilesError):
    """The request could not be completed: connection refused, reset, or dropped.

    ``request_sent`` tells whether the request may have reached the server (and so may have been
    applied): retries of non-idempotent operations are made only when it is ``False``.
    """

    def __init__(self, message: str, *, request_sent: bool) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """The request timed out."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def _error_class(status: int) -> type[APIError]:
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIError)


def _details_to_errors(items: Any, key: str, message: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(items, list):
        for item in items:
            if isinstance(item, Mapping):
                prop = str(item.get(key) or "")
                out.setdefault(prop, []).append(str(item.get(message) or ""))
    return out


def _parse_envelope(body: Any) -> tuple[str | None, str, dict[str, list[str]]] | None:
    """``(message_id, text, validation_errors)`` from any of the six envelopes, else ``None``."""
    errors: dict[str, list[str]]
    if not isinstance(body, Mapping):
        return None
    request_error = body.get("requestError")
    if isinstance(request_error, Mapping):
        exc = request_error.get("serviceException")
        if isinstance(exc, Mapping):
            raw = exc.get("validationErrors")
            errors = {}
            if isinstance(raw, Mapping):
                for field, msgs in raw.items():
                    errors[str(field)] = (
                        [str(m) for m in msgs] if isinstance(msgs, list) else [str(msgs)]
                    )
            return _opt_str(exc.get("messageId")), str(exc.get("text") or ""), errors
    if "errorCode" in body and "errorMessage" in body:  # push
        return _opt_str(body["errorCode"]), str(body.get("errorMessage") or ""), {}
    if "errorCode" in body and ("description" in body or "violations" in body):  # segments
        errors = _details_to_errors(body.get("violations"), "property", "violation")
        return _opt_str(body["errorCode"]), str(body.get("description") or ""), errors
    if "errorCode" in body and "message" in body:  # lists
        return _opt_str(body["errorCode"]), str(body.get("message") or ""), {}
    if "code" in body and "message" in body:  # v3 upsert / merge
        errors = _details_to_errors(body.get("details"), "property", "message")
        return _opt_str(body["code"]), str(body.get("message") or ""), errors
    if "errors" in body and ("title" in body or "traceId" in body):  # events batch ProblemDetails
        errors = {}
        first_code: str | None = None
        messages = []
        for item in body.get("errors") or []:
            if not isinstance(item, Mapping):
                continue
            first_code = first_code or _opt_str(item.get("code"))
            where = f"[{item.get('index')}]" if item.get("index", -1) != -1 else "request"
            messages.append(f"{where}: {item.get('message')}")
            for prop, msgs in _details_to_errors(
                item.get("details"), "property", "message"
            ).items():
                errors.setdefault(prop or where, []).extend(msgs)
            if not item.get("details"):
                errors.setdefault(where, []).append(str(item.get("message") or ""))
        text = str(body.get("title") or "")
        if messages:
            text = f"{text}: {'; '.join(messages)}" if text else "; ".join(messages)
        return first_code, text, errors
    return None


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _snippet(content: bytes) -> str:
    text = content[: _SNIPPET * 8].decode("utf-8", "replace")
    text = " ".join(text.split())
    if not text:
        return "(empty body)"
    return text if len(text) <= _SNIPPET else text[:_SNIPPET] + "..."


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    method: str | None = None,
    path: str | None = None,
) -> APIError:
    """Build the :class:`APIError` subclass for an error response."""
    body: Any = None
    if content:
        try:
            body = json.loads(content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = None
    parsed = _parse_envelope(body)
    errors: dict[str, list[str]]
    if parsed is None:
        message_id, text, errors = None, _snippet(content), {}
    else:
        message_id, text, errors = parsed
    return _error_class(status)(
        status,
        message_id,
        text,
        errors,
        body=body,
        headers=headers,
        method=method,
        path=path,
    )


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), or ``None``.

    ``None`` too for a value that is not a finite number of seconds or a valid date (``NaN``,
    ``inf``, a negative number, a date past the year 9999, garbage). A date in the past reads 0.
    """
    value = None
    for key, val in headers.items():
        if key.lower() == "retry-after":
            value = val.strip()
            break
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(value)
        stamp = when.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, stamp - (time.time() if now is None else now))


class PartialBatchError(ProfilesError):
    """A many-item call stopped on a request that failed after others were applied.

    Raised only when you ask for it (``on_error="raise"``); by default the call returns its
    result, with the items of the failed request marked ``unknown`` when they may have been
    applied. Attributes:

    * ``result``: the call's result with one outcome per item *sent so far*, in input order
      (the items of the failed request are not ok, ``unknown`` when they may have been applied);
    * ``error``: the error of the failed request (also the ``__cause__``);
    * ``offset`` and ``count``: which of your items that request carried.
    """

    def __init__(
        self, message: str, *, result: Any, error: ProfilesError, offset: int, count: int
    ) -> None:
        super().__init__(message)
        self.result = result
        self.error = error
        self.offset = offset
        self.count = count
