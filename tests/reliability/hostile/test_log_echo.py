"""A credential a server echoes in a response header stays out of the HTTP stack's own logs.

httpcore logs each response's raw headers at ``DEBUG`` before the client sees them, so a
server or proxy that reflects ``Authorization`` back (``X-Echo: App <key>``) would put the key
into any application that turns those loggers up. Served over loopback by the hostile server,
sync and async, with an API key and with basic credentials.
"""

from __future__ import annotations

import base64
import logging
import socket
from typing import Any

import pytest

from infobip_profiles import AsyncProfilesClient, PersonRef, ProfilesClient, ProfilesError
from infobip_profiles.auth import BasicAuth
from tests._support.hostile_server import Seen, hostile, send_json

pytestmark = pytest.mark.http

KEY = "sk-live-Echo12345abcdef"
PASSWORD = "pa55-Echo-word-9876"


def _echo(seen: Seen, conn: socket.socket) -> None:
    auth = seen.headers.get("authorization", "")
    send_json(conn, 401, b'{"requestError": {}}', X_Echo=auth, X_Other=f"again {auth}")


async def _call(kind: str, url: str, **credentials: Any) -> None:
    options: dict[str, Any] = {"base_url": url, "max_retries": 0, "throttle": False}
    if kind == "sync":
        with ProfilesClient(**credentials, **options) as client, pytest.raises(ProfilesError):
            client.people.get(PersonRef.id(1))
        return
    async with AsyncProfilesClient(**credentials, **options) as aclient:
        with pytest.raises(ProfilesError):
            await aclient.people.get(PersonRef.id(1))


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("scheme", ["api-key", "basic"])
async def test_an_echoed_credential_is_not_in_the_transport_debug_logs(
    kind: str, scheme: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    if scheme == "api-key":
        credentials: dict[str, Any] = {"api_key": KEY}
        secrets = [KEY]
    else:
        credentials = {"auth": BasicAuth("ada", PASSWORD)}
        secrets = [PASSWORD, base64.b64encode(f"ada:{PASSWORD}".encode()).decode()]
    with hostile(_echo) as server:
        await _call(kind, server.url, **credentials)
        assert server.seen  # the request went out and was answered

    logged = "\n".join(r.getMessage() for r in caplog.records)
    if kind == "sync":
        # httpcore did log the response headers (the async client's own pool runs over aiohttp,
        # which logs none; only the secrets' absence is checked there).
        assert "X-Echo" in logged
    for secret in secrets:
        assert secret not in logged
