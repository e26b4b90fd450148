"""The fake's request history: what your code sent, what it got back, for assertions.

Nothing here ever holds an API key: the ``Authorization`` header is redacted and the tenant is
identified by a one-way fingerprint of its key (:func:`fingerprint`).
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
import json
import re
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, overload

import attrs

__all__ = [
    "RecordedCall",
    "CallLog",
    "UnknownOperationError",
    "check_op_id",
    "fingerprint",
    "path_matches",
    "redact_headers",
]

#: Headers whose values are secrets; their values never reach the history or a log line.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-fake-api-key",
        "x-fake-admin-token",
        "cookie",
        "set-cookie",
    }
)
REDACTED = "[REDACTED]"


def fingerprint(api_key: str) -> str:
    """A stable, one-way label for ``api_key``: how the history and the logs name a tenant.

    Example::

        >>> fingerprint("test-key") == fingerprint("test-key") != fingerprint("other")
        True
    """
    return "key:" + hashlib.sha256(api_key.encode()).hexdigest()[:12]


class UnknownOperationError(KeyError, ValueError):
    """An operation id the API does not have (a typo must not make ``count(...) == 0`` pass)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def check_op_id(op_id: str | None) -> None:
    """Raise :class:`UnknownOperationError` (naming close matches) unless ``op_id`` is ``None``
    or one of the API's operation ids."""
    from .._operations import OPERATIONS

    if op_id is None or op_id in OPERATIONS:
        return
    close = difflib.get_close_matches(str(op_id), list(OPERATIONS), n=3)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownOperationError(f"unknown operationId {op_id!r}{hint}")


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` (names lower-cased) with secret values replaced.

    The scheme of an ``Authorization`` header is kept (``App [REDACTED]``) so tests can still
    assert which scheme a client used.
    """
    out: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key in SECRET_HEADERS:
            scheme, sep, _ = value.strip().partition(" ")
            out[key] = f"{scheme} {REDACTED}" if sep and key.endswith("authorization") else REDACTED
        else:
            out[key] = value
    return out


def path_matches(pattern: str | re.Pattern[str], path: str) -> bool:
    """Whether ``path`` matches ``pattern``: a regex (searched in full), a glob, or exact text."""
    if isinstance(pattern, re.Pattern):
        return pattern.fullmatch(path) is not None
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(path, pattern)
    return path == pattern


def parse_body(content: bytes) -> Any:
    """A body as JSON when it parses, else ``None`` (the raw size is kept on the call)."""
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return None


@attrs.frozen
class RecordedCall:
    """One API request the fake received, and how it answered.

    ``status`` is ``None`` when no response was sent (a dropped connection, or the client's
    timeout ran out first). ``fault`` names the injected fault that shaped the call, if any:
    ``"status"``, ``"latency"``, ``"drop-before"``, ``"drop-after"`` or ``"timeout"`` (latency
    longer than the in-process client's read timeout), joined with ``+`` when several apply.
    ``tenant`` is :func:`fingerprint` of the presented API key (``None`` without one).
    Times are seconds since the epoch on the fake's clock.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str] = attrs.field(repr=False)
    # The raw bytes are kept and parsed when ``body`` is read: the handler has parsed them once
    # already, and a bulk request's body is large (parsing it again for the log doubled the cost).
    content: bytes = attrs.field(repr=False)
    op_id: str | None
    tenant: str | None
    status: int | None
    response_body: Any = attrs.field(repr=False)
    response_headers: Mapping[str, str] = attrs.field(repr=False)
    started_at: float = attrs.field(repr=False)
    finished_at: float = attrs.field(repr=False)
    fault: str | None = None

    @property
    def body(self) -> Any:
        """The request body as JSON (``None`` when empty or not JSON), parsed on each read."""
        return parse_body(self.content)

    @property
    def body_size(self) -> int:
        """The request body's size in bytes."""
        return len(self.content)

    @property
    def duration(self) -> float:
        """Seconds between receiving the request and answering it, on the fake's clock."""
        return self.finished_at - self.started_at

    def param(self, name: str) -> str | None:
        """The first value of query parameter ``name``, or ``None``."""
        for key, value in self.query:
            if key == name:
                return value
        return None

    def to_dict(self) -> dict[str, Any]:
        """The call as JSON-able data (what ``GET /_fake/calls`` returns)."""
        return {
            "method": self.method,
            "path": self.path,
            "query": [list(item) for item in self.query],
            "headers": dict(self.headers),
            "body": self.body,
            "bodySize": self.body_size,
            "opId": self.op_id,
            "tenant": self.tenant,
            "status": self.status,
            "responseBody": self.response_body,
            "responseHeaders": dict(self.response_headers),
            "startedAt": self.started_at,
            "finishedAt": self.finished_at,
            "fault": self.fault,
        }

    @classmethod
    def build(
        cls,
        *,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        content: bytes,
        op_id: str | None,
        api_key: str | None,
        status: int | None,
        response_body: Any,
        response_headers: Mapping[str, str],
        started_at: float,
        finished_at: float,
        faults: Sequence[str] = (),
    ) -> RecordedCall:
        """Build a call from raw request data, redacting secrets on the way in."""
        return cls(
            method=method,
            path=path,
            query=tuple((k, v) for k, v in query),
            headers=MappingProxyType(redact_headers(headers)),
            content=bytes(content),
            op_id=op_id,
            tenant=fingerprint(api_key) if api_key else None,
            status=status,
            response_body=response_body,
            response_headers=MappingProxyType(redact_headers(response_headers)),
            started_at=started_at,
            finished_at=finished_at,
            fault="+".join(faults) or None,
        )


class CallLog(Sequence[RecordedCall]):
    """The request history of a :class:`FakeProfiles`: a read-only, thread-safe sequence of calls.

    Indexing, ``len()`` and iteration see a snapshot; ``filter`` and ``count`` select calls by
    operation, method, path (exact, glob or regex), status or tenant. An ``op_id`` the API does
    not have raises :class:`UnknownOperationError` instead of matching nothing.

    ``maxlen`` bounds the number of calls kept and ``max_bytes`` the request-body bytes they
    hold; the oldest calls go first when either is passed.

    Example::

        client.people.create(person)
        assert fake.calls.count(op_id="create-a-new-person") == 1
        assert fake.calls.last.status == 200
        assert fake.calls.last.headers["authorization"] == "App [REDACTED]"
    """

    def __init__(self, maxlen: int | None = None, max_bytes: int | None = None) -> None:
        self._lock = threading.Lock()
        self._calls: deque[RecordedCall] = deque()
        self._maxlen = maxlen
        self._max_bytes = max_bytes
        self._bytes = 0

    def _append(self, call: RecordedCall) -> None:
        with self._lock:
            self._calls.append(call)
            self._bytes += len(call.content)
            while self._calls and (
                (self._maxlen is not None and len(self._calls) > self._maxlen)
                or (self._max_bytes is not None and self._bytes > self._max_bytes)
            ):
                self._bytes -= len(self._calls.popleft().content)

    @property
    def size_bytes(self) -> int:
        """The request-body bytes the kept calls hold (what ``max_bytes`` bounds)."""
        with self._lock:
            return self._bytes

    def _snapshot(self) -> tuple[RecordedCall, ...]:
        with self._lock:
            return tuple(self._calls)

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)

    @overload
    def __getitem__(self, index: int) -> RecordedCall: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[RecordedCall]: ...

    def __getitem__(self, index: int | slice) -> RecordedCall | Sequence[RecordedCall]:
        return self._snapshot()[index]

    def __iter__(self) -> Iterator[RecordedCall]:
        return iter(self._snapshot())

    def __repr__(self) -> str:
        return f"CallLog({list(self._snapshot())!r})"

    @property
    def last(self) -> RecordedCall:
        """The most recent call (``IndexError`` when there is none)."""
        with self._lock:
            if not self._calls:
                raise IndexError("the fake has received no calls")
            return self._calls[-1]

    def filter(
        self,
        *,
        op_id: str | None = None,
        method: str | None = None,
        path: str | re.Pattern[str] | None = None,
        status: int | None = None,
        api_key: str | None = None,
        tenant: str | None = None,
    ) -> tuple[RecordedCall, ...]:
        """The calls matching every criterion given, oldest first.

        ``path`` is exact text, a glob (``"/people/2/tags/*"``) or a compiled regex. ``api_key``
        selects a tenant by its key (compared by fingerprint); ``tenant`` by the fingerprint itself.

        Example::

            creates = fake.calls.filter(method="POST", path="/people/2/persons")
        """
        check_op_id(op_id)
        want_tenant = fingerprint(api_key) if api_key is not None else tenant
        want_method = method.upper() if method is not None else None
        return tuple(
            call
            for call in self._snapshot()
            if (op_id is None or call.op_id == op_id)
            and (want_method is None or call.method == want_method)
            and (path is None or path_matches(path, call.path))
            and (status is None or call.status == status)
            and (want_tenant is None or call.tenant == want_tenant)
        )

    def count(  # type: ignore[override]
        self,
        *,
        op_id: str | None = None,
        method: str | None = None,
        path: str | re.Pattern[str] | None = None,
        status: int | None = None,
        api_key: str | None = None,
        tenant: str | None = None,
    ) -> int:
        """How many calls match (same criteria as :meth:`filter`); with none, all of them."""
        return len(
            self.filter(
                op_id=op_id,
                method=method,
                path=path,
                status=status,
                api_key=api_key,
                tenant=tenant,
            )
        )

    def clear(self, *, api_key: str | None = None) -> None:
        """Forget the history (only ``api_key``'s calls when given)."""
        with self._lock:
            if api_key is None:
                self._calls.clear()
                self._bytes = 0
                return
            mine = fingerprint(api_key)
            keep = [call for call in self._calls if call.tenant != mine]
            self._calls.clear()
            self._calls.extend(keep)
            self._bytes = sum(len(call.content) for call in keep)


def __getattr__(name: str) -> Any:
    # ``Call`` was this class's name until it was renamed so as not to share a name with the
    # client's plan step (``infobip_profiles._plan.Call``); the old name still works, with a
    # warning.
    if name == "Call":
        import warnings

        warnings.warn(
            "infobip_profiles.testing._calls.Call is now RecordedCall "
            "(import it from infobip_profiles.testing)",
            DeprecationWarning,
            stacklevel=2,
        )
        return RecordedCall
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
