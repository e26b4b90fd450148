"""Clients answered by a function through ``httpx.MockTransport``, for the hostile-answer tests:
nothing leaves the process, and the function may answer anything at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from infobip_profiles import AsyncProfilesClient, ProfilesClient

#: Answers one request.
Respond = Callable[[httpx.Request], httpx.Response]

#: Where the mocked clients point (never reached: the transport answers).
MOCK_BASE = "https://acme.example"


def mock_client(kind: str, respond: Respond, *, api_key: str = "key-1", **options: Any) -> Any:
    """A ``"sync"`` or ``"async"`` client whose every request ``respond`` answers; no retries and
    no pacing unless ``options`` say otherwise."""
    options.setdefault("max_retries", 0)
    options.setdefault("throttle", False)
    if kind == "sync":
        http = httpx.Client(transport=httpx.MockTransport(respond))
        return ProfilesClient(api_key, MOCK_BASE, http_client=http, **options)
    ahttp = httpx.AsyncClient(transport=httpx.MockTransport(respond))
    return AsyncProfilesClient(api_key, MOCK_BASE, http_client=ahttp, **options)


def answering(body: bytes, content_type: str = "application/json") -> Respond:
    """A responder giving every request a 200 with ``body``."""
    return lambda request: httpx.Response(200, content=body, headers={"Content-Type": content_type})
