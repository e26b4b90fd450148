"""Fixtures shared by the whole suite.

The fake is tested the way users reach it: ``wire`` sends raw HTTP requests to it in-process and
over loopback HTTP (each test runs in both modes), and ``client`` / ``aclient`` are the SDK's
clients wired to it the same two ways.

Tests import helpers from ``tests._support`` (``Wire`` and ``KEY`` from ``tests._support.wire``),
never from this module. ``tests/README.md`` lists the folders, fixtures and helpers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from infobip_profiles import AsyncProfilesClient, ProfilesClient
from infobip_profiles.testing import FakeProfiles
from tests._support.wire import AUTH, KEY, MODES, Wire


@pytest.fixture
def fake() -> FakeProfiles:
    """A fresh fake with the default test key."""
    return FakeProfiles(KEY)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """``"inprocess"`` or ``"http"``: how the fake is reached."""
    return str(request.param)


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    """``"sync"`` or ``"async"``: which client a test that asks for it builds (it runs with each)."""
    return str(request.param)


@pytest.fixture
def base_url(fake: FakeProfiles, mode: str) -> Iterator[str]:
    """Where the fake answers in this mode (a served loopback URL, or the in-process host)."""
    if mode == "http":
        with fake.serve() as url:
            yield url
    else:
        yield "https://fake.api.infobip.com"


def _transport(fake: FakeProfiles, mode: str) -> httpx.BaseTransport | None:
    return fake.transport() if mode == "inprocess" else None


@pytest.fixture
def wire(fake: FakeProfiles, mode: str, base_url: str) -> Iterator[Wire]:
    """Raw HTTP to the fake, in-process and over loopback HTTP."""
    kwargs: dict[str, Any] = {"base_url": base_url, "headers": AUTH, "timeout": 10.0}
    transport = _transport(fake, mode)
    if transport is not None:
        kwargs["transport"] = transport
    with httpx.Client(**kwargs) as http:
        yield Wire(fake, http, mode)


@pytest.fixture
def client(fake: FakeProfiles, mode: str, base_url: str) -> Iterator[ProfilesClient]:
    """The sync client wired to ``fake``, in-process and over loopback HTTP (no throttle)."""
    if mode == "inprocess":
        c = fake.client(throttle=False)
    else:
        c = ProfilesClient(api_key=KEY, base_url=base_url, throttle=False)
    with c:
        yield c


@pytest.fixture
async def aclient(
    fake: FakeProfiles, mode: str, base_url: str
) -> AsyncIterator[AsyncProfilesClient]:
    """The async client wired to ``fake``, in-process and over loopback HTTP (no throttle)."""
    if mode == "inprocess":
        c = fake.async_client(throttle=False)
    else:
        c = AsyncProfilesClient(api_key=KEY, base_url=base_url, throttle=False)
    async with c:
        yield c


# -- conformance to the API spec of everything the suite sends and receives ----------------------
#
# Every request reaching a FakeProfiles (in-process, over HTTP, under patch()) and every answer it
# gives is checked against ../shared/spec/people-openapi.json, and so is every request a respx
# router sees (client tests stubbing the API). Violations fail the test that caused them; see
# tests/_support/spec_validation.py for what is checked and the allow-list. A test that sends a
# deliberately invalid request is marked ``@pytest.mark.nonconforming``: its responses are still
# checked. Without the spec (a user's clone) nothing is checked.

import threading as _threading  # noqa: E402

import respx as _respx  # noqa: E402

from infobip_profiles.testing._faults import FaultRegistry  # noqa: E402
from infobip_profiles.testing._router import HANDLERS as _HANDLERS  # noqa: E402
from infobip_profiles.testing._router import resolve as _resolve  # noqa: E402
from infobip_profiles.testing._wire import FakeRequest, FakeResponse  # noqa: E402
from tests._support.spec_validation import (  # noqa: E402
    Violation,
    check_httpx_request,
    format_violations,
    spec_available,
    unforgiven,
    validator,
)


class SpecViolations:
    """The spec violations seen while one test runs (thread-safe: the served fake has threads)."""

    def __init__(self, check_requests: bool) -> None:
        self.check_requests = check_requests
        self._lock = _threading.Lock()
        self._seen: dict[str, Violation] = {}

    def add(self, violations: list[Violation]) -> None:
        with self._lock:
            for v in violations:
                self._seen.setdefault(str(v), v)

    @property
    def all(self) -> list[Violation]:
        with self._lock:
            return list(self._seen.values())


_SPEC_KEY = pytest.StashKey[SpecViolations]()
_REAL_HANDLERS = "infobip_profiles.testing.handlers."
_taken = _threading.local()


@pytest.fixture(autouse=True)
def _spec_conformance(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Check every request and response of the test against the spec (see the comment above)."""
    if not spec_available():
        yield
        return
    spec = validator()
    seen = SpecViolations(check_requests=request.node.get_closest_marker("nonconforming") is None)
    request.node.stash[_SPEC_KEY] = seen

    original_take = FaultRegistry.take
    original_handle = FakeProfiles.handle

    def take(self: FaultRegistry, *args: Any, **kwargs: Any) -> Any:
        fault = original_take(self, *args, **kwargs)
        _taken.fault = fault
        return fault

    def handle(self: FakeProfiles, req: FakeRequest, *, timeout: float | None = None) -> Any:
        route = _resolve(req.method, req.path)
        if route is None:  # the control plane, unknown paths: nothing in the spec to check
            return original_handle(self, req, timeout=timeout)
        try:
            sent = unforgiven(
                spec.check_request(req.method, req.path, req.query, req.headers, req.body)
            )
        except Exception as exc:  # a validator bug must fail the test, not the fake's answer
            sent = [Violation("request", route[0].op_id, "-", f"validator crashed: {exc!r}")]
        if seen.check_requests:
            seen.add(sent)
        _taken.fault = None
        response: FakeResponse = original_handle(self, req, timeout=timeout)
        fault = getattr(_taken, "fault", None)
        handler = _HANDLERS.get(route[0].op_id)
        real = getattr(handler, "__module__", "").startswith(_REAL_HANDLERS)
        # An injected status, a test's stub handler, or an operation not built yet answer what
        # the test chose, not what the fake does: nothing to hold against the spec.
        if real and (fault is None or fault.status is None):
            try:
                found = spec.check_response(
                    route[0].op_id,
                    response.status,
                    response.wire_headers(),
                    response.content(),
                    query=req.query,
                    request_headers=req.headers,
                    request_conforms=not sent,
                    method=req.method,
                    path=req.path,
                )
            except Exception as exc:
                found = [Violation("response", route[0].op_id, "-", f"validator crashed: {exc!r}")]
            seen.add(unforgiven(found))
        return response

    original_resolve = _respx.Router.resolve
    original_aresolve = _respx.Router.aresolve

    def respx_resolve(self: Any, req: httpx.Request) -> Any:
        if seen.check_requests:
            seen.add(check_httpx_request(req))
        return original_resolve(self, req)

    async def respx_aresolve(self: Any, req: httpx.Request) -> Any:
        if seen.check_requests:
            seen.add(check_httpx_request(req))
        return await original_aresolve(self, req)

    monkeypatch.setattr(FaultRegistry, "take", take)
    monkeypatch.setattr(FakeProfiles, "handle", handle)
    monkeypatch.setattr(_respx.Router, "resolve", respx_resolve)
    monkeypatch.setattr(_respx.Router, "aresolve", respx_aresolve)
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a test whose requests or responses broke the spec (after it ran)."""
    try:
        result = yield
    except BaseException:
        seen = item.stash.get(_SPEC_KEY, None)
        if seen is not None and seen.all:
            item.add_report_section("call", "spec violations", format_violations(seen.all))
        raise
    seen = item.stash.get(_SPEC_KEY, None)
    if seen is not None and seen.all:
        pytest.fail(format_violations(seen.all), pytrace=False)
    return result


@pytest.fixture
def assert_request_conforms() -> Callable[[httpx.Request], None]:
    """``assert_request_conforms(request)``: fail unless an ``httpx.Request`` is one the spec allows.

    respx routers are already checked for every test; this is for checking a request explicitly,
    e.g. one captured with ``route.calls.last.request``. Skips when the spec is absent.
    """
    if not spec_available():
        pytest.skip("the API spec is absent (../shared/spec): nothing to check against")

    def check(req: httpx.Request) -> None:
        violations = check_httpx_request(req)
        assert not violations, format_violations(violations)

    return check
