"""pytest plugin (registered through the ``pytest11`` entry point): fixtures for the fake.

Fixtures, each fresh per test:

- ``profiles_fake``: a :class:`FakeProfiles`.
- ``profiles_client``: a :class:`ProfilesClient` wired to it in-process.
- ``profiles_async_client``: an :class:`AsyncProfilesClient` wired to it in-process.
- ``profiles_server``: the fake served over loopback HTTP; the value is its base URL. One server
  per test session (per xdist worker) is pointed at each test's fresh fake, so a test pays no
  server start or stop; the base URL stays the same across tests.
- ``profiles_patch``: the fake with :meth:`FakeProfiles.patch` active (needs respx); every httpx
  request to ``api.infobip.com`` during the test reaches it. The value is the fake.

The clients wait on the fake's clock: a retry's backoff, a ``Retry-After`` and pacing advance
``profiles_fake.clock`` at once, so a test of retries takes milliseconds and ``profiles_fake.calls``
shows each attempt at its fake time.

Configure the fake per test, module (``pytestmark``) or class with the ``profiles_fake`` marker,
whose keyword arguments go to :class:`FakeProfiles`, plus ``seed``: a seed file path (relative
paths are taken from the test file's directory) or a dict in seed-file shape.

Example::

    import pytest

    @pytest.mark.profiles_fake(rate_limits=True, seed="data/people.json")
    def test_lists_people(profiles_client, profiles_fake):
        assert len(list(profiles_client.people.list())) == len(profiles_fake.people())
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .._client import AsyncProfilesClient, ProfilesClient
    from ._fake import FakeProfiles
    from ._server import FakeServer

__all__ = [
    "profiles_async_client",
    "profiles_client",
    "profiles_fake",
    "profiles_patch",
    "profiles_server",
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``profiles_fake`` marker."""
    config.addinivalue_line(
        "markers",
        "profiles_fake(**options): FakeProfiles keyword arguments for the profiles_fake fixture, "
        "plus seed=PATH (relative to the test file) or seed={...} in seed-file shape",
    )


def _seed(fake: FakeProfiles, seed: Any, request: pytest.FixtureRequest) -> None:
    if isinstance(seed, dict):
        from ._seed import parse_seed_document

        fake.seed(api_key=None, **parse_seed_document(seed))
        return
    path = Path(os.fspath(seed))
    if not path.is_absolute():
        path = Path(request.node.path).parent / path
    fake.seed_file(path)


@pytest.fixture
def profiles_fake(request: pytest.FixtureRequest) -> Iterator[FakeProfiles]:
    """A fresh :class:`FakeProfiles` (options from the ``profiles_fake`` marker)."""
    from ._fake import FakeProfiles

    marker = request.node.get_closest_marker("profiles_fake")
    options = dict(marker.kwargs) if marker is not None else {}
    seed = options.pop("seed", None)
    fake = FakeProfiles(**options)
    if seed is not None:
        _seed(fake, seed, request)
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def profiles_client(profiles_fake: FakeProfiles) -> Iterator[ProfilesClient]:
    """A :class:`ProfilesClient` answering from ``profiles_fake`` in-process."""
    client = profiles_fake.client()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def profiles_async_client(profiles_fake: FakeProfiles) -> AsyncProfilesClient:
    """An :class:`AsyncProfilesClient` answering from ``profiles_fake`` in-process.

    A plain (sync) fixture, so it works without an async pytest plugin; the in-process transport
    holds no sockets, so there is nothing to close.
    """
    return profiles_fake.async_client()


@pytest.fixture(scope="session")
def _profiles_shared_server() -> Iterator[FakeServer]:
    """One loopback server for the whole session, answering from an idle fake between tests."""
    from ._fake import FakeProfiles
    from ._server import FakeServer

    server = FakeServer(FakeProfiles())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def profiles_server(
    profiles_fake: FakeProfiles, _profiles_shared_server: FakeServer
) -> Iterator[str]:
    """``profiles_fake`` served over loopback HTTP; the base URL (``http://127.0.0.1:PORT``).

    The session's one server answers from this test's fresh fake for the test's duration.
    """
    from ._fake import FakeProfiles

    _profiles_shared_server.retarget(profiles_fake)
    try:
        yield _profiles_shared_server.base_url
    finally:
        _profiles_shared_server.retarget(FakeProfiles())


@pytest.fixture
def profiles_patch(profiles_fake: FakeProfiles) -> Iterator[FakeProfiles]:
    """``profiles_fake`` with :meth:`FakeProfiles.patch` active for the whole test."""
    with profiles_fake.patch():
        yield profiles_fake
