"""Fixtures shared by the whole suite.

The fake is tested the way users reach it: ``wire`` sends raw HTTP requests to it in-process and
over loopback HTTP (each test runs in both modes), and ``client`` / ``aclient`` are the SDK's
clients wired to it the same two ways.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from infobip_profiles import AsyncProfilesClient, ProfilesClient
from infobip_profiles.testing import FakeProfiles

KEY = "test-key"
AUTH = {"Authorization": f"App {KEY}"}
MODES = [
    pytest.param("inprocess", id="inprocess"),
    pytest.param("http", id="http", marks=pytest.mark.http),
]


class Wire:
    """Raw HTTP to the fake, for asserting exact statuses and wire shapes.

    ``wire.get("/people/2/persons", params={...})`` and friends return the ``httpx.Response``;
    ``wire.fake`` is the :class:`FakeProfiles` behind it (for seeding and inspection).
    """

    def __init__(self, fake: FakeProfiles, http: httpx.Client, mode: str) -> None:
        self.fake = fake
        self.http = http
        self.mode = mode

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.put(path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.patch(path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        """DELETE, with an optional ``json=`` body (httpx's own ``delete`` takes none)."""
        return self.http.request("DELETE", path, **kwargs)


@pytest.fixture
def fake() -> FakeProfiles:
    """A fresh fake with the default test key."""
    return FakeProfiles(KEY)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """``"inprocess"`` or ``"http"``: how the fake is reached."""
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


def service_exception(response: httpx.Response) -> dict[str, Any]:
    """The v2 error envelope's ``serviceException`` (fails the test if the body is not one)."""
    body = response.json()
    assert "requestError" in body, f"not a v2 error envelope: {body!r}"
    exc: dict[str, Any] = body["requestError"]["serviceException"]
    return exc
