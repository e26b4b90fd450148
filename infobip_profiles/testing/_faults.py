"""Fault injection: make the next N matching calls fail, slow down or lose their connection.

``fake.inject(...)`` registers a :class:`Fault`; :meth:`FakeProfiles.handle` asks the registry for
the first active fault matching each request and applies it. How a fault reaches your code depends
on the adapter (see :class:`ConnectionDropped` and :class:`ResponseTimedOut`).
"""

from __future__ import annotations

import math
import re
import secrets
import threading
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from .._operations import ErrorFamily
from ._calls import check_op_id, fingerprint, path_matches
from ._errors import MSG, error_for_family
from ._wire import FakeResponse

__all__ = [
    "ConnectionDropped",
    "DropMode",
    "Fault",
    "FaultRegistry",
    "ResponseTimedOut",
]

DropMode = Literal["before", "after"]


class ConnectionDropped(Exception):
    """Raised by :meth:`FakeProfiles.handle` when an injected fault drops the connection.

    ``processed`` tells whether the request reached the engine first (``drop="after"``). The
    in-process transports turn it into ``httpx.ConnectError`` (before) or
    ``httpx.RemoteProtocolError`` (after); the HTTP server closes the socket without answering.
    """

    def __init__(self, *, processed: bool) -> None:
        super().__init__(
            "connection dropped " + ("after" if processed else "before") + " processing"
        )
        self.processed = processed


class ResponseTimedOut(Exception):
    """Raised by :meth:`FakeProfiles.handle` when injected latency outlasts the caller's timeout.

    Only the in-process adapters pass a timeout (httpx's read timeout); they turn this into
    ``httpx.ReadTimeout``. The request was processed anyway, as a slow server would eventually do.
    """


class Fault:
    """One injected fault, and the handle to inspect or cancel it.

    ``remaining`` is how many more calls it will affect (``None``: unlimited), ``hits`` how many
    it has affected. Use it as a context manager to cancel it on exit.

    Example::

        with fake.inject(503, op_id="create-a-new-person", times=2) as fault:
            ...
        assert fault.hits == 2
    """

    def __init__(
        self,
        registry: FaultRegistry,
        fault_id: str,
        *,
        status: int | None,
        latency: float,
        drop: DropMode | None,
        retry_after: float | None,
        headers: Mapping[str, str],
        text: str | None,
        body: Any,
        method: str | None,
        path: str | re.Pattern[str] | None,
        op_id: str | None,
        tenant: str | None,
        times: int | None,
    ) -> None:
        self._registry = registry
        self.id = fault_id
        self.status = status
        self.latency = latency
        self.drop = drop
        self.retry_after = retry_after
        self.headers = dict(headers)
        self.text = text
        self.body = body
        self.method = method
        self.path = path
        self.op_id = op_id
        self.tenant = tenant
        self.times = times
        self._hits = 0
        self._cancelled = False

    def __repr__(self) -> str:
        what = [f"{k}={v!r}" for k, v in self._describe().items() if v is not None]
        return f"<Fault {self.id} {' '.join(what)} hits={self._hits} remaining={self.remaining}>"

    def __enter__(self) -> Fault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()

    @property
    def hits(self) -> int:
        """How many calls this fault has affected so far."""
        return self._hits

    @property
    def remaining(self) -> int | None:
        """Calls it will still affect: ``None`` when unlimited, 0 when spent or cancelled."""
        if self._cancelled:
            return 0
        if self.times is None:
            return None
        return max(0, self.times - self._hits)

    @property
    def active(self) -> bool:
        """Whether it will affect another call."""
        return self.remaining != 0

    def cancel(self) -> None:
        """Stop affecting calls (idempotent)."""
        self._registry._remove(self)

    def matches(self, method: str, path: str, op_id: str | None, tenant: str | None) -> bool:
        """Whether a request with these facts is one this fault targets."""
        return (
            (self.method is None or self.method == method)
            and (self.path is None or path_matches(self.path, path))
            and (self.op_id is None or self.op_id == op_id)
            and (self.tenant is None or self.tenant == tenant)
        )

    def response(self, family: ErrorFamily) -> FakeResponse:
        """The error response this fault answers with, in ``family``'s envelope."""
        assert self.status is not None
        headers = dict(self.headers)
        retry_after = self.retry_after
        if retry_after is None and self.status == 429:
            retry_after = 1.0
        if retry_after is not None:
            headers.setdefault("Retry-After", str(math.ceil(retry_after)))
        if self.body is not None:
            return FakeResponse(self.status, self.body, headers)
        text = self.text or _default_text(self.status)
        return error_for_family(family, self.status, text, headers=headers).response

    def _describe(self) -> dict[str, Any]:
        path = self.path.pattern if isinstance(self.path, re.Pattern) else self.path
        return {
            "status": self.status,
            "latency": self.latency or None,
            "drop": self.drop,
            "retryAfter": self.retry_after,
            "method": self.method,
            "path": path,
            "opId": self.op_id,
        }

    def to_dict(self) -> dict[str, Any]:
        """The fault as JSON-able data (what the ``/_fake/faults`` endpoints return)."""
        data = {"id": self.id, **self._describe()}
        data["pathIsRegex"] = isinstance(self.path, re.Pattern)
        data["tenant"] = self.tenant
        data["times"] = self.times
        data["hits"] = self._hits
        data["remaining"] = self.remaining
        return data


def _default_text(status: int) -> str:
    if status == 429:
        return MSG.TOO_MANY_REQUESTS
    if status >= 500:
        return MSG.GENERAL_ERROR
    return MSG.INJECTED


#: Longest latency or Retry-After a fault may carry, in seconds (a day).
MAX_FAULT_SECONDS = 86400.0


def _seconds(name: str, value: object) -> float:
    """``value`` as a number of seconds for a fault: finite, not negative, at most a day."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number of seconds, not {value!r}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{name} must be a finite, non-negative number of seconds, not {value!r}")
    if seconds > MAX_FAULT_SECONDS:
        raise ValueError(
            f"{name} must be at most {MAX_FAULT_SECONDS:.0f} seconds (a day), not {value!r}"
        )
    return seconds


_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
# Headers that frame the response: a fault setting them would break the connection it answers on.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


def _check_fields(
    method: object, times: object, headers: object, text: object, body: object, drop: object
) -> None:
    """``ValueError`` naming the first field of a fault that could not be served as given."""
    if method is not None and not (isinstance(method, str) and _TOKEN.match(method)):
        raise ValueError(f"method must be an HTTP method name, not {method!r}")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int)):
        raise ValueError(f"times must be a whole number (or None), not {times!r}")
    if headers is not None:
        if not isinstance(headers, Mapping):
            raise ValueError(f"headers must be an object of header names to text, not {headers!r}")
        for name, value in headers.items():
            if not (isinstance(name, str) and _TOKEN.match(name)):
                raise ValueError(f"header name {name!r} is not a valid HTTP header name")
            if not isinstance(value, str) or any(c in value for c in "\r\n\0"):
                raise ValueError(f"header {name}: its value must be one line of text")
            if name.lower() in _FRAMING_HEADERS:
                raise ValueError(f"header {name} frames the response; a fault cannot set it")
    if text is not None and not isinstance(text, str):
        raise ValueError(f"text must be text, not {text!r}")
    if drop is not None and not isinstance(drop, str):
        raise ValueError(f'drop must be "before" or "after", not {drop!r}')
    _check_json(body)


def _check_json(value: object, depth: int = 0) -> None:
    """``ValueError`` unless ``value`` can be sent as strict JSON (no NaN or infinity)."""
    if depth > 64:
        raise ValueError("body nests too deeply")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"body holds {value!r}, which JSON cannot carry")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"body keys must be text, not {key!r}")
            _check_json(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_json(item, depth + 1)


class FaultRegistry:
    """The active faults of one fake (``fake.faults``), first injected first applied.

    Each call is affected by at most one fault: the oldest active one that matches it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            return iter(list(self._faults))

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)

    def __repr__(self) -> str:
        return f"FaultRegistry({list(self)!r})"

    def inject(
        self,
        status: int | None = None,
        *,
        method: str | None = None,
        path: str | re.Pattern[str] | None = None,
        op_id: str | None = None,
        times: int | None = 1,
        retry_after: float | None = None,
        latency: float = 0.0,
        drop: DropMode | None = None,
        headers: Mapping[str, str] | None = None,
        text: str | None = None,
        body: Any = None,
        api_key: str | None = None,
    ) -> Fault:
        """Register a fault; see :meth:`FakeProfiles.inject` for the parameters."""
        _check_fields(method, times, headers, text, body, drop)
        latency = _seconds("latency", latency)
        if retry_after is not None:
            retry_after = _seconds("retry_after", retry_after)
        if status is None and not latency and drop is None:
            raise ValueError("a fault needs a status, a latency or a drop")
        if status is not None and drop is not None:
            raise ValueError("a dropped connection has no status; give one or the other")
        if status is not None and not (isinstance(status, int) and 100 <= status <= 599):
            raise ValueError(f"status must be an HTTP status code, not {status!r}")
        if drop not in (None, "before", "after"):
            raise ValueError(f'drop must be "before" or "after", not {drop!r}')
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every matching call)")
        check_op_id(op_id)
        with self._lock:
            fault = Fault(
                self,
                # Unguessable: on a shared server, one tenant must not cancel another's faults.
                f"fault-{secrets.token_hex(8)}",
                status=status,
                latency=float(latency),
                drop=drop,
                retry_after=retry_after,
                headers=headers or {},
                text=text,
                body=body,
                method=method.upper() if method else None,
                path=path,
                op_id=op_id,
                tenant=fingerprint(api_key) if api_key is not None else None,
                times=times,
            )
            self._faults.append(fault)
        return fault

    @staticmethod
    def tenant_of(api_key: str) -> str:
        """How a fault injected for ``api_key`` names its tenant (:attr:`Fault.tenant`)."""
        return fingerprint(api_key)

    def get(self, fault_id: str) -> Fault | None:
        """The active fault with id ``fault_id``, or ``None``."""
        with self._lock:
            return next((f for f in self._faults if f.id == fault_id), None)

    def clear(self, *, api_key: str | None = None) -> None:
        """Cancel every fault (only those injected for ``api_key``'s tenant when given)."""
        with self._lock:
            mine = fingerprint(api_key) if api_key is not None else None
            for fault in list(self._faults):
                if mine is None or fault.tenant == mine:
                    fault._cancelled = True
                    self._faults.remove(fault)

    def may_delay(self) -> bool:
        """Whether any active fault adds latency (async adapters then leave the event loop)."""
        with self._lock:
            return any(f.latency for f in self._faults)

    def take(self, method: str, path: str, op_id: str | None, api_key: str | None) -> Fault | None:
        """Claim the oldest active fault matching a request, counting the hit; ``None`` if none."""
        tenant = fingerprint(api_key) if api_key else None
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path, op_id, tenant):
                    fault._hits += 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _remove(self, fault: Fault) -> None:
        with self._lock:
            fault._cancelled = True
            if fault in self._faults:
                self._faults.remove(fault)
