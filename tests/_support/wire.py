"""Raw HTTP to the fake: the test key, the two ways of reaching the fake, and :class:`Wire`.

``tests/conftest.py`` builds the ``wire`` fixture from these; tests import ``KEY``, ``Wire`` (for
annotations) and ``service_exception`` from here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from infobip_profiles.testing import FakeProfiles

if TYPE_CHECKING:
    from _pytest.fixtures import FixtureFunctionDefinition

#: The API key every fixture's fake accepts.
KEY = "test-key"
#: The ``Authorization`` header carrying :data:`KEY`.
AUTH = {"Authorization": f"App {KEY}"}
#: JSON content with the ``Authorization`` header carrying :data:`KEY`.
JSON_AUTH = {"content-type": "application/json", **AUTH}
#: How the fake is reached: in-process, or over loopback HTTP (marked ``http``).
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


def service_exception(response: httpx.Response) -> dict[str, Any]:
    """The v2 error envelope's ``serviceException`` (fails the test if the body is not one)."""
    body = response.json()
    assert "requestError" in body, f"not a v2 error envelope: {body!r}"
    exc: dict[str, Any] = body["requestError"]["serviceException"]
    return exc


@contextlib.contextmanager
def reach(
    fake: FakeProfiles, mode: str, headers: Mapping[str, str] | None = None
) -> Iterator[httpx.Client]:
    """A plain ``httpx.Client`` to ``fake`` in ``mode`` (``"inprocess"`` or ``"http"``).

    It sends ``headers`` and nothing else (no key unless they carry one), for tests of
    authentication and the control plane; served over loopback for the block in ``"http"`` mode.
    """
    if mode == "http":
        with fake.serve() as url, httpx.Client(base_url=url, headers=headers) as client:
            yield client
    else:
        with httpx.Client(
            transport=fake.transport(), base_url="http://127.0.0.1", headers=headers
        ) as client:
            yield client


def reach_fixture(
    headers: Mapping[str, str] | None = None, name: str = "http"
) -> FixtureFunctionDefinition:
    """A fixture called ``name`` giving a :func:`reach` client to the ``fake`` fixture, once in
    each of :data:`MODES` (``http = reach_fixture(...)`` in a test module)."""

    @pytest.fixture(name=name, params=MODES)
    def client(request: pytest.FixtureRequest, fake: FakeProfiles) -> Iterator[httpx.Client]:
        with reach(fake, request.param, headers) as http:
            yield http

    return client
