"""``FakeProfiles``: the facade over the engine, and the one entry point every adapter calls."""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from .._operations import ErrorFamily, Operation
from . import handlers as _handlers  # noqa: F401  (registers the handlers)
from ._auth import (
    TOKEN_PATH,
    TokenStore,
    client_credentials,
    is_token_path,
    parse_authorization,
    redact_token_form,
    token_answer,
    token_error,
)
from ._calls import CallLog, RecordedCall, fingerprint
from ._clock import FakeClock
from ._context import Context
from ._errors import MSG, FakeError, error_for_family, v2_error
from ._faults import ConnectionDropped, DropMode, Fault, FaultRegistry, ResponseTimedOut
from ._ratelimits import RateLimits, too_many_requests
from ._router import HANDLERS, methods_for_path, resolve
from ._seed import Seeded, load_seed_file, seed_savepoint, seed_state
from ._simulate import (
    SimulatedProfile,
    SimulatedSession,
    simulate_form,
    simulate_inbound,
    simulate_session,
)
from ._state import TenantState
from ._wire import FakeRequest, FakeResponse
from .engine.events import SESSION_TEMPLATES
from .engine.persons import PersonsEngine

if TYPE_CHECKING:
    import httpx

    from .._client import AsyncProfilesClient, ProfilesClient
    from ._server import FakeServer

__all__ = ["FakeProfiles"]

log = logging.getLogger("infobip_profiles.testing")

CONTROL_PREFIX = "/_fake/"

# Content types the fake parses as JSON; the spec also declares XML for some operations, which
# the fake does not speak (it answers 415).
_JSON_TYPE = re.compile(r"^(application/(.+\+)?json|text/json|application/\*\+json)$")


def presented_key(request: FakeRequest) -> str | None:
    """The tenant name the request's ``Authorization`` header presents, or ``None``.

    ``App``/``IBSSO``/``Bearer``: the key or token; ``Basic``: the user name (never the
    password). Scheme names are matched ignoring case; see ``_auth`` for the rules.
    """
    credential = parse_authorization(request.headers.get("authorization"))
    return credential.name if credential is not None else None


def _recorded_body(response: FakeResponse | None, token_call: bool) -> Any:
    """The body the call log keeps: a token endpoint answer has its access token redacted."""
    if response is None:
        return None
    body = response.json()
    if token_call and isinstance(body, dict) and "access_token" in body:
        return {**body, "access_token": "[REDACTED]"}
    return body


#: How each engine lists what it holds, and whether that listing is rendered anew on every call
#: (then nothing of the engine's state is shared and no copy is needed).
_LISTINGS: dict[str, tuple[Callable[[TenantState], list[dict[str, Any]]], bool]] = {
    "persons": (lambda state: state.persons.snapshot(), PersonsEngine.SNAPSHOT_IS_FRESH),
    "companies": (lambda state: state.companies.snapshot(), False),
    "tags": (lambda state: state.tags.all(), False),
    "attributes": (lambda state: state.attributes.all(), False),
    "events": (lambda state: state.events.snapshot(), False),
    "segments": (lambda state: state.segments.all(), False),
    "push": (lambda state: state.push.all(), False),
}


class FakeProfiles:
    """An in-process fake of the Customer Profiles service.

    One engine holds the state and the semantics; ``client()``, ``async_client()``, ``serve()`` and
    ``patch()`` are thin adapters over :meth:`handle`. State is kept per API key (a tenant).

    Args:
        api_key: the key the fake accepts from the start (more via :meth:`add_tenant`).
        rate_limits: enforce each operation's published rate limit (429 with ``Retry-After``),
            per tenant and operation, on the fake's clock. Can be switched later.
        clock: the clock to use (default: a fresh :class:`FakeClock` following real time).
        accept_any_key: treat every new credential (an ``App`` key, a ``Basic`` user name, an
            ``IBSSO`` or unknown ``Bearer`` token, a token endpoint client id) as a fresh tenant
            instead of answering 401, so parallel test workers can share one served fake, each
            with its own key.
        max_calls: keep only the last ``max_calls`` calls in :attr:`calls` (default: all).
        max_call_bytes: keep only as many calls as hold at most this many bytes of request
            bodies (default: no bound). A request without a known credential is kept without
            its body.
        admin_token: allows control requests over HTTP to act on every tenant at once
            (``?allTenants=true`` with the header ``X-Fake-Admin-Token``); without it they
            are refused, and each control request acts on its own tenant only.
        session_templates: offer the fake's own chat and inbox session templates
            (``chatSessionStarted``...) to create-definition in every tenant, as
            :meth:`register_session_templates` does for one. The spec names no template ids, so
            by default the fake offers none.
        pause_collector: keep Python's cyclic garbage collector off while a v3 upsert request
            is written (it is switched back on after, if it was on). The collector is one per
            process: this pauses it for every thread of the process, the tests' own included,
            for that time. It pays only for bulk loads of tens of thousands of persons (about a
            quarter of the fake's CPU time at 100,000); ``fake-server --pause-collector`` sets
            it in a served fake's own process. Off by default.

    Example::

        fake = FakeProfiles()
        client = fake.client()
        person = client.people.create(Person(first_name="Ada", emails=["ada@example.com"]))
        assert fake.calls.last.op_id == "create-a-new-person"
    """

    #: Request bodies above this size are refused with 413 (the events batch limit is 15 MiB).
    MAX_BODY_BYTES = 20 * 1024 * 1024

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        rate_limits: bool = False,
        clock: FakeClock | None = None,
        accept_any_key: bool = False,
        max_calls: int | None = None,
        max_call_bytes: int | None = None,
        admin_token: str | None = None,
        session_templates: bool = False,
        pause_collector: bool = False,
    ) -> None:
        self.session_templates = session_templates
        self.pause_collector = pause_collector
        if not api_key:
            raise ValueError("api_key must not be empty")
        self.api_key = api_key
        self.rate_limits = rate_limits
        self.accept_any_key = accept_any_key
        self.clock = clock or FakeClock()
        self._lock = threading.RLock()
        self._tenants: dict[str, TenantState] = {}
        if admin_token is not None and not admin_token.strip():
            raise ValueError("admin_token must not be blank")
        self._admin_token = admin_token
        self._calls = CallLog(max_calls, max_call_bytes)
        self._faults = FaultRegistry()
        self._limits = RateLimits()
        self._server: FakeServer | None = None
        # Tenants loaded from a state file whose key has not been seen since (by fingerprint).
        self._dormant: dict[str, TenantState] = {}
        self._hinted: set[str] = set()  # key fingerprints already told how to be accepted
        #: Access tokens issued by ``POST /auth/1/oauth2/token`` (see ``_auth``).
        self.oauth_tokens = TokenStore(self.clock)
        self.add_tenant(api_key)

    def __repr__(self) -> str:
        # Never the keys: a tenant count is all a repr may say about them.
        return (
            f"<FakeProfiles tenants={len(self._tenants)} rate_limits={self.rate_limits} "
            f"calls={len(self._calls)}>"
        )

    # -- tenants ---------------------------------------------------------------------------------

    def add_tenant(self, api_key: str) -> None:
        """Accept ``api_key`` as a further tenant with its own, empty state (no-op if known).

        Example::

            fake.add_tenant("worker-2")
            other = fake.client(api_key="worker-2")   # sees none of the default tenant's data
        """
        if not api_key:
            raise ValueError("api_key must not be empty")
        with self._lock:
            if api_key not in self._tenants:
                # A tenant read from a state file comes back when its key is first seen.
                restored = self._dormant.pop(fingerprint(api_key), None)
                if restored is not None:
                    self._tenants[api_key] = restored
                    return
                self._tenants[api_key] = TenantState(self.clock, len(self._tenants))
                self._prepare_tenant(self._tenants[api_key])

    def _prepare_tenant(self, state: TenantState) -> None:
        # What every fresh tenant state gets from the fake's own options.
        if getattr(self, "session_templates", False):
            for template_id in SESSION_TEMPLATES:
                state.events.register_template(template_id)

    def tenant(self, api_key: str | None = None) -> TenantState:
        """The state behind ``api_key`` (default: the fake's own key); ``KeyError`` if unknown."""
        key = api_key or self.api_key
        try:
            return self._tenants[key]
        except KeyError:
            raise KeyError(f"no tenant with API key fingerprint {fingerprint(key)}") from None

    def has_tenant(self, api_key: str) -> bool:
        """Whether ``api_key`` is a known tenant."""
        return api_key in self._tenants

    # -- history, faults, limits -------------------------------------------------------------------

    @property
    def calls(self) -> CallLog:
        """Every API request received, oldest first (see :class:`CallLog`). Keys are redacted.

        Example::

            assert fake.calls.count(op_id="create-a-new-person") == 1
            assert fake.calls.last.body["firstName"] == "Ada"
        """
        return self._calls

    @property
    def faults(self) -> FaultRegistry:
        """The active injected faults; ``fake.faults.clear()`` cancels them all."""
        return self._faults

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
        """Make the next ``times`` matching calls fail, slow down, or lose their connection.

        Args:
            status: answer with this status instead of processing the request, with a body in the
                operation's error envelope (429 gets ``Retry-After: 1`` unless ``retry_after``).
            method, path, op_id: which calls to affect (all that are given must match). ``path``
                is exact text, a glob (``"/people/2/tags/*"``) or a compiled regex.
            times: how many calls to affect; ``None`` for every matching call until cancelled.
            retry_after: seconds for the ``Retry-After`` header (rounded up to whole seconds).
            latency: seconds to wait before answering (outside the fake's lock, so other
                requests proceed); combine with ``status`` or ``drop``, or alone. Both are
                finite, non-negative numbers of at most a day (``ValueError`` otherwise).
            drop: ``"before"``: the connection closes and the request is never processed;
                ``"after"``: the request is processed, then the connection closes unanswered.
                In-process and under :meth:`patch` these raise ``httpx.ConnectError`` and
                ``httpx.RemoteProtocolError``; over :meth:`serve` the socket is closed.
            headers, text, body: extra response headers, the error text, or a whole custom body.
            api_key: affect only that tenant's calls.

        Returns the :class:`Fault`, with ``.hits``, ``.remaining`` and ``.cancel()``.

        Example::

            fake.inject(429, op_id="create-a-new-person", retry_after=2)
            fake.inject(503, method="GET", path="/people/2/persons", times=3)
            fake.inject(drop="after", op_id="create-a-new-person")
            fault = fake.inject(latency=0.5, times=None)
            ...
            fault.cancel()
        """
        return self._faults.inject(
            status,
            method=method,
            path=path,
            op_id=op_id,
            times=times,
            retry_after=retry_after,
            latency=latency,
            drop=drop,
            headers=headers,
            text=text,
            body=body,
            api_key=api_key,
        )

    # -- the one entry point ---------------------------------------------------------------------

    def handle(self, request: FakeRequest, *, timeout: float | None = None) -> FakeResponse:
        """Answer one request as the real service would; every adapter calls this.

        Paths under ``/_fake/`` go to the control plane (see ``_control``) and are not recorded.
        Everything else is recorded in :attr:`calls`, after any injected fault is applied.

        ``timeout`` is the caller's read timeout: injected latency longer than it raises
        :class:`ResponseTimedOut` after ``timeout`` seconds (the request is still processed).
        A ``drop`` fault raises :class:`ConnectionDropped`. Both are for adapters to translate.
        """
        if request.path.startswith(CONTROL_PREFIX) or request.path == CONTROL_PREFIX[:-1]:
            from ._control import handle_control

            return handle_control(self, request)

        started = self.clock.time()
        route = resolve(request.method, request.path)
        op = route[0] if route else None
        api_key = self._tenant_name(request)
        fault = self._faults.take(request.method, request.path, op.op_id if op else None, api_key)
        labels: list[str] = []
        token_call = route is None and is_token_path(request.path)

        def record(response: FakeResponse | None) -> None:
            self._calls._append(
                RecordedCall.build(
                    method=request.method,
                    path=request.path,
                    query=request.query,
                    headers=request.headers,
                    content=(
                        (redact_token_form(request.body) if token_call else request.body)
                        if token_call or (api_key is not None and api_key in self._tenants)
                        else b""  # nothing from a caller with no known credential is kept
                    ),
                    op_id=op.op_id if op else None,
                    api_key=api_key,
                    status=response.status if response else None,
                    response_body=_recorded_body(response, token_call),
                    response_headers=response.wire_headers() if response else {},
                    started_at=started,
                    finished_at=self.clock.time(),
                    faults=labels,
                )
            )

        timed_out = False
        if fault is not None and fault.latency:
            labels.append("latency")
            if timeout is not None and fault.latency > timeout:
                timed_out = True
                time.sleep(max(0.0, timeout))
            else:
                time.sleep(fault.latency)
        if fault is not None and fault.drop == "before":
            labels.append("drop-before")
            record(None)
            log.debug("fake: %s %s dropped before processing", request.method, request.path)
            raise ConnectionDropped(processed=False)

        if fault is not None and fault.status is not None:
            labels.append("status")
            response = fault.response(op.errors if op else ErrorFamily.V2)
        else:
            response = self._answer(request, route, api_key)

        if fault is not None and fault.drop == "after":
            labels.append("drop-after")
            record(None)
            log.debug("fake: %s %s dropped after processing", request.method, request.path)
            raise ConnectionDropped(processed=True)
        if timed_out:
            labels.append("timeout")
            record(None)
            raise ResponseTimedOut(f"{request.method} {request.path} outlasted {timeout}s")
        record(response)
        log.debug("fake: %s %s -> %s", request.method, request.path, response.status)
        return response

    def _answer(
        self,
        request: FakeRequest,
        route: tuple[Operation, dict[str, str]] | None,
        api_key: str | None,
    ) -> FakeResponse:
        try:
            return self._dispatch(request, route, api_key)
        except FakeError as err:
            return err.response

    def _dispatch(
        self,
        request: FakeRequest,
        route: tuple[Operation, dict[str, str]] | None,
        api_key: str | None,
    ) -> FakeResponse:
        if len(request.body) > self.MAX_BODY_BYTES:
            raise v2_error(413, MSG.BODY_TOO_LARGE.format(limit=self.MAX_BODY_BYTES))
        if route is None:
            if is_token_path(request.path):
                return self._token_endpoint(request)
            allowed = methods_for_path(request.path)
            if allowed:
                raise v2_error(
                    405,
                    MSG.METHOD_NOT_ALLOWED.format(method=request.method),
                    headers={"allow": ", ".join(allowed)},
                )
            raise v2_error(404, MSG.NOT_FOUND_PATH.format(path=request.path))
        op, path_params = route
        # Under the lock from authentication on, so a concurrent reset() cannot swap the
        # tenant's state between looking it up and using it.
        with self._lock:
            state = self._authenticate(request, api_key, op.errors)
            if self.rate_limits:
                now = self.clock.time()
                wait = self._limits.acquire(fingerprint(api_key or ""), op, now)
                if wait > 0:
                    raise too_many_requests(op, wait, now)
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if request.body and content_type and not _JSON_TYPE.match(content_type):
                raise error_for_family(
                    op.errors, 415, MSG.UNSUPPORTED_MEDIA.format(content_type=content_type)
                )
            handler = HANDLERS.get(op.op_id)
            if handler is None:
                raise error_for_family(op.errors, 404, MSG.NOT_FOUND_PATH.format(path=request.path))
            ctx = Context(request, op, path_params, state, self.clock, self.pause_collector)
            try:
                return handler(ctx)
            except FakeError:
                raise
            except Exception:
                log.exception("fake handler for %s failed", op.op_id)
                raise error_for_family(op.errors, 500, MSG.GENERAL_ERROR) from None

    def _tenant_name(self, request: FakeRequest) -> str | None:
        """The tenant the request presents: :func:`presented_key`, except that a bearer token
        the token endpoint issued names its client id (``None`` once it has expired)."""
        name = presented_key(request)
        if name is not None and self.oauth_tokens.issued(name):
            credential = parse_authorization(request.headers.get("authorization"))
            if credential is not None and credential.scheme == "Bearer":
                client = self.oauth_tokens.tenant_of(name)
                if client is None:
                    # Issued before a saved state was loaded: its client's tenant if live
                    # again, else refused (a fresh token brings the saved tenant back).
                    mark = self.oauth_tokens.restored_client(name)
                    if mark is not None:
                        client = next((k for k in self._tenants if fingerprint(k) == mark), None)
                return client
        return name

    def _authenticate(
        self, request: FakeRequest, api_key: str | None, family: ErrorFamily
    ) -> TenantState:
        # Any of the spec's four schemes (see ``_auth``); ``api_key`` is the tenant name
        # ``_tenant_name`` found, ``None`` for no credential or an expired token.
        state = None
        if api_key:
            state = self._tenant_or_new(api_key)
        if state is None:
            hint = self._unauthorized_hint(api_key, request)
            raise error_for_family(family, 401, MSG.UNAUTHORIZED, headers={"X-Fake-Hint": hint})
        return state

    def _unauthorized_hint(self, api_key: str | None, request: FakeRequest) -> str:
        """How to make a refused caller welcome: in the 401's ``X-Fake-Hint`` header, and logged
        once per key (pytest shows the log of a failing test), since the body must stay the
        service's own."""
        header = request.headers.get("authorization", "").strip()
        presented = presented_key(request)
        if api_key is None and presented is not None:
            hint = (
                "the bearer token has expired on the fake's clock (or was issued before a state "
                f"file was loaded); fetch a new one from POST {TOKEN_PATH}"
            )
        elif api_key is None and header:
            hint = (
                "the fake cannot read the Authorization header; send App <key>, "
                "Basic base64(<user>:<password>), IBSSO <token> or Bearer <token>"
            )
        elif api_key is None:
            hint = (
                "the fake got no credential; send Authorization: App <key>, with a key the fake "
                "accepts (FakeProfiles(api_key=...) or fake.add_tenant(key))"
            )
        else:
            hint = (
                f"the fake does not know the key {fingerprint(api_key)}; create the fake with "
                "FakeProfiles(api_key=<that key>), call fake.add_tenant(<that key>), use "
                "accept_any_key=True (fake-server --accept-any-key), or give the client "
                "api_key=fake.api_key"
            )
            mark = fingerprint(api_key)
            if mark not in self._hinted:
                self._hinted.add(mark)
                log.warning("fake: 401 for an unknown API key: %s", hint)
        return hint

    def _tenant_or_new(self, name: str) -> TenantState | None:
        """The tenant called ``name``; a new one under ``accept_any_key``; else ``None``."""
        state = self._tenants.get(name)
        if state is None and self.accept_any_key:
            self.add_tenant(name)
            state = self._tenants[name]
        return state

    def _token_endpoint(self, request: FakeRequest) -> FakeResponse:
        """``POST /auth/1/oauth2/token``: a bearer token for the client id's tenant."""
        if request.method != "POST":
            raise v2_error(
                405,
                MSG.METHOD_NOT_ALLOWED.format(method=request.method),
                headers={"allow": "POST"},
            )
        found = client_credentials(request)
        if isinstance(found, FakeResponse):
            return found
        client_id = found[0]
        with self._lock:
            if self._tenant_or_new(client_id) is None:
                return token_error(401, "invalid_client", "unknown client_id")
        return token_answer(self.oauth_tokens.issue(client_id), self.oauth_tokens.lifetime)

    # -- state files -------------------------------------------------------------------------------

    def save_state(self, path: str | os.PathLike[str]) -> None:
        """Write every tenant's data, and the clock's setting, to ``path`` atomically.

        Tenants are stored under the fingerprint of their key, never the key. The file is
        replaced all at once (a temporary file beside it, then a rename), so a crash mid-write
        leaves the previous file whole. Issued bearer tokens are kept by a one-way hash, so
        a client's token reaches its tenant after a load (or is refused, never a fresh tenant).
        Calls, faults and rate-limit windows are not saved.
        ``fake-server --state FILE`` calls this every few seconds and when it stops.

        Example::

            fake.save_state("fake-state.bin")
            later = FakeProfiles()
            later.load_state("fake-state.bin")
        """
        from ._state import dump_states, write_atomically

        with self._lock:
            states = {**self._dormant}
            states.update({fingerprint(key): state for key, state in self._tenants.items()})
            data = dump_states(states, self.clock, self.clock._setting, self.oauth_tokens.saved())
        write_atomically(path, data)

    def load_state(self, path: str | os.PathLike[str]) -> int:
        """Replace every tenant's data with what :meth:`save_state` wrote to ``path``.

        A tenant whose key this fake knows gets its saved data at once; any other comes back
        when a request (or :meth:`add_tenant`) first presents its key. The clock resumes its
        saved setting. Returns the number of tenants read; :class:`StateFileError` when the
        file is not a state file (``OSError`` when it cannot be read). Only load files your own
        fake wrote: like any pickle, a state file can run code when read.
        """
        from ._state import load_state_file

        with open(path, "rb") as fh:
            data = fh.read()
        states, setting, tokens = load_state_file(data, self.clock)
        with self._lock:
            self.oauth_tokens.restore(tokens)
            if isinstance(setting, tuple) and len(setting) == 2:
                self.clock._setting = setting
            known = {fingerprint(key): key for key in self._tenants}
            self._dormant = {}
            for mark, state in states.items():
                if mark in known:
                    self._tenants[known[mark]] = state
                else:
                    self._dormant[mark] = state
        return len(states)

    # -- state control -----------------------------------------------------------------------------

    def reset(self, api_key: str | None = None) -> None:
        """Empty the state of every tenant, or of ``api_key``'s only; tenants stay registered.

        Also forgets the matching calls, faults and rate-limit windows. The clock is not touched.

        Example::

            fake.reset()                      # everything
            fake.reset(api_key="worker-2")    # one tenant, for a shared served fake
        """
        with self._lock:
            keys = list(self._tenants) if api_key is None else [api_key]
            for key in keys:
                old = self.tenant(key)
                self._tenants[key] = TenantState(self.clock, old._tenant_index)
                self._prepare_tenant(self._tenants[key])
                self._limits.reset(fingerprint(key))
            self._calls.clear(api_key=api_key)
            self._faults.clear(api_key=api_key)
            if api_key is None:
                self._dormant.clear()  # tenants read from a state file, not seen since

    def seed(
        self,
        *,
        people: Iterable[Any] = (),
        custom_attributes: Iterable[Any] = (),
        tags: Iterable[Any] = (),
        companies: Iterable[Any] = (),
        api_key: str | None = None,
    ) -> Seeded:
        """Create data directly in a tenant (default: the fake's own), validated like the API does.

        Items are wire dicts (camelCase, as you would POST them) or the client's model objects;
        tags may also be plain names. Custom attributes and tags are created first, then
        companies, then people. All or nothing: a refused item raises :class:`SeedError` and
        leaves the tenant as it was. Nothing is recorded in :attr:`calls` or rate-limited.

        People may also carry push registrations (``contactInformation.push``) and channel
        contacts (``facebook``, ``whatsapp``, ``webpush``...), stored as the mobile SDK and chat
        products would store them; anything the fake cannot store is a :class:`SeedError`
        naming the person and the field (``people[1].contactInformation.line[0].systemData``).

        Returns a :class:`Seeded` with the stored items (ids, timestamps) in input order.

        Example::

            seeded = fake.seed(
                custom_attributes=[{"name": "tier", "dataType": "STRING"}],
                people=[{"firstName": "Ada", "customAttributes": {"tier": "gold"},
                         "contactInformation": {"email": [{"address": "ada@example.com"}]}}],
            )
            ada_id = seeded.people[0]["id"]
        """
        key = api_key or self.api_key
        companies = list(companies)
        with self._lock:
            state = self.tenant(key)
            # Undone by what it created, not by copying the tenant (a seed into a million
            # persons costs what one into an empty fake does).
            undo = seed_savepoint(state, companies=bool(companies))
            try:
                return seed_state(
                    state,
                    people=list(people),
                    custom_attributes=list(custom_attributes),
                    tags=list(tags),
                    companies=companies,
                )
            except BaseException:
                undo()
                raise

    def seed_file(self, path: str | os.PathLike[str], *, api_key: str | None = None) -> Seeded:
        """Seed from a JSON file (format in :mod:`infobip_profiles.testing._seed`).

        Example::

            fake.seed_file("tests/data/people.json")
        """
        return self.seed(api_key=api_key, **load_seed_file(path))

    # -- push devices (what the mobile SDK does) ---------------------------------------------------

    def add_push_application(self, app_code: str, *, api_key: str | None = None) -> None:
        """Make ``app_code`` a known push application of a tenant (no-op if it is one).

        Push calls naming an unknown application answer 400 ``48012``. :meth:`register_device`
        adds its application by itself.
        """
        with self._lock:
            self.tenant(api_key).push.add_application(app_code)

    def register_device(
        self,
        *,
        app_code: str,
        cloud_type: str = "GCM",
        os: str = "Android",
        registration_id: str | None = None,
        additional_data: Mapping[str, Any] | None = None,
        system_data: Mapping[str, Any] | None = None,
        api_key: str | None = None,
    ) -> str:
        """Register a device the way the mobile SDK does on first launch; returns its push
        registration id.

        The device gets a new, empty LEAD profile holding the registration (``cloud_type`` one of
        GCM, APNS, HMS, WEB; ``os`` Android or iOS). Not recorded in :attr:`calls`.

        Example::

            reg_id = fake.register_device(app_code="app-1", cloud_type="APNS", os="iOS")
            client.push.personalize(reg_id, "app-1", PushUser.of(email="ada@example.com"))
        """
        with self._lock:
            return self.tenant(api_key).push.register_device(
                app_code,
                cloud_type=cloud_type,
                os=os,
                registration_id=registration_id,
                additional_data=additional_data,
                system_data=system_data,
            )

    # -- read-only inspection ----------------------------------------------------------------------

    def people(self, api_key: str | None = None) -> tuple[dict[str, Any], ...]:
        """Every stored person of a tenant as a wire dict (a copy: editing it changes nothing).

        Example::

            assert [p["firstName"] for p in fake.people()] == ["Ada"]
        """
        return self._snapshot("persons", api_key)

    def person(self, person_id: int, api_key: str | None = None) -> dict[str, Any]:
        """The stored person with ``person_id`` as a wire dict; ``KeyError`` if there is none."""
        with self._lock:
            found = self.tenant(api_key).persons.get(person_id)
        if found is None:
            raise KeyError(f"no person with id {person_id}")
        return found

    def companies(self, api_key: str | None = None) -> tuple[dict[str, Any], ...]:
        """Every stored company of a tenant as a wire dict (a copy)."""
        return self._snapshot("companies", api_key)

    def tags(self, api_key: str | None = None) -> tuple[dict[str, Any], ...]:
        """Every stored tag of a tenant as a wire dict (a copy)."""
        return self._snapshot("tags", api_key)

    def custom_attributes(self, api_key: str | None = None) -> tuple[dict[str, Any], ...]:
        """Every custom attribute definition of a tenant as a wire dict (a copy)."""
        return self._snapshot("attributes", api_key)

    def events(self, api_key: str | None = None) -> tuple[dict[str, Any], ...]:
        """Every stored event of a tenant as a wire dict (a copy)."""
        return self._snapshot("events", api_key)

    def define_computed_attribute(
        self,
        name: str,
        definition_id: str | Sequence[str],
        aggregation: str,
        property: str | None = None,
        *,
        api_key: str | None = None,
    ) -> None:
        """Declare a computed attribute: an aggregation over each person's events of one
        definition, or of several taken together (a list of definition ids), shown read-only
        in ``computedAttributes`` (writes to it are refused).

        ``aggregation`` is ``"count"``, ``"first"``/``"last"`` (occurrence time), ``"sum"``,
        ``"average"``, ``"min"``, ``"max"`` of the numeric ``property``, or ``"mostCommon"``:
        the value of ``property`` seen most often (a tie goes to the one seen last).
        ``ValueError`` when a definition does not exist, the property is missing from one of
        them or is not Numeric/Decimal where a number is needed, or the name is taken.

        Example::

            fake.define_computed_attribute("totalSpend", "AddedToCart", "sum", "price")
            fake.define_computed_attribute("lastSeen", ["chatStarted", "inboxStarted"], "last")
            fake.define_computed_attribute("topTopic", "chatStarted", "mostCommon", "topic")
        """
        with self._lock:
            self.tenant(api_key).events.define_computed(name, definition_id, aggregation, property)

    def define_formula_attribute(
        self, name: str, formula: str, *, api_key: str | None = None
    ) -> None:
        """Declare a formula attribute: read-only text in ``computedAttributes`` built from the
        person's own fields, ``{field}`` placeholders naming standard fields or custom
        attributes.

        A missing value reads as empty, runs of spaces collapse and the ends are trimmed; when
        every placeholder is empty the value is ``None``. ``ValueError`` for a formula without
        a placeholder or a name already taken.

        Example::

            fake.define_formula_attribute("fullName", "{firstName} {lastName}")
        """
        with self._lock:
            self.tenant(api_key).events.define_formula(name, formula)

    # -- event templates (the fake's own, opt-in) ----------------------------------------------

    def register_session_templates(self, *template_ids: str, api_key: str | None = None) -> None:
        """Offer the fake's own session templates to create-definition in a tenant.

        The spec names no template ids, so the fake offers none until a test asks: these ids
        (``chatSessionStarted``, ``chatSessionEnded``, ``inboxSessionStarted``,
        ``inboxSessionEnded``; all four when none is named) are the fake's inventions, to be
        registered only by tests that mean to depend on them. ``ValueError`` for an id that is
        not one of them. ``FakeProfiles(session_templates=True)`` does this for every tenant.

        Example::

            fake.register_session_templates()
            client.events.create_definition(template_id="chatSessionStarted")
        """
        wanted = template_ids or SESSION_TEMPLATES
        unknown = [t for t in wanted if t not in SESSION_TEMPLATES]
        if unknown:
            raise ValueError(
                f"not a session template: {', '.join(map(repr, unknown))}; "
                f"use {', '.join(SESSION_TEMPLATES)}"
            )
        with self._lock:
            events = self.tenant(api_key).events
            for template_id in wanted:
                events.register_template(template_id)

    def register_event_template(
        self,
        template_id: str,
        *,
        title: str | None = None,
        description: str | None = None,
        fields: Iterable[Mapping[str, Any]] | None = None,
        api_key: str | None = None,
    ) -> None:
        """Offer a template of your own (or one of the fake's catalogue by id alone:
        ``productViewed``, ``orderCompleted``, the session templates) to create-definition.

        ``fields`` are definition fields (``{"name", "type"}``), checked like a definition's.
        ``ValueError`` when the template is unusable.

        Example::

            fake.register_event_template(
                "ticketOpened", title="Ticket opened", fields=[{"name": "ticketId", "type": "String"}]
            )
        """
        with self._lock:
            self.tenant(api_key).events.register_template(
                template_id,
                title,
                description,
                None if fields is None else [dict(f) for f in fields],
            )

    # -- profiles made by other products -------------------------------------------------------

    def simulate_inbound(
        self, channel: str, sender: str, identifier: str, *, api_key: str | None = None
    ) -> SimulatedProfile:
        """An end user's message reaching a Journeys or chat product (not the API).

        ``channel`` is ``"WHATSAPP"``, ``"FACEBOOK"``, ``"LIVE_CHAT"``... (a channel identifier
        type), ``"SMS"`` or ``"EMAIL"``; ``sender`` the business's application or sender id;
        ``identifier`` the end user's id on that channel (phone or address for SMS/EMAIL).
        The person holding that contact is returned unchanged; with none, a new LEAD holding it
        is created, its ``origin`` naming the channel. Not recorded in :attr:`calls`.
        ``ValueError`` for a bad channel or identifier.

        Example::

            made = fake.simulate_inbound("WHATSAPP", "441134960000", "447700900123")
            assert made.created and made.person["type"] == "LEAD"
        """
        with self._lock:
            return simulate_inbound(self.tenant(api_key), channel, sender, identifier)

    def simulate_form_submission(
        self, fields: Mapping[str, Any], *, api_key: str | None = None
    ) -> SimulatedProfile:
        """A web form submitted with ``fields`` (a v2 person body: ``firstName``,
        ``contactInformation``, ``customAttributes``...).

        Matched by externalId, email and phone: no match creates a LEAD (origin ``FORMS``); a
        matching LEAD is updated like a PATCH; a matching CUSTOMER is left as it is
        (``changed`` is ``False``). ``ValueError`` when the fields are invalid (the API's
        message) or match two persons. Not recorded in :attr:`calls`.

        Example::

            lead = fake.simulate_form_submission(
                {"firstName": "Ada", "contactInformation": {"email": [{"address": "ada@x.com"}]}}
            ).person
        """
        with self._lock:
            return simulate_form(self.tenant(api_key), fields)

    def simulate_session(
        self,
        identifier: str,
        identifier_type: str = "EMAIL",
        *,
        sender: str | None = None,
        kind: Literal["chatbot", "conversation"] = "chatbot",
        channel: str = "LIVE_CHAT",
        session_id: str | None = None,
        ended: bool = True,
        reason: str = "COMPLETED",
        bot_id: str = "bot-1",
        agent_id: str = "agent-1",
        started_at: datetime | None = None,
        api_key: str | None = None,
    ) -> SimulatedSession:
        """A chat session of a person, recorded as the platform records it: the standard events
        ``chatbotSessionStarted``/``chatbotSessionEnded`` (``kind="chatbot"``) or
        ``conversationCreated``/``conversationClosed`` (``kind="conversation"``), the end event
        only when ``ended``. An unknown person (EMAIL, PHONE, EXTERNAL_ID, or a channel type with
        ``sender``) is created as a CUSTOMER, origin ``ANSWERS`` or ``CONVERSATIONS``.
        ``session_id`` defaults to a generated id; ``started_at`` (aware) to now. Not recorded
        in :attr:`calls`. ``ValueError`` for a bad identifier or kind.

        Example::

            session = fake.simulate_session("ada@example.com", channel="WHATSAPP")
            assert [e["definitionId"] for e in session.events] == [
                "chatbotSessionStarted", "chatbotSessionEnded"]
        """
        with self._lock:
            return simulate_session(
                self.tenant(api_key),
                identifier,
                identifier_type,
                sender=sender,
                kind=kind,
                channel=channel,
                session_id=session_id,
                ended=ended,
                reason=reason,
                bot_id=bot_id,
                agent_id=agent_id,
                started_at=started_at,
            )

    def state(self, api_key: str | None = None) -> dict[str, Any]:
        """A dump of a tenant's data, from every engine that lists it (``GET /_fake/state``)."""
        dump: dict[str, Any] = {}
        for name, engine in (
            ("people", "persons"),
            ("companies", "companies"),
            ("tags", "tags"),
            ("customAttributes", "attributes"),
            ("events", "events"),
            ("segments", "segments"),
            ("push", "push"),
        ):
            dump[name] = list(self._snapshot(engine, api_key))
        return dump

    def _snapshot(self, engine: str, api_key: str | None) -> tuple[dict[str, Any], ...]:
        listing, fresh = _LISTINGS[engine]
        with self._lock:
            items = listing(self.tenant(api_key))
            if fresh:
                return tuple(items)  # rendered anew on every call: nothing shared to copy
            return tuple(copy.deepcopy(items))

    # -- adapters ----------------------------------------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An httpx transport that answers from this fake, in-process.

        Example::

            http = httpx.Client(transport=fake.transport(), base_url="https://api.infobip.com")
        """
        from ._transport import FakeTransport

        return FakeTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """The async twin of :meth:`transport`."""
        from ._transport import AsyncFakeTransport

        return AsyncFakeTransport(self)

    def client(self, **options: Any) -> ProfilesClient:
        """A :class:`ProfilesClient` wired to this fake in-process (no sockets).

        ``options`` go to the client (``api_key`` defaults to the fake's, ``throttle`` to
        :attr:`rate_limits`). The client waits on the fake's clock: a retry's backoff, a
        ``Retry-After`` and pacing advance :attr:`clock` at once instead of sleeping, so
        ``fake.calls`` shows each attempt at its fake time (pass ``sleep=``/``clock=`` to
        change that).

        Example::

            fake.clock.freeze()
            fake.inject(429, op_id="create-a-new-person", retry_after=10)
            client = fake.client()
            client.people.create(person)          # returns at once; the fake clock moved 10 s
        """
        import httpx

        from .._client import ProfilesClient

        options = self._client_options(options, self.clock.sleep)
        http = httpx.Client(transport=self.transport())
        return ProfilesClient(http_client=http, **options)

    def async_client(self, **options: Any) -> AsyncProfilesClient:
        """An :class:`AsyncProfilesClient` wired to this fake in-process, waiting on the
        fake's clock like :meth:`client`."""
        import httpx

        from .._client import AsyncProfilesClient

        options = self._client_options(options, self.clock.asleep)
        http = httpx.AsyncClient(transport=self.async_transport())
        return AsyncProfilesClient(http_client=http, **options)

    def _client_options(self, options: dict[str, Any], sleep: Any) -> dict[str, Any]:
        """What a client of this fake gets unless told otherwise: the fake's key (unless
        ``auth=`` names its own credential, and so its own tenant), its base URL and rate
        limits, and its clock to wait on (``sleep``: the blocking or the async one)."""
        if options.get("auth") is None:
            options.setdefault("api_key", self.api_key)
        options.setdefault("base_url", "https://fake.api.infobip.com")
        options.setdefault("throttle", self.rate_limits)
        options.setdefault("sleep", sleep)
        options.setdefault("clock", self.clock.time)
        return options

    @contextlib.contextmanager
    def serve(
        self, host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False
    ) -> Iterator[str]:
        """Serve this fake over real HTTP; yields the base URL (``http://127.0.0.1:PORT``).

        A threaded HTTP/1.1 server (keep-alive) on a free port unless ``port`` is given; it shuts
        down when the block exits. Binding a non-loopback ``host`` needs ``allow_remote=True``.

        Example::

            with fake.serve() as base_url:
                client = ProfilesClient(api_key="test-key", base_url=base_url)
                ...
        """
        from ._server import FakeServer

        server = FakeServer(self, host, port, allow_remote=allow_remote)
        server.start()
        try:
            yield server.base_url
        finally:
            server.stop()

    def start_server(
        self, host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False
    ) -> str:
        """Start serving over HTTP until :meth:`stop`; returns the base URL (one server per fake).

        Example::

            base_url = fake.start_server()
            try:
                ...
            finally:
                fake.stop()
        """
        from ._server import FakeServer

        with self._lock:
            if self._server is not None:
                raise RuntimeError(f"already serving at {self._server.base_url}")
            server = FakeServer(self, host, port, allow_remote=allow_remote)
            server.start()
            self._server = server
            return server.base_url

    def stop(self) -> None:
        """Stop the server started by :meth:`start_server` (no-op if none is running)."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()

    @property
    def base_url(self) -> str | None:
        """The URL of the server started by :meth:`start_server`, or ``None``."""
        server = self._server
        return server.base_url if server is not None else None

    def patch(self, base_url: str | None = None) -> contextlib.AbstractContextManager[Any]:
        """Route every httpx request to the API host, from any code, to this fake (needs respx).

        By default requests to ``api.infobip.com`` and any ``*.api.infobip.com`` are caught; with
        ``base_url``, requests to its host (and port, if given) instead. Requests to other hosts
        go to the network as usual. Sync and async clients are both caught. Yields the respx
        router, to which you may add routes of your own.

        Example::

            with fake.patch():
                ProfilesClient(api_key="test-key").people.get(PersonRef.id(1))
        """
        from ._respx import patch_httpx

        router: contextlib.AbstractContextManager[Any] = patch_httpx(self, base_url)
        return router
