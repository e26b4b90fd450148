"""``FakeProfiles``: the facade over the engine, and the one entry point every adapter calls."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from . import handlers as _handlers  # noqa: F401  (registers the handlers)
from ._clock import FakeClock
from ._context import Context
from ._errors import MSG, FakeError, error_for_family, v2_error
from ._router import HANDLERS, methods_for_path, resolve
from ._state import TenantState
from ._wire import FakeRequest, FakeResponse

if TYPE_CHECKING:
    import httpx

    from .._client import AsyncProfilesClient, ProfilesClient

__all__ = ["FakeProfiles"]

log = logging.getLogger("infobip_profiles.testing")


class FakeProfiles:
    """An in-process fake of the Customer Profiles service.

    One engine holds the state and the semantics; ``client()``, ``async_client()``, ``serve()`` and
    ``patch()`` are thin adapters over :meth:`handle`. State is kept per API key (a tenant).

    Example::

        fake = FakeProfiles()
        client = fake.client()
        person = client.people.create(Person(first_name="Ada", emails=["ada@example.com"]))
    """

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        rate_limits: bool = False,
        clock: FakeClock | None = None,
    ) -> None:
        self.api_key = api_key
        self.rate_limits = rate_limits
        self.clock = clock or FakeClock()
        self._lock = threading.RLock()
        self._tenants: dict[str, TenantState] = {}
        self.add_tenant(api_key)

    # -- tenants ---------------------------------------------------------------------------------

    def add_tenant(self, api_key: str) -> None:
        """Accept ``api_key`` as a further tenant with its own, empty state."""
        with self._lock:
            if api_key not in self._tenants:
                self._tenants[api_key] = TenantState(self.clock, len(self._tenants))

    def tenant(self, api_key: str | None = None) -> TenantState:
        """The state behind ``api_key`` (default: the fake's own key)."""
        return self._tenants[api_key or self.api_key]

    # -- the one entry point ---------------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        """Answer one request as the real service would."""
        try:
            return self._dispatch(request)
        except FakeError as err:
            return err.response

    def _dispatch(self, request: FakeRequest) -> FakeResponse:
        route = resolve(request.method, request.path)
        if route is None:
            if methods_for_path(request.path):
                raise v2_error(405, MSG.METHOD_NOT_ALLOWED.format(method=request.method))
            raise v2_error(404, MSG.NOT_FOUND_PATH.format(path=request.path))
        op, path_params = route
        state = self._authenticate(request, op.errors)
        handler = HANDLERS.get(op.op_id)
        if handler is None:
            raise error_for_family(op.errors, 404, MSG.NOT_FOUND_PATH.format(path=request.path))
        ctx = Context(request, op, path_params, state, self.clock)
        with self._lock:
            try:
                return handler(ctx)
            except FakeError:
                raise
            except Exception:
                log.exception("fake handler for %s failed", op.op_id)
                raise error_for_family(op.errors, 500, MSG.GENERAL_ERROR) from None

    def _authenticate(self, request: FakeRequest, family: Any) -> TenantState:
        auth = request.headers.get("authorization", "")
        scheme, _, key = auth.partition(" ")
        state = self._tenants.get(key.strip()) if scheme == "App" else None
        if state is None:
            raise error_for_family(family, 401, MSG.UNAUTHORIZED)
        return state

    # -- adapters ----------------------------------------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An httpx transport that answers from this fake, in-process."""
        from ._transport import FakeTransport

        return FakeTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """The async twin of :meth:`transport`."""
        from ._transport import AsyncFakeTransport

        return AsyncFakeTransport(self)

    def client(self, **options: Any) -> ProfilesClient:
        """A :class:`ProfilesClient` wired to this fake in-process (no sockets)."""
        import httpx

        from .._client import ProfilesClient

        options.setdefault("api_key", self.api_key)
        options.setdefault("base_url", "https://fake.api.infobip.com")
        options.setdefault("throttle", self.rate_limits)
        http = httpx.Client(transport=self.transport())
        return ProfilesClient(http_client=http, **options)

    def async_client(self, **options: Any) -> AsyncProfilesClient:
        """An :class:`AsyncProfilesClient` wired to this fake in-process."""
        import httpx

        from .._client import AsyncProfilesClient

        options.setdefault("api_key", self.api_key)
        options.setdefault("base_url", "https://fake.api.infobip.com")
        options.setdefault("throttle", self.rate_limits)
        http = httpx.AsyncClient(transport=self.async_transport())
        return AsyncProfilesClient(http_client=http, **options)
