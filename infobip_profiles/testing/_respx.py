"""``FakeProfiles.patch()``: a respx router that sends every httpx call to the API host to the fake.

respx patches httpcore, so this reaches clients you never see (third-party code, your app's own
``httpx.Client``). Requests to other hosts pass through to the network untouched. Our clients
created while the patch is active wait on the fake's clock, as ``fake.client()`` does.

Combining with a respx router of your own: start ``fake.patch()`` *inside* yours, so yours sees
requests first; unmatched API-host requests then fall through to the fake.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

try:
    import respx
    from respx.patterns import M
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "FakeProfiles.patch() needs respx; install it with: pip install 'infobip-profiles[testing]'"
    ) from exc

from ._transport import answer_async, answer_sync

if TYPE_CHECKING:
    from ._fake import FakeProfiles

__all__ = ["patch_httpx", "DEFAULT_HOST_REGEX"]

#: api.infobip.com and every personal base URL (``xyz.api.infobip.com``).
DEFAULT_HOST_REGEX = r"^([A-Za-z0-9-]+\.)*api\.infobip\.com$"


def host_pattern(base_url: str | None) -> Any:
    """The respx pattern selecting the requests the fake answers."""
    if base_url is None:
        return M(host__regex=DEFAULT_HOST_REGEX)
    url = httpx.URL(base_url if "://" in base_url else "https://" + base_url)
    if not url.host:
        raise ValueError(f"base_url {base_url!r} has no host")
    if url.port is not None:
        return M(host=url.host, port=url.port)
    return M(host=url.host)


class _FakeRouter(respx.MockRouter):
    """Answers matching requests from the fake itself, on the right side of sync/async.

    A respx side effect cannot tell a sync request from an async one, and the async path must
    not block the event loop on injected latency, so both handlers are overridden here.
    """

    def __init__(self, fake: FakeProfiles, pattern: Any) -> None:
        super().__init__(assert_all_mocked=False, assert_all_called=False)
        self._fake = fake
        self._pattern = pattern
        # Everything else leaves through the real transport.
        self.route().pass_through()

    def start(self) -> None:
        # Clients created while the patch is active wait on the fake's clock (their retries,
        # Retry-After and pacing advance it at once) unless given their own sleep/clock.
        from .. import _client

        clock = self._fake.clock
        self._timing = (clock.sleep, clock.asleep, clock.time)
        _client._default_timing.append(self._timing)
        super().start()

    def stop(self, clear: bool = True, reset: bool = True, quiet: bool = False) -> None:
        from .. import _client

        try:
            super().stop(clear=clear, reset=reset, quiet=quiet)
        finally:
            timing = getattr(self, "_timing", None)
            if timing is not None and timing in _client._default_timing:
                _client._default_timing.remove(timing)

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self._pattern.match(request):
            return answer_sync(self._fake, request)
        response: httpx.Response = super().handler(request)
        return response

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        if self._pattern.match(request):
            return await answer_async(self._fake, request)
        response: httpx.Response = await super().async_handler(request)
        return response


def patch_httpx(fake: FakeProfiles, base_url: str | None = None) -> Any:
    """A respx ``MockRouter`` (a context manager) routing the API host's requests to ``fake``."""
    return _FakeRouter(fake, host_pattern(base_url))
